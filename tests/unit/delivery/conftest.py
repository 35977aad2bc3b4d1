"""Events and outbox items for the delivery unit tests, built by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.decision import Decision
from bot.core.events import Event, Kind, Outcome, Severity
from bot.store import Notice, OutboxItem

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def event(
    status: str = "Failed",
    outcome: Outcome = Outcome.FAILED,
    subject: str | None = None,
    reason: str | None = None,
    second: int = 0,
) -> Event:
    return Event(
        id=f"e-{status}-{subject}-{second}",
        kind=Kind.CODEPIPELINE,
        key="codepipeline:123456789012:us-east-1:deploy",
        name="deploy",
        title="Pipeline execution",
        status=status,
        outcome=outcome,
        time=T0 + timedelta(seconds=second),
        subject=subject,
        reason=reason,
    )


def item(
    channel: str | None = "#ml-alerts",
    stage: int = 0,
    attempts: int = 0,
    notice: Notice | None = None,
) -> OutboxItem:
    """An alert routed to `channel`, or (channel None) a notice."""
    decision = Decision(channel, Severity.CRITICAL, incident=True) if channel is not None else None
    return OutboxItem(
        id=7,
        key="codepipeline:123456789012:us-east-1:deploy",
        event=event() if decision is not None else None,
        decision=decision,
        attempts=attempts,
        stage=stage,
        created=T0,
        next_attempt=T0,
        notice=notice,
    )
