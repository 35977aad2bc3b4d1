"""The SQLite store's incidents, audit and silences, as `accept` and the service use them."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from bot.config.models import Config
from bot.core.clock import FakeClock
from bot.core.events import Event, Kind, Outcome
from bot.core.incident import Action, Source, State
from bot.intake.routing import route
from bot.store.records import IncidentChange
from bot.store.sqlite.store import SqliteStore
from tests.unit.incidents.conftest import accept, event

CONFIG = Config()


def failed(clock: FakeClock, minute: int = 0, name: str = "ServerCpuTooHigh") -> Event:
    return event(name=name, kind=Kind.ALARM, status="ALARM", minute=minute, clock=clock)


def recovered(clock: FakeClock, minute: int, name: str = "ServerCpuTooHigh") -> Event:
    return event(
        name=name,
        kind=Kind.ALARM,
        status="OK",
        outcome=Outcome.SUCCEEDED,
        minute=minute,
        clock=clock,
    )


def outbox_notices(store: SqliteStore) -> list[str]:
    rows = store._db.execute("SELECT notice FROM outbox WHERE notice IS NOT NULL ORDER BY id")
    return [str(row[0]) for row in rows.fetchall()]


def test_one_unresolved_incident_per_series(store: SqliteStore, clock: FakeClock) -> None:
    accept(store, CONFIG, clock, failed(clock, 0), failed(clock, 5), failed(clock, 9))
    (incident,) = store.unresolved_incidents()
    assert (incident.id, incident.state, incident.title) == (1, State.OPEN, "ServerCpuTooHigh")
    assert [a["action"] for a in store.audit(1)] == ["open"]
    with pytest.raises(sqlite3.IntegrityError):  # the schema holds it too
        store._db.execute(
            "INSERT INTO incidents (series, key, title, state, opened_at, updated_at)"
            " VALUES (?, 'k', 't', 'open', 0, 0)",
            (incident.series,),
        )


def test_a_recovery_resolves_and_queues_the_notice_in_one_go(
    store: SqliteStore, clock: FakeClock
) -> None:
    accept(store, CONFIG, clock, failed(clock, 0))
    clock.advance(60)
    accept(store, CONFIG, clock, recovered(clock, 10))
    incident = store.incident(1)
    assert incident is not None
    assert (incident.state, incident.actor, incident.last_action) == (
        State.RESOLVED,
        "mlpulse",
        Action.AUTO_RESOLVE,
    )
    assert (incident.next_renotify_at, incident.snoozed_until) == (None, None)
    assert incident.note == "recovered: ServerCpuTooHigh is OK"
    (notice,) = outbox_notices(store)
    assert "Resolved automatically: recovered: ServerCpuTooHigh is OK." in notice
    audit = store.audit(1)
    assert [(a["action"], a["source"], a["from_state"], a["to_state"]) for a in audit] == [
        ("open", "auto", None, "open"),
        ("auto_resolve", "auto", "open", "resolved"),
    ]

    # Recovered twice is resolved once; failing again opens a new one.
    accept(store, CONFIG, clock, recovered(clock, 12))
    assert len(outbox_notices(store)) == 1
    accept(store, CONFIG, clock, failed(clock, 20))
    assert [i.id for i in store.unresolved_incidents()] == [2]
    assert store.incident_for_key(incident.key).id == 2  # type: ignore[union-attr]


@pytest.mark.parametrize("state", [State.ACKNOWLEDGED, State.SNOOZED])
def test_a_recovery_resolves_whoever_holds_it(
    store: SqliteStore, clock: FakeClock, state: State
) -> None:
    accept(store, CONFIG, clock, failed(clock, 0))
    action = Action.ACK if state == State.ACKNOWLEDGED else Action.SNOOZE
    until = clock.now() + timedelta(hours=1)
    assert store.transition(1, action, "U1", Source.BUTTON, clock.now(), until=until).ok
    accept(store, CONFIG, clock, recovered(clock, 10))
    assert store.incident(1).state == State.RESOLVED  # type: ignore[union-attr]
    assert store.due_incident_work(clock.now() + timedelta(days=1)) == []


def test_a_recovery_older_than_the_failure_resolves_nothing(
    store: SqliteStore, clock: FakeClock
) -> None:
    accept(store, CONFIG, clock, failed(clock, 10))
    accept(store, CONFIG, clock, recovered(clock, 5))
    assert store.incident(1).state == State.OPEN  # type: ignore[union-attr]
    assert outbox_notices(store) == []
    accept(store, CONFIG, clock, recovered(clock, 10))  # the same instant counts
    assert store.incident(1).state == State.RESOLVED  # type: ignore[union-attr]


def test_the_series_recovers_not_the_key(store: SqliteStore, clock: FakeClock) -> None:
    """A later run (another key) of the same pipeline (series) resolves the failed run."""
    run_1 = event(name="run-1", series="pipeline:p", minute=0, clock=clock)
    run_2 = event(
        name="run-2",
        series="pipeline:p",
        status="Succeeded",
        outcome=Outcome.SUCCEEDED,
        minute=5,
        clock=clock,
    )
    other = event(
        name="other",
        series="pipeline:q",
        status="Succeeded",
        outcome=Outcome.SUCCEEDED,
        minute=6,
        clock=clock,
    )
    accept(store, CONFIG, clock, run_1, other)
    assert store.incident(1).state == State.OPEN  # type: ignore[union-attr]
    accept(store, CONFIG, clock, run_2)
    incident = store.incident(1)
    assert incident is not None and incident.state == State.RESOLVED
    assert incident.key == run_1.key and incident.series == "pipeline:p"
    assert store.incident_for_key(run_2.key) is None


def test_a_silenced_failure_opens_nothing_and_is_counted(
    store: SqliteStore, clock: FakeClock
) -> None:
    silence = store.add_silence(
        "Server*", clock.now() + timedelta(hours=1), "UA", "C1", clock.now()
    )
    one = failed(clock, 0)
    change = IncidentChange(open=True, note=one.name)
    assert store.accept([(one, route(one, CONFIG))], clock.now(), [change], [silence.id]) == [True]
    assert store.unresolved_incidents() == []
    (active,) = store.active_silences(clock.now())
    assert active.held == 1
    assert store.due(clock.now(), 10) == []  # held: stored, not queued
    assert store.pending_count() == 0


def test_a_silenced_recovery_still_resolves(store: SqliteStore, clock: FakeClock) -> None:
    accept(store, CONFIG, clock, failed(clock, 0))
    silence = store.add_silence(
        "Server*", clock.now() + timedelta(hours=1), "UA", "C1", clock.now()
    )
    ok = recovered(clock, 10)
    change = IncidentChange(resolve=True)
    assert store.accept([(ok, route(ok, CONFIG))], clock.now(), [change], [silence.id]) == [True]
    assert store.incident(1).state == State.RESOLVED  # type: ignore[union-attr]
    assert store.active_silences(clock.now())[0].held == 1


def test_due_incident_work(store: SqliteStore, clock: FakeClock) -> None:
    accept(store, CONFIG, clock, failed(clock, name="a"), failed(clock, name="b"))
    accept(store, CONFIG, clock, failed(clock, name="c"))
    until = clock.now() + timedelta(minutes=10)
    assert store.transition(2, Action.SNOOZE, "U1", Source.BUTTON, clock.now(), until=until).ok
    assert store.transition(3, Action.ACK, "U1", Source.BUTTON, clock.now()).ok
    assert store.due_incident_work(clock.now() + timedelta(minutes=9)) == []
    assert [i.id for i in store.due_incident_work(clock.now() + timedelta(minutes=10))] == [2]
    assert [i.id for i in store.due_incident_work(clock.now() + timedelta(minutes=30))] == [1, 2]


def test_silences_expire_once(store: SqliteStore, clock: FakeClock) -> None:
    start = clock.now()
    short = store.add_silence("a-*", start + timedelta(minutes=5), "UA", "C1", start)
    long = store.add_silence("b-*", start + timedelta(hours=1), "UA", "C1", start)
    assert [s.id for s in store.active_silences(start)] == [short.id, long.id]
    at_end = start + timedelta(minutes=5)
    assert [s.id for s in store.active_silences(at_end)] == [long.id]  # over at its end
    assert [s.id for s in store.expire_silences(at_end)] == [short.id]
    assert store.expire_silences(at_end) == []
    assert [s.id for s in store.expire_silences(start + timedelta(days=1))] == [long.id]


def test_refusals_are_audited(store: SqliteStore, clock: FakeClock) -> None:
    store.record_refusal("U2", "/mlpulse silence", clock.now())
    rows = store._db.execute(
        "SELECT incident_id, at, actor, source, action, note FROM audit"
    ).fetchall()
    assert rows == [(None, clock.now().timestamp(), "U2", "command", "refused", "/mlpulse silence")]


def test_incident_for_key_is_the_latest_resolved_or_not(
    store: SqliteStore, clock: FakeClock
) -> None:
    one = failed(clock, 0)
    assert store.incident_for_key(one.key) is None
    accept(store, CONFIG, clock, one)
    assert store.transition(1, Action.RESOLVE, "U1", Source.BUTTON, clock.now()).ok
    assert store.incident_for_key(one.key).state == State.RESOLVED  # type: ignore[union-attr]
    assert store.unresolved_incidents() == []
