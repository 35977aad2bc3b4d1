"""The Store contract, part three: concurrent writers (RELIABILITY D1, D5, D7). Each race
runs on SQLite and DynamoDB, between two threads sharing one store object and between two
store objects on the same data (two replicas: two connections to the file, two
DynamoDBStores on one table). The outcome must be the one a serial order would give."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from bot.core.incident import Action, Source, State, Transition
from bot.incidents.policy import resolving
from bot.store import IncidentChange, Notice, Store
from notifiers.wording import refusal
from tests.goldens import readable
from tests.unit.store.conftest import QUIET, ROUTED, T0, alarm, event, later
from tests.unit.store.test_contract_incidents import drain, fail, notices

T = TypeVar("T")
SOON = later(3600)
RACERS = 4


def race(*attempts: Callable[[], T]) -> list[T]:
    """Run the attempts at once, each in its own thread; their results, in order."""
    start = threading.Barrier(len(attempts))
    results: list[T | None] = [None] * len(attempts)
    errors: list[BaseException] = []

    def run(index: int, attempt: Callable[[], T]) -> None:
        start.wait()
        try:
            results[index] = attempt()
        except BaseException as error:  # reported in the test's own thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    if errors:
        raise errors[0]
    assert all(result is not None for result in results)
    return [result for result in results if result is not None]


def stores(pair: tuple[Store, Store], count: int = RACERS) -> list[Store]:
    return [pair[i % 2] for i in range(count)]


def test_two_clicks_on_acknowledge_give_one_winner(pair: tuple[Store, Store]) -> None:
    fail(pair[0])
    drain(pair[0])
    said = Notice(text="acknowledged", refresh=True)

    def ack(store: Store, user: str) -> Callable[[], Transition]:
        return lambda: store.transition(1, Action.ACK, user, Source.BUTTON, T0, notice=said)

    results = race(*(ack(s, f"U{i}") for i, s in enumerate(stores(pair))))

    (winner,) = [r for r in results if r.ok]
    assert winner.incident is not None and winner.incident.state == State.ACKNOWLEDGED
    who = winner.incident.actor
    for lost in (r for r in results if not r.ok):
        assert lost.incident == winner.incident
        assert readable(refusal(lost.incident, Action.ACK)) == (
            f"Incident #1 was already acknowledged by <@{who}> at 03:00 UTC."
        )
    assert [a["action"] for a in pair[1].audit(1)] == ["open", "ack"]
    assert notices(pair[1]) == [said]


def test_ack_and_resolve_at_once_end_as_one_serial_order(pair: tuple[Store, Store]) -> None:
    fail(pair[0])
    drain(pair[0])

    acked, resolved = race(
        lambda: pair[0].transition(1, Action.ACK, "U1", Source.BUTTON, T0),
        lambda: pair[1].transition(1, Action.RESOLVE, "U2", Source.BUTTON, T0),
    )

    assert resolved.ok  # resolve is allowed after ack and before it
    audit = [a["action"] for a in pair[0].audit(1)]
    assert audit == (["open", "ack", "resolve"] if acked.ok else ["open", "resolve"])
    assert pair[0].incident(1).state == State.RESOLVED  # type: ignore[union-attr]


def test_a_reminder_found_due_by_every_replica_is_sent_once(pair: tuple[Store, Store]) -> None:
    """Replicas whose clocks differ by a minute find the same reminder due (D7)."""
    fail(pair[0])
    drain(pair[0])
    said = Notice(text="still unacknowledged", broadcast=True)

    def renotify(store: Store, skew: float) -> Callable[[], Transition]:
        now = SOON + timedelta(seconds=skew)
        ahead = now + timedelta(hours=1)
        return lambda: store.transition(
            1, Action.RENOTIFY, "mlpulse", Source.SCHEDULE, now, renotify_at=ahead, notice=said
        )

    results = race(*(renotify(s, 30 * i) for i, s in enumerate(stores(pair))))

    assert sum(r.ok for r in results) == 1
    assert pair[1].incident(1).renotify_count == 1  # type: ignore[union-attr]
    assert notices(pair[0]) == [said]


def test_the_same_events_accepted_by_every_replica_are_queued_once(
    pair: tuple[Store, Store],
) -> None:
    batch = [(event(f"e{i}", name=f"job-{i % 7}", at=later(i)), QUIET) for i in range(30)]

    results = race(*(lambda s=s: s.accept(batch, T0) for s in stores(pair)))

    assert [sum(flags) for flags in zip(*results, strict=True)] == [1] * 30
    assert pair[0].pending_count() == 30
    assert len({item.id for item in drain(pair[1])}) == 30


def test_failures_of_one_series_at_once_open_one_incident(pair: tuple[Store, Store]) -> None:
    def failing(store: Store, minute: int) -> Callable[[], list[bool]]:
        one = alarm(minute=minute)
        change = IncidentChange(open=True, renotify_at=SOON, note=one.name)
        return lambda: store.accept([(one, ROUTED)], T0, [change])

    results = race(*(failing(s, i) for i, s in enumerate(stores(pair))))

    assert all(flags == [True] for flags in results)
    (incident,) = pair[0].unresolved_incidents()
    assert [a["action"] for a in pair[1].audit(incident.id)] == ["open"]


def test_a_recovery_and_an_ack_at_once(pair: tuple[Store, Store]) -> None:
    fail(pair[0])
    drain(pair[0])

    acked, recovered = race(
        lambda: pair[0].transition(1, Action.ACK, "U1", Source.BUTTON, T0).ok,
        lambda: (
            pair[1].accept([(alarm(ok=True, minute=5), QUIET)], later(300), [resolving("")])
            == [True]
        ),
    )

    assert recovered
    assert pair[0].incident(1).state == State.RESOLVED  # type: ignore[union-attr]
    audit = [a["action"] for a in pair[1].audit(1)]
    assert audit == (["open", "ack", "auto_resolve"] if acked else ["open", "auto_resolve"])
    assert len(notices(pair[0])) == 1


def test_a_silence_ends_once_whoever_notices(pair: tuple[Store, Store]) -> None:
    made = [pair[0].add_silence(f"job-{i}-*", later(60), "UA", "C1", T0) for i in range(3)]
    drain(pair[0])

    def said(silence: object) -> Notice:
        return Notice(text=f"ended {silence}", channel="C1")

    results = race(*(lambda s=s: s.expire_silences(later(60), said) for s in stores(pair)))

    assert sorted(s.id for ended in results for s in ended) == [s.id for s in made]
    assert len(notices(pair[1])) == 3


def test_a_root_shows_the_newest_state_whatever_the_order(pair: tuple[Store, Store]) -> None:
    key = event().key
    pair[0].set_root(key, "#c", "1.0", event(status="InProgress"))
    states = [event(f"s{i}", status="InProgress", at=later(i)) for i in range(1, 5)]
    states.append(event("final", status="Completed", at=later(4)))

    moved = race(
        *(
            lambda s=s, e=e: s.advance_state(key, e)
            for s, e in zip(stores(pair, 5), states, strict=True)
        )
    )

    assert moved[-1] is True
    assert pair[1].root(key).event == states[-1]  # type: ignore[union-attr]


def test_replicas_opening_a_digest_at_once_share_it(pair: tuple[Store, Store]) -> None:
    opened = race(*(lambda s=s: s.open_digest("#bursts", T0, 900, 200) for s in stores(pair)))

    assert len({digest.id for digest in opened}) == 1
