"""The incident lifecycle as data: states, actions, which action is allowed from which
state, and where it leads. Pure: the store applies it under compare-and-set."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

AUTOMATIC = "mlpulse"  # the actor of transitions nobody clicked: open, auto-resolve, reminders


class State(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    SNOOZED = "snoozed"
    RESOLVED = "resolved"


class Action(StrEnum):
    ACK = "ack"
    RESOLVE = "resolve"
    SNOOZE = "snooze"
    UNSNOOZE = "unsnooze"  # a snooze ran out
    RENOTIFY = "renotify"  # nobody acknowledged in time
    AUTO_RESOLVE = "auto_resolve"  # the resource recovered


class Source(StrEnum):
    BUTTON = "button"
    COMMAND = "command"
    AUTO = "auto"
    SCHEDULE = "schedule"


UNRESOLVED = frozenset({State.OPEN, State.ACKNOWLEDGED, State.SNOOZED})
ALLOWED: dict[Action, frozenset[State]] = {
    Action.ACK: frozenset({State.OPEN, State.SNOOZED}),
    Action.RESOLVE: UNRESOLVED,
    Action.SNOOZE: UNRESOLVED,
    Action.UNSNOOZE: frozenset({State.SNOOZED}),
    Action.RENOTIFY: frozenset({State.OPEN}),
    Action.AUTO_RESOLVE: UNRESOLVED,
}
TARGET: dict[Action, State] = {
    Action.ACK: State.ACKNOWLEDGED,
    Action.RESOLVE: State.RESOLVED,
    Action.SNOOZE: State.SNOOZED,
    Action.UNSNOOZE: State.OPEN,
    Action.RENOTIFY: State.OPEN,
    Action.AUTO_RESOLVE: State.RESOLVED,
}
PAST_TENSE = {
    Action.ACK: "acknowledged",
    Action.RESOLVE: "resolved",
    Action.SNOOZE: "snoozed",
    Action.UNSNOOZE: "reopened",
    Action.RENOTIFY: "re-notified",
    Action.AUTO_RESOLVE: "resolved",
}


@dataclass(frozen=True)
class Incident:
    id: int
    series: str  # what recovers it: the pipeline, alarm or endpoint, not one run of it
    key: str  # the resource whose root message carries it
    title: str
    state: State
    opened_at: datetime
    updated_at: datetime
    actor: str | None = None  # who made the last transition (a Slack user id, or mlpulse)
    last_action: Action | None = None
    snoozed_until: datetime | None = None
    renotify_count: int = 0
    next_renotify_at: datetime | None = None
    note: str | None = None
    since: datetime | None = None  # when the failure that opened it happened

    @property
    def automatic(self) -> bool:
        """Whether mlpulse itself made the last transition."""
        return self.actor in (None, AUTOMATIC)


@dataclass(frozen=True)
class Transition:
    """The answer to an attempted action: whether it happened, and the incident as it now is."""

    ok: bool
    incident: Incident | None
    explanation: str = ""


def due(incident: Incident, action: Action, now: datetime) -> bool:
    """Whether a scheduled action is still due: replicas that found the same work at the
    same moment must not both do it (the first one's re-notify moves the next one on)."""
    if action == Action.RENOTIFY:
        return incident.next_renotify_at is not None and incident.next_renotify_at <= now
    if action == Action.UNSNOOZE:
        return incident.snoozed_until is not None and incident.snoozed_until <= now
    return True


def recovered_by(incident: Incident, event_time: datetime) -> bool:
    """Whether a recovery at `event_time` resolves `incident`: events arrive out of order,
    and an OK sent before the ALARM that opened it is no recovery."""
    if incident.state not in UNRESOLVED:
        return False
    return incident.since is None or event_time >= incident.since
