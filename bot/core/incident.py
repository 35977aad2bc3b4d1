"""The incident lifecycle as data: states, actions, which action is allowed from which
state, and where it leads. Pure: the store applies it under compare-and-set."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

AUTOMATIC = "mlpulse"  # the actor of transitions nobody clicked: open, auto-resolve, reminders
FAILED_AGAIN = "failed_again"  # the audit's word for a repeat failure joining an incident


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
    since: datetime | None = None  # when the first failure it stands for happened
    failures: int = 1  # failing runs of its series it stands for, the first one included
    last_failure_at: datetime | None = None  # the latest of them, once there is a repeat

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
    and an OK sent before the ALARM that opened it is no recovery, nor a run that succeeded
    before another run's failure."""
    if incident.state not in UNRESOLVED:
        return False
    latest = incident.last_failure_at or incident.since
    return latest is None or event_time >= latest


@dataclass(frozen=True)
class Repeat:
    """What a repeat failure did to an unresolved incident: the incident after it, and
    whether it was a reminder."""

    incident: Incident
    reminder: bool


def failed_again(
    incident: Incident, when: datetime, renotify_at: datetime | None, most: int
) -> Repeat:
    """Another run of the incident's series failed at `when` (another execution of the
    pipeline, the state machine; a part of the run that opened it is not another run).

    While nobody has acknowledged or snoozed the incident, a repeat failure is a reminder
    at once, and counts as one of the `most` it may have: the series failing again is more
    urgent news than the clock running out, and the cap keeps a pipeline failing every five
    minutes from paging a team a hundred times. The next scheduled reminder then comes
    `renotify_at` (none once the cap is reached). Acknowledged or snoozed, it is counted and
    told in the thread, quietly: someone is on it, or asked for quiet.
    """
    reminder = incident.state == State.OPEN and incident.renotify_count < most
    count = incident.renotify_count + (1 if reminder else 0)
    next_at = incident.next_renotify_at
    if reminder:
        next_at = renotify_at if count < most else None
    known = [t for t in (incident.since, incident.last_failure_at) if t is not None]
    updated = replace(
        incident,
        failures=incident.failures + 1,
        since=min([*known, when]),  # a run told late may have failed first
        last_failure_at=max([*known, when]),
        renotify_count=count,
        next_renotify_at=next_at,
    )
    return Repeat(updated, reminder)
