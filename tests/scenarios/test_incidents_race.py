"""Two people press Acknowledge at the same moment: on one replica (threads), through the
HTTP front door, and on two replicas sharing one SQLite file (processes). Exactly one
transition, the other told who won (RELIABILITY D1). Re-notify state and replicas ticking
at once (D7), and a restart that must still find the due work."""

from __future__ import annotations

import multiprocessing
import threading
from datetime import timedelta
from pathlib import Path

import pytest

from bot.config.models import Config
from bot.core.clock import FakeClock
from bot.core.incident import Action, Source, State, Transition
from bot.incidents.service import IncidentService
from bot.store.sqlite.store import SqliteStore
from tests.goldens import readable
from tests.scenarios.test_incidents_support import (
    ACK,
    RESOLVE,
    Harness,
    failed_training_job,
)
from tests.scenarios.test_incidents_worker import act_at_once


def acknowledgements(h: Harness) -> list[str]:
    return [str(a["actor"]) for a in h.store.audit(1) if a["action"] == "ack"]


@pytest.mark.parametrize("action", [Action.ACK, Action.RESOLVE])
def test_threads_clicking_at_once_give_one_winner(h: Harness, action: Action) -> None:
    users = [f"U{n}" for n in range(8)]
    barrier = threading.Barrier(len(users))
    results: dict[str, Transition] = {}
    root = h.root(h.incident(1).key)

    def click(user: str) -> None:
        barrier.wait(timeout=10)
        results[user] = h.app.incidents.act(
            1, action, user, Source.BUTTON, channel_id=root.channel, message_ts=root.ts
        )

    threads = [threading.Thread(target=click, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    winners = [user for user, result in results.items() if result.ok]
    assert len(results) == len(users) and len(winners) == 1
    (winner,) = winners
    past = "acknowledged" if action == Action.ACK else "resolved"
    for user, result in results.items():
        if user != winner:
            assert f"already {past} by <@{winner}> at 03:00 UTC" in readable(result.explanation)
            assert result.incident is not None and result.incident.actor == winner
    assert [a["actor"] for a in h.store.audit(1) if a["action"] == action.value] == [winner]
    assert h.deliver() == 1  # one thread line, one root update
    assert len(h.thread(h.incident(1).key)) == 1
    assert len(h.fake.calls("chat.update")) == 1


def test_two_clicks_over_http_at_once_give_one_winner_and_tell_the_other(h: Harness) -> None:
    key = h.incident(1).key
    ts = h.root(key).ts
    bodies = {
        user: h.click_body(ACK, "1", user=user, message_ts=ts, token=f"race-{user}")
        for user in ("U1", "U2")
    }
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def press(user: str) -> None:
        barrier.wait(timeout=10)
        statuses.append(h.post(bodies[user]).status)

    threads = [threading.Thread(target=press, args=(user,)) for user in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert statuses == [200, 200]

    h.wait_for(lambda: h.fake.responses(), "the loser's answer")
    (winner,) = acknowledgements(h)
    loser = "U2" if winner == "U1" else "U1"
    assert h.answer_to(f"race-{loser}")["text"] == (
        f"Incident #1 was already acknowledged by <@{winner}> at 03:00 UTC."
    )
    assert h.fake.responses(f"race-{winner}") == []
    assert h.incident(1).actor == winner


def test_two_processes_sharing_the_store_give_one_winner(h: Harness) -> None:
    """Two replicas: each its own process and its own SQLite connection to the one file."""
    users = ("U1", "U2", "U3")
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(len(users))
    results = context.Queue()
    at = h.clock.now().timestamp()
    processes = [
        context.Process(
            target=act_at_once,
            args=(h.app.store.path, 1, Action.ACK.value, user, at, barrier, results),
        )
        for user in users
    ]
    for process in processes:
        process.start()
    answers = [results.get(timeout=60) for _ in processes]
    for process in processes:
        process.join(timeout=30)
        assert process.exitcode == 0

    assert all(ok is not None for _, ok, _ in answers), answers
    winners = [user for user, ok, _ in answers if ok]
    assert len(winners) == 1, answers
    (winner,) = winners
    for _, ok, explanation in answers:
        if not ok:
            assert (
                explanation == f"Incident #1 was already acknowledged by <@{winner}> at 03:00 UTC."
            )
    assert acknowledgements(h) == [winner]
    assert h.incident(1).state == State.ACKNOWLEDGED
    # The winner's transition queued no notice (the worker passed none); the store is whole.
    assert h.store._db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_a_click_and_the_scheduler_at_once(h: Harness) -> None:
    """A reminder falls due just as someone acknowledges: either order is truthful, and a
    reminder is never sent for an incident already acknowledged."""
    h.clock.advance(1800)
    barrier = threading.Barrier(2)
    done: dict[str, object] = {}

    def tick() -> None:
        barrier.wait(timeout=10)
        done["tick"] = h.app.incidents.tick()

    def ack() -> None:
        barrier.wait(timeout=10)
        done["ack"] = h.app.incidents.act(1, Action.ACK, "U1", Source.COMMAND)

    threads = [threading.Thread(target=tick), threading.Thread(target=ack)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    ack_result = done["ack"]
    assert isinstance(ack_result, Transition) and ack_result.ok  # ACK is allowed either way
    actions = [a["action"] for a in h.store.audit(1)]
    assert actions in (["open", "ack"], ["open", "renotify", "ack"])
    assert done["tick"] == (1 if "renotify" in actions else 0)
    h.clock.advance(3600)
    assert h.app.incidents.tick() == 0


def test_a_click_from_another_channel_in_a_race_changes_nothing(h: Harness) -> None:
    h.fake.add_channel("C0OTHER", "other")
    token = h.click(RESOLVE, "1", channel="C0OTHER", message_ts=h.root(h.incident(1).key).ts)
    assert "does not belong" in h.answer_to(token)["text"]
    assert h.incident(1).state == State.OPEN


# --- replicas and restarts, on the store directly


def _service(path: str, clock: FakeClock, **incidents: object) -> IncidentService:
    config = Config.model_validate({"incidents": incidents})
    return IncidentService(SqliteStore(path), config, clock)


def _open_incident(service: IncidentService, clock: FakeClock) -> int:
    from bot.ingress.ingest import events_from
    from bot.intake.accept import Pipeline
    from bot.ops.telemetry import Metrics

    pipeline = Pipeline(service.config, service.store, clock, Metrics())
    pipeline.submit(events_from(failed_training_job(), clock.now()))
    (incident,) = service.store.unresolved_incidents()
    return incident.id


def _notices(store: SqliteStore) -> list[str]:
    rows = store._db.execute("SELECT notice FROM outbox WHERE notice IS NOT NULL ORDER BY id")
    return [str(row[0]) for row in rows.fetchall()]


def test_re_notify_state_survives_a_restart(tmp_path: Path, clock: FakeClock) -> None:
    path = str(tmp_path / "restart.db")
    first = _service(path, clock, renotify_after="10m", max_renotify=2)
    number = _open_incident(first, clock)
    clock.advance(600)
    assert first.tick() == 1
    first.store.close()  # the process dies; the schedule lives in the store

    clock.advance(600)
    second = _service(path, clock, renotify_after="10m", max_renotify=2)
    (due,) = second.store.due_incident_work(clock.now())
    assert (due.id, due.renotify_count) == (number, 1)
    assert second.tick() == 1
    assert second.store.incident(number).renotify_count == 2  # type: ignore[union-attr]
    clock.advance(3600)
    assert second.tick() == 0
    assert sum("Still unacknowledged" in notice for notice in _notices(second.store)) == 2
    second.store.close()


def test_a_snooze_and_a_silence_survive_a_restart(tmp_path: Path, clock: FakeClock) -> None:
    path = str(tmp_path / "restart.db")
    first = _service(path, clock, max_renotify=0)
    number = _open_incident(first, clock)
    assert first.act(number, Action.SNOOZE, "U1", Source.COMMAND, snooze=timedelta(hours=1)).ok
    first.silence("churn-*", timedelta(minutes=30), "UADMIN", "C0MLPULSE")
    first.store.close()

    clock.advance(3600)
    second = _service(path, clock, max_renotify=0)
    assert second.tick() == 2  # the snooze ends, the silence ends
    assert second.store.incident(number).state == State.OPEN  # type: ignore[union-attr]
    notices = _notices(second.store)
    assert any("Snooze ended" in n for n in notices)
    assert any("Silence on `churn-*` ended" in n for n in notices)
    assert second.tick() == 0
    second.store.close()


def test_two_replicas_ticking_at_once_re_notify_once(tmp_path: Path, clock: FakeClock) -> None:
    path = str(tmp_path / "replicas.db")
    one = _service(path, clock, renotify_after="10m", max_renotify=3)
    number = _open_incident(one, clock)
    two = _service(path, clock, renotify_after="10m", max_renotify=3)
    clock.advance(600)
    barrier = threading.Barrier(2)
    counts: list[int] = []

    def tick(service: IncidentService) -> None:
        barrier.wait(timeout=10)
        counts.append(service.tick())

    threads = [threading.Thread(target=tick, args=(s,)) for s in (one, two)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert sorted(counts) == [0, 1]
    assert one.store.incident(number).renotify_count == 1  # type: ignore[union-attr]
    assert [a["action"] for a in one.store.audit(number)] == ["open", "renotify"]
    one.store.close()
    two.store.close()


def test_a_replica_whose_clock_is_behind_does_not_re_notify_again(
    tmp_path: Path, clock: FakeClock
) -> None:
    path = str(tmp_path / "skew.db")
    ahead = _service(path, clock, renotify_after="10m", max_renotify=3)
    number = _open_incident(ahead, clock)
    clock.advance(600)
    assert ahead.tick() == 1
    behind_clock = FakeClock(clock.now() - timedelta(seconds=90))
    behind = IncidentService(SqliteStore(path), ahead.config, behind_clock)
    assert behind.tick() == 0
    behind_clock.advance(180)  # its now is a minute and a half past the reminder
    assert behind.tick() == 0
    assert ahead.store.incident(number).renotify_count == 1  # type: ignore[union-attr]
    ahead.store.close()
    behind.store.close()
