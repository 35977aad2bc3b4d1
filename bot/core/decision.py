"""Where an event goes, how loud, and whether it opens an incident: routing's answer, kept
with every alert and root message, and the defaults that apply when no rule decides."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.events import Event, Kind, Outcome, Severity


@dataclass(frozen=True)
class Decision:
    channel: str
    severity: Severity
    incident: bool
    mention: str | None = None  # the route's; shown where it belongs (notifiers.render)
    mention_always: bool = False  # on every alert of the route, not only incidents
    rule: int | None = None  # index of the deciding route; None for the defaults

    @staticmethod
    def default(event: Event, channel: str) -> Decision:
        """What an event gets when no route decides: its status says how loud it is."""
        return Decision(channel, default_severity(event), default_incident(event))


def default_severity(event: Event) -> Severity:
    if event.outcome == Outcome.FAILED:
        return Severity.CRITICAL
    if event.outcome == Outcome.DEGRADED:
        return Severity.WARNING
    return Severity.INFO


def default_incident(event: Event) -> bool:
    if event.subject is not None:
        # A failed stage or step is told in its execution's thread; the execution's own
        # failure is what opens the incident.
        return False
    if event.outcome == Outcome.FAILED:
        return True
    return event.outcome == Outcome.DEGRADED and event.kind == Kind.MODEL_MONITOR
