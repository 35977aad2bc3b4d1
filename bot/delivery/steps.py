"""Delivering one outbox item, step by step.

The first event of a resource posts its root message; a later one updates the root if it
is newer (an older event never overwrites a newer state, but may add where the resource
failed: bot.delivery.root_state) and adds a thread reply. A notice
is a thread line under the root (re-rendering the root first when its incident changed),
or a message of its own where there is no root. Progress is recorded after each step, so
a retry repeats nothing that reached Slack. A root that vanished is posted anew. A failure
ends with its log tail (bot.delivery.logtails); a tuning job's trials go to its message
(bot.delivery.trials).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from functools import partial
from typing import Any

from bot.config.models import Config
from bot.core.decision import Decision
from bot.core.events import Event
from bot.core.ordering import is_newer, order
from bot.delivery.journal import after
from bot.delivery.logtails import STAGE_TAIL, LogTails
from bot.delivery.posting import Poster, text_only
from bot.delivery.root_state import advanced, displayed
from bot.delivery.trial_tally import carry_tally
from bot.delivery.trials import TrialDelivery
from bot.kinds.trials import is_trial
from bot.store import STAGE_ROOT_DONE, Notice, OutboxItem, RootMessage
from bot.store.roles import OutboxStore
from bot.store.writes import AdvanceState, MarkInFlight
from notifiers.base import Failure, Notifier, NotifyError
from notifiers.render import render_alert, render_notice, render_plain, render_reply

log = logging.getLogger(__name__)


def opens_with_post(item: OutboxItem, root: RootMessage | None) -> bool:
    """Whether delivering `item` (with `root` as read for it) starts with a post, which
    the claim may then mark in flight (bot.delivery.worker): a root, a reply, a notice or
    a log tail; not the edit of a root an update or a refreshing notice starts with."""
    own = root is not None and root.digest_id is None
    if item.stage >= STAGE_ROOT_DONE:
        return True  # the reply, the notice or the log tail
    if item.notice is not None:
        return not (own and item.notice.refresh)
    if item.event is not None and is_trial(item.event):
        return not own  # a trial edits its tuning job's root, or posts it if there is none
    return root is None  # a digest line is absorbed or reposted by another path


def posts_in_pass(item: OutboxItem, root: RootMessage | None) -> bool:
    """Whether delivering `item` posts at all: it starts with a post, or a post follows
    the edit of its own root (an update's reply, a refreshing notice's line). A batch's
    claim marks such a post in flight before the edit (bot.delivery.batches), and the mark
    covers it. A trial's reply is left out: it may wait for a pass of its own."""
    if opens_with_post(item, root):
        return True
    own = root is not None and root.digest_id is None
    if item.notice is not None:
        return own
    return own and item.event is not None and not is_trial(item.event)


