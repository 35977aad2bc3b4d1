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
    account_alias: str | None = None  # the event's account as the config names it (`prod`)

    @staticmethod
    def default(event: Event, channel: str, account_alias: str | None = None) -> Decision:
        """What an event gets when no route decides: its status says how loud it is."""
        return Decision(
            channel,
            default_severity(event),
            default_incident(event),
            account_alias=account_alias,
        )


def default_severity(event: Event) -> Severity:
    if event.outcome == Outcome.FAILED:
        return Severity.CRITICAL
    if event.outcome == Outcome.DEGRADED:
        return Severity.WARNING
    return Severity.INFO


def default_incident(event: Event) -> bool:
    """A failure at any level opens (or joins) its series' incident: a failed stage, action
    or step as much as the execution's own FAILED, which may never come (a notification rule
    that sends only action failures). They share the execution's root, and the store keeps
    one incident per series, so the levels of one failure make one incident.

    A failed trial of a tuning job is the exception: trials failing on some hyperparameters
    is the search at work, shown in the tuning job's thread; the tuning job's own failure
    is what opens the incident."""
    if event.outcome == Outcome.FAILED:
        return not event.is_trial
    return event.outcome == Outcome.DEGRADED and event.kind == Kind.MODEL_MONITOR
