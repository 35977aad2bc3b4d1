"""The Store contract, part four: repeat failures. Another run of a series failing while
its incident is unresolved joins it: counted once per run, its first and last failure
times kept, its root able to find the incident, a reminder at once while nobody holds the
incident (bot.core.incident.failed_again), a quiet thread line otherwise. Every test runs
against SQLite and DynamoDB (conftest.py); a race between replicas is in part three's
style at the end."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.core.events import Event, Kind
from bot.core.incident import Action, Repeat, Source, State
from bot.incidents.policy import recovery_note, resolving
from bot.store import IncidentChange, Notice, Store
from tests.unit.store.conftest import QUIET, ROUTED, T0, event, later
from tests.unit.store.test_contract_incidents import drain, notices
from tests.unit.store.test_contract_races import race, stores

SERIES = "stepfunctions:123456789012:eu-west-1:etl"


def run(number: int, minute: float = 0, status: str = "TIMED_OUT", part: str = "") -> Event:
    """An event of execution `number` of the state machine `etl`, at minute `minute`."""
    return event(
        f"run-{number}-{status}-{minute}-{part}",
        name=f"etl/run-{number}",
        status=status,
        at=later(60 * minute),
        kind=Kind.STEPFUNCTIONS,
        series=SERIES,
        subject=part or None,
    )


def told(repeat: Repeat) -> Notice:
    """The thread line of a repeat failure, as the policy's would be: it names its count."""
    incident = repeat.incident
    text = f"#{incident.id} failed {incident.failures}x, reminder {incident.renotify_count}"
    return Notice(text=text, broadcast=repeat.reminder, refresh=True)


def failure(minute: float, most: int = 3) -> IncidentChange:
    return IncidentChange(
        open=True,
        renotify_at=later(60 * minute + 1800),
        note="etl",
        max_renotify=most,
        repeated=told,
    )


def fail(store: Store, one: Event, most: int = 3) -> list[bool]:
    minute = (one.time - T0).total_seconds() / 60
    return store.accept([(one, ROUTED)], one.time, [failure(minute, most)])


def at(minute: float) -> datetime:
    return later(60 * minute)


def test_another_run_failing_joins_the_incident_and_reminds_at_once(store: Store) -> None:
    first, second = run(1), run(2, minute=40)
    fail(store, first)
    drain(store)

    assert fail(store, second) == [True]

    (incident,) = store.unresolved_incidents()
    assert (incident.id, incident.key, incident.series) == (1, first.key, SERIES)
    assert (incident.failures, incident.since, incident.last_failure_at) == (2, T0, at(40))
    assert (incident.renotify_count, incident.next_renotify_at) == (1, at(70))
    assert (incident.state, incident.actor, incident.updated_at) == (State.OPEN, "mlpulse", T0)
    queued = drain(store)
    assert [(item.key, item.notice) for item in queued if item.notice] == [
        (first.key, Notice(text="#1 failed 2x, reminder 1", broadcast=True, refresh=True))
    ]
    assert [item.key for item in queued if item.event] == [second.key]
    assert store.incident_for_key(second.key) == incident  # its root finds the incident
    assert store.incident_for_key(first.key) == incident
    assert [(a["action"], a["source"], a["from_state"], a["to_state"], a["note"]) for a in
            store.audit(1)] == [
        ("open", "auto", None, "open", "etl"),
        ("failed_again", "auto", "open", "open", second.key),
    ]  # fmt: skip


def test_incidents_for_keys_reads_each_key_as_incident_for_key(store: Store) -> None:
    first, second, third = run(1), run(2, minute=40), run(3)
    fail(store, first)
    fail(store, second)  # joins the incident first opened
    keys = [first.key, second.key, third.key, "training_job:1:eu-west-1:never-seen"]

    found = store.incidents_for_keys([*keys, first.key])

    assert set(found) == {first.key, second.key}
    assert all(found[key] == store.incident_for_key(key) for key in found)
    assert found[second.key].id == found[first.key].id == 1
    assert store.incidents_for_keys([]) == {}


def test_a_run_is_counted_once_whatever_its_events(store: Store) -> None:
    fail(store, run(1, part="Step Load"))
    fail(store, run(1, minute=1))  # the run that opened it, at another level
    fail(store, run(2, minute=30, part="Step Load"))
    fail(store, run(2, minute=31))  # the run already counted
    fail(store, run(2, minute=32, status="FAILED"))

    (incident,) = store.unresolved_incidents()
    assert (incident.failures, incident.last_failure_at) == (2, at(30))
    assert len(notices(store)) == 1
    assert [a["action"] for a in store.audit(1)] == ["open", "failed_again"]