class ItemDelivery:
    def __init__(
        self,
        store: OutboxStore,
        notifier: Notifier,
        config: Config,
        poster: Poster,
        tails: LogTails,
    ) -> None:
        self.store, self.notifier, self.config, self.poster = store, notifier, config, poster
        self.tails = tails
        self.trials = TrialDelivery(store, poster, config, tails)

    def deliver(self, item: OutboxItem, root: RootMessage | None) -> None:
        """Deliver `item`; `root` is its resource's root as just read for it."""
        if item.notice is not None:
            self._deliver_notice(item, item.notice, root)
            return
        event, decision = item.event, item.decision
        assert event is not None and decision is not None  # an event item carries both
        if item.stage == STAGE_TAIL:
            self.tails.post(item, root)
            return
        if is_trial(event):
            self.trials.deliver(item, root)
            return
        if root is not None and root.digest_id is not None:
            root = None  # a digest line that now needs a message of its own
        if root is None:
            self._post_root(item, decision.channel, event, decision)
            return
        if item.stage < STAGE_ROOT_DONE and item.in_flight and root.event.id == event.id:
            # This item posted the root and recorded it, then stopped (a crash) before it
            # was marked done: nothing is left to send, and a reply would say it twice.
            # The root shows this item's own event, so no lookup in Slack is needed.
            self.tails.finish(item, root)
            return
        if item.stage < STAGE_ROOT_DONE:
            shown = advanced(root.event, event)
            if shown is not None:
                shown = carry_tally(root.event, shown)  # a tuning job keeps its trials' tally
                if not is_newer(event, root.event):  # it told where it failed: same state
                    decision = root.decision or decision
                try:
                    self._update_root(root, shown, decision, item)
                except NotifyError as error:
                    if error.failure != Failure.GONE:
                        raise
                    log.info("root message of %s is gone; posting a new one", item.key)
                    self._post_root(item, root.channel, shown, decision)
                    return
                self.store.advance_state(item.key, shown, decision)
                # As the store now has it: this item is its key's only one being delivered.
                root = after(root, AdvanceState(item.key, shown, decision)) or root
            item = self._root_done(item)
        late = order(event) < order(root.event)
        reply = render_reply(event, late=late, told_above=_shows_failure_of(root.event, event))
        self.poster.post(
            root.channel, reply, partial(render_plain, event), root.ts, f"{item.id}:reply", item
        )
        self.tails.finish(item, root)

    def _deliver_notice(self, item: OutboxItem, notice: Notice, root: RootMessage | None) -> None:
        payload = render_notice(notice.text, broadcast=notice.broadcast and root is not None)
        plain = partial(text_only, payload)
        if root is None:
            channel = notice.channel or self.config.default_channel
            self.poster.post(channel, payload, plain, None, f"{item.id}:notice", item)
        else:
            if notice.refresh and item.stage < STAGE_ROOT_DONE:
                decision = root.decision or Decision.default(root.event, root.channel)
                try:
                    self._update_root(root, root.event, decision, item)
                except NotifyError as error:
                    if error.failure != Failure.GONE:
                        raise
                    self._post_root(item, root.channel, root.event, decision, complete=False)
                    root = self.store.root(item.key) or root
                item = self._root_done(item)
            self.poster.post(root.channel, payload, plain, root.ts, f"{item.id}:notice", item)
        self.store.complete(item.id)

    def _root_done(self, item: OutboxItem) -> OutboxItem:
        """Record that the root is done; the item as it now stands. A mark in flight (the
        claim's, or an earlier attempt's) stays on: it covers the post that follows, which
        an earlier attempt may have made (posts_in_pass)."""
        self.store.progress(item.id, STAGE_ROOT_DONE)
        if item.marked or item.in_flight:
            self.store.write([MarkInFlight(item.id)])
        return replace(item, stage=STAGE_ROOT_DONE)

    def _post_root(
        self,
        item: OutboxItem,
        channel: str,
        shown: Event,
        decision: Decision,
        complete: bool = True,
    ) -> None:
        payload = self._alert_payload(shown, decision, item.key)
        posted = self.poster.post(
            channel, payload, partial(render_plain, displayed(shown)), None, f"{item.id}:root", item
        )
        self.store.set_root(item.key, posted.channel, posted.ts, shown, decision)
        if complete:
            root = RootMessage(item.key, posted.channel, posted.ts, shown, decision)
            self.tails.finish(item, root)

    def _update_root(
        self, root: RootMessage, shown: Event, decision: Decision, item: OutboxItem
    ) -> None:
        """Edit the root to show `shown`."""
        payload = self._alert_payload(shown, decision, item.key)
        try:
            self.poster.edit(
                root.channel, root.ts, payload, partial(render_plain, displayed(shown)), item.key
            )
        except NotifyError as error:
            if item.marked and error.failure != Failure.GONE:
                self.store.progress(item.id, item.stage)  # the claim's mark: nothing posted
            raise

    def _alert_payload(self, shown: Event, decision: Decision, key: str) -> dict[str, Any]:
        incident = self.store.incident_for_key(key)
        choices = self.config.incidents.snooze_choices
        return render_alert(displayed(shown), decision, incident, choices)


def _shows_failure_of(state: Event, event: Event) -> bool:
    """Whether the root's state shows `event` as where its resource failed (read from the
    stored state, so a retry after a crash words its reply the same)."""
    part = state.failed_part
    return part is not None and part.subject == event.subject and part.time == event.time
