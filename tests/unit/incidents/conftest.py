"""A store with one incident in it, on the fake clock, for the incident unit tests."""

from __future__ import annotations

from datetime import timedelta

from bot.config.models import Config
from bot.core.clock import FakeClock
from bot.core.events import Event, Kind, Outcome
from bot.incidents.policy import incident_change
from bot.intake.routing import route
from bot.store.sqlite.store import SqliteStore


def event(
    name: str = "churn-xgb-1",
    status: str = "Failed",
    outcome: Outcome = Outcome.FAILED,
    kind: Kind = Kind.TRAINING_JOB,
    minute: int = 0,
    series: str | None = None,
    subject: str | None = None,
    event_id: str | None = None,
    clock: FakeClock | None = None,
) -> Event:
    when = (clock.now() if clock else FakeClock().now()) + timedelta(minutes=minute)
    return Event(
        id=event_id or f"{name}-{status}-{minute}-{subject}",
        kind=kind,
        key=f"{kind.value}:123456789012:us-east-1:{name}",
        name=name,
        series=series,
        title="Training job",
        status=status,
        outcome=outcome,
        time=when,
        subject=subject,
    )


def accept(store: SqliteStore, config: Config, clock: FakeClock, *events: Event) -> list[bool]:
    routed = [(e, route(e, config)) for e in events]
    changes = [incident_change(e, d, config, clock.now()) for e, d in routed]
    return store.accept(routed, clock.now(), changes)