def test_repeat_reminders_count_toward_the_most_an_incident_may_have(store: Store) -> None:
    fail(store, run(1), most=2)
    for number in (2, 3, 4):
        fail(store, run(number, minute=10 * number), most=2)

    incident = store.incident(1)
    assert incident is not None
    assert (incident.failures, incident.renotify_count, incident.next_renotify_at) == (4, 2, None)
    assert incident.last_failure_at == at(40)
    assert [(n.text, n.broadcast) for n in notices(store)] == [
        ("#1 failed 2x, reminder 1", True),
        ("#1 failed 3x, reminder 2", True),  # the last reminder there may be
        ("#1 failed 4x, reminder 2", False),  # counted and told, quietly
    ]
    assert store.due_incident_work(later(10**6)) == []


def test_a_repeat_moves_the_next_scheduled_reminder(store: Store) -> None:
    fail(store, run(1))
    fail(store, run(2, minute=20))

    assert store.due_incident_work(at(30)) == []  # the first reminder's time has passed
    (due,) = store.due_incident_work(at(50))
    assert (due.id, due.next_renotify_at, due.failures) == (1, at(50), 2)


@pytest.mark.parametrize("action", [Action.ACK, Action.SNOOZE])
def test_held_incidents_count_repeats_quietly(store: Store, action: Action) -> None:
    fail(store, run(1))
    held = store.transition(1, action, "U1", Source.BUTTON, at(5), until=at(65))
    drain(store)
    assert held.ok and held.incident is not None

    fail(store, run(2, minute=20))

    incident = store.incident(1)
    assert incident is not None
    assert (incident.failures, incident.last_failure_at) == (2, at(20))
    unchanged = ("state", "actor", "updated_at", "last_action", "renotify_count", "snoozed_until")
    for name in unchanged:
        assert getattr(incident, name) == getattr(held.incident, name), name
    (notice,) = notices(store)
    assert (notice.text, notice.broadcast, notice.refresh) == (
        "#1 failed 2x, reminder 0",
        False,
        True,
    )
    # A snooze still ends when it was set to, with its reminder; an ack has none.
    expected = [1] if action == Action.SNOOZE else []
    assert [i.id for i in store.due_incident_work(at(65))] == expected


def test_a_silenced_repeat_joins_nothing(store: Store) -> None:
    fail(store, run(1))
    silence = store.add_silence("etl/*", at(60), "U1", "C1", T0)
    drain(store)

    second = run(2, minute=10)
    held = store.accept([(second, ROUTED)], second.time, [failure(10)], [silence.id])

    assert held == [True]
    assert store.incident(1).failures == 1  # type: ignore[union-attr]
    assert store.incident_for_key(second.key) is None
    assert notices(store) == []


def test_after_a_recovery_the_next_failure_opens_a_new_incident(store: Store) -> None:
    first, second = run(1), run(2, minute=10)
    fail(store, first)
    fail(store, second)
    recovered = run(3, minute=20, status="SUCCEEDED")
    store.accept([(recovered, QUIET)], recovered.time, [resolving(recovery_note(recovered))])

    fail(store, run(2, minute=30, status="FAILED"))  # the joined run, failing again later

    (incident,) = store.unresolved_incidents()
    assert (incident.id, incident.key, incident.failures) == (2, second.key, 1)
    assert store.incident_for_key(second.key) == incident
    assert store.incident_for_key(first.key).state == State.RESOLVED  # type: ignore[union-attr]


def test_one_runs_failure_accepted_by_every_replica_at_once_counts_once(
    pair: tuple[Store, Store],
) -> None:
    fail(pair[0], run(1))
    drain(pair[0])
    levels = ["Step Load", "Step Transform", "", "Step Extract"]
    events = [run(2, minute=20, part=level) for level in levels]

    results = race(
        *(lambda s=s, e=e: fail(s, e) for s, e in zip(stores(pair), events, strict=True))
    )

    assert all(flags == [True] for flags in results)
    incident = pair[1].incident(1)
    assert incident is not None and (incident.failures, incident.renotify_count) == (2, 1)
    assert len(notices(pair[0])) == 1
    assert [a["action"] for a in pair[1].audit(1)] == ["open", "failed_again"]
