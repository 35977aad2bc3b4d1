"""Acting on incidents: clicks and commands, the scheduled re-notify and snooze ends,
silences. Every change goes through the store's compare-and-set `transition`, which also
queues the thread line and root refresh, so Slack hears of it exactly once."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.config.models import Config
from bot.core.clock import Clock
from bot.core.incident import AUTOMATIC, Action, Incident, Source, State, Transition
from bot.store import IncidentStore, Notice, Silence
from notifiers import wording
from notifiers.render import mention_markup

log = logging.getLogger(__name__)
_MAX_ID = 2**63 - 1  # SQLite's largest integer: a bigger id names no incident


class IncidentService:
    def __init__(self, store: IncidentStore, config: Config, clock: Clock) -> None:
        self.store, self.config, self.clock = store, config, clock

    def act(
        self,
        incident_id: int,
        action: Action,
        user_id: str,
        source: Source,
        *,
        channel_id: str | None = None,
        message_ts: str | None = None,
        snooze: timedelta | None = None,
    ) -> Transition:
        """A person acknowledges, resolves or snoozes. A click must come from the
        incident's own message: a button copied or forged elsewhere changes nothing."""
        incident = self.store.incident(incident_id) if 0 < incident_id <= _MAX_ID else None
        if incident is None:
            return Transition(False, None, wording.no_incident(incident_id))
        if channel_id is not None and not self._belongs(incident, channel_id, message_ts):
            log.warning(
                "refused %s on #%d from another message (%s)", action, incident_id, channel_id
            )
            return Transition(False, incident, wording.not_its_button(incident_id))
        now = self.clock.now()
        until = now + snooze if snooze is not None else None
        text = wording.done_by(action, user_id, until or now, snooze)
        result = self.store.transition(
            incident_id,
            action,
            user_id,
            source,
            now,
            until=until,
            notice=Notice(text=text, refresh=True),
        )
        return _explained(result, action, incident_id)

    def tick(self) -> int:
        """Scheduled work that is due: re-notify, snooze ends, silence ends. How much."""
        now = self.clock.now()
        done = 0
        for incident in self.store.due_incident_work(now):
            done += self._renotify(incident, now).ok
        done += len(self.store.expire_silences(now, _silence_ended))
        return done

    def silence(self, pattern: str, length: timedelta, user_id: str, channel: str) -> Silence:
        now = self.clock.now()

        def announce(silence: Silence) -> Notice:
            text = wording.silence_started(user_id, pattern, length, silence.expires_at)
            return Notice(text=text, channel=channel)

        return self.store.add_silence(pattern, now + length, user_id, channel, now, announce)

    def count_open(self) -> int:
        return len(self.store.unresolved_incidents())

    def _renotify(self, incident: Incident, now: datetime) -> Transition:
        settings = self.config.incidents
        snooze_over = incident.state == State.SNOOZED
        count = incident.renotify_count + 1
        again = now + settings.renotify_after if count < settings.max_renotify else None
        if snooze_over:  # its end is a reminder of its own; the regular ones resume, if any left
            left = incident.renotify_count < settings.max_renotify
            again = now + settings.renotify_after if left else None
        root = self.store.root(incident.key)
        mention = (
            mention_markup(root.decision.mention)
            if root and root.decision and root.decision.mention
            else ""
        )
        text = wording.reminder(incident, mention, snooze_over, count, settings.max_renotify)
        action = Action.UNSNOOZE if snooze_over else Action.RENOTIFY
        return self.store.transition(
            incident.id,
            action,
            AUTOMATIC,
            Source.SCHEDULE,
            now,
            renotify_at=again,
            notice=Notice(text=text, broadcast=True, refresh=snooze_over),
        )

    def _belongs(self, incident: Incident, channel_id: str, message_ts: str | None) -> bool:
        root = self.store.root(incident.key)
        if root is None or root.channel != channel_id:
            return False
        return message_ts == root.ts  # a click without its message is not from it


def _explained(result: Transition, action: Action, incident_id: int) -> Transition:
    """A refused transition, with why in words for the person who tried."""
    if result.ok or result.explanation:
        return result
    if result.incident is None:
        return Transition(False, None, wording.no_incident(incident_id))
    return Transition(False, result.incident, wording.refusal(result.incident, action))


def _silence_ended(silence: Silence) -> Notice:
    return Notice(
        text=wording.silence_ended(silence.pattern, silence.held), channel=silence.channel
    )
