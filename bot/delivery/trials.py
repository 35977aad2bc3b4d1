"""A tuning job's trials, told in the tuning job's one message (bot.kinds.trials says which
training jobs are trials; their events carry the tuning job's key).

The root shows the tuning job's own latest state (its status, AWS's counters, objective and
best job, from its own events) with a tally of the trials seen (bot.delivery.trial_tally):
that is what a reader wants mid-run, and the tuning job's own events may come only at its
start and end. A trial that starts, runs, completes or is stopped only updates the tally
(an edit, no post); a failed one also gets a thread reply, and the first failed one its log
tail (the rest usually fail alike: their reasons are in their replies). No trial gets a
root of its own or a burst digest line, so an HPO job of 200 trials is one message.

Trials before any event of the tuning job itself: the first one posts the tuning job's
root from what it knows (bot.kinds.trials.tuning_stand_in); the tuning job's newer events
then replace that state and keep the tally (bot.delivery.steps).

Trials and their tuning job share one key, so the outbox hands their items over one at a
time, in order, to one replica: the tally is read, changed and written back by one item
at a time. Each step is recorded before the next, as for any alert: the tally is written
with the trial's event id, so a retry after a crash does not count the trial twice.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Any

from bot.config.models import Config
from bot.core.decision import Decision
from bot.core.events import Event, Kind, Outcome
from bot.delivery.logtails import LogTails
from bot.delivery.posting import Poster
from bot.delivery.trial_tally import tally_of, with_trial
from bot.kinds.trials import is_trial, tuning_stand_in
from bot.store import STAGE_ROOT_DONE, OutboxItem, RootMessage
from bot.store.roles import OutboxStore
from notifiers.render import render_alert, render_plain, render_reply


def gathers_trials(event: Event | None) -> bool:
    """A tuning job or one of its trials: never a burst digest line (their message is where
    the trials gather)."""
    return event is not None and (event.kind is Kind.TUNING_JOB or is_trial(event))


def posts_nothing(item: OutboxItem, root: RootMessage | None) -> bool:
    """A trial's event that at most edits its tuning job's root (it did not fail, and the
    root is posted): it need not wait for the channel's pace."""
    event = item.event
    return (
        event is not None
        and is_trial(event)
        and event.outcome is not Outcome.FAILED
        and item.stage == 0
        and root is not None
        and root.digest_id is None
    )


class TrialDelivery:
    def __init__(self, store: OutboxStore, poster: Poster, config: Config, tails: LogTails) -> None:
        self.store, self.poster, self.config, self.tails = store, poster, config, tails

    def deliver(self, item: OutboxItem, root: RootMessage | None) -> None:
        """Deliver a trial's event; `root` is its tuning job's root as just read for it."""
        trial, decision = item.event, item.decision
        assert trial is not None and decision is not None  # an event item carries both
        if item.stage < STAGE_ROOT_DONE:
            root, posted = self._tally(item, trial, decision, root)
            if trial.outcome is not Outcome.FAILED:
                self.store.complete(item.id)
                return
            self.store.progress(item.id, STAGE_ROOT_DONE)
            if posted:
                return  # one post a pass: the reply waits for the channel's pace
            item = replace(item, stage=STAGE_ROOT_DONE, in_flight=False, marked=False)
        assert root is not None  # the tally step leaves a root, and a root is never removed
        reply = render_reply(trial)
        self.poster.post(
            root.channel, reply, partial(render_plain, trial), root.ts, f"{item.id}:reply", item
        )
        tally = tally_of(root.event)
        self.tails.finish(item, root, wanted=tally is not None and tally.failed == 1)

    def _tally(
        self, item: OutboxItem, trial: Event, decision: Decision, root: RootMessage | None
    ) -> tuple[RootMessage, bool]:
        """The tuning job's root with the trial counted: posted if there is none yet (True),
        edited if the count changed; as it now stands."""
        own = root if root is not None and root.digest_id is None else None
        if own is not None and own.event.id == trial.id:
            return own, False  # counted already, then stopped before it was recorded as done
        if own is None:
            # A digest line of the tuning job (folded before trials gathered) is its state.
            base = root.event if root is not None and root.event.kind is Kind.TUNING_JOB else None
            shown = with_trial(base or tuning_stand_in(trial), trial)
            routed = Decision.default(shown, decision.channel)
            posted = self.poster.post(
                decision.channel,
                self._payload(shown, routed, item.key),
                partial(render_plain, shown),
                None,
                f"{item.id}:root",
                item,
            )
            self.store.set_root(item.key, posted.channel, posted.ts, shown, routed)
            return RootMessage(item.key, posted.channel, posted.ts, shown, routed), True
        shown = with_trial(own.event, trial)
        if shown.facts == own.event.facts:
            return own, False  # still running: nothing to show
        routed = own.decision or Decision.default(own.event, own.channel)
        payload = self._payload(shown, routed, item.key)
        self.poster.edit(own.channel, own.ts, payload, partial(render_plain, shown), item.key)
        self.store.set_root(item.key, own.channel, own.ts, shown, own.decision)
        return replace(own, event=shown), False

    def _payload(self, shown: Event, decision: Decision, key: str) -> dict[str, Any]:
        incident = self.store.incident_for_key(key)
        return render_alert(shown, decision, incident, self.config.incidents.snooze_choices)
