"""The SQLite store: dedup, the outbox's order and timing, forward-only state, durability
settings, a second process holding the lock, and clear errors when it cannot open
(RELIABILITY B2, B3, D4, D6)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.core.decision import Decision
from bot.core.errors import StoreError
from bot.core.events import Event, Kind, Severity
from bot.core.outcomes import outcome_of
from bot.store import STAGE_ROOT_DONE
from bot.store.opening import open_store
from bot.store.sqlite.store import SqliteStore

T0 = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
ROUTED = Decision(channel="#mlpulse", severity=Severity.CRITICAL, incident=True)


def event(
    event_id: str = "e-1",
    name: str = "churn-xgb-7",
    status: str = "Failed",
    at: datetime = T0,
    **fields: Any,
) -> Event:
    values: dict[str, Any] = {
        "id": event_id,
        "kind": Kind.TRAINING_JOB,
        "key": f"training_job:123456789012:eu-west-1:{name}",
        "name": name,
        "title": "Training job",
        "status": status,
        "outcome": outcome_of(status),
        "time": at,
    }
    values.update(fields)
    return Event(**values)


def later(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def rows(path: Path, query: str) -> list[tuple[Any, ...]]:
    """Read the file with a connection of our own: what another process would see."""
    with sqlite3.connect(path) as db:
        return db.execute(query).fetchall()


@pytest.fixture
def db_path(store: SqliteStore) -> Path:
    return Path(store.path)


# --- dedup ----------------------------------------------------------------------------------


def test_accept_queues_new_events(store: SqliteStore) -> None:
    flags = store.accept([(event("a"), ROUTED), (event("b", name="other"), ROUTED)], T0)

    assert flags == [True, True]
    assert store.pending_count() == 2


def test_the_same_delivery_twice_in_one_batch_is_one_item(store: SqliteStore) -> None:
    same = event("a")

    assert store.accept([(same, ROUTED), (same, ROUTED)], T0) == [True, False]
    assert store.pending_count() == 1


def test_the_same_delivery_in_a_later_batch_is_dropped(store: SqliteStore) -> None:
    assert store.accept([(event("a"), ROUTED)], T0) == [True]

    assert store.accept([(event("a"), ROUTED)], later(60)) == [False]
    assert store.pending_count() == 1


def test_one_state_change_under_two_ids_is_one_item(store: SqliteStore) -> None:
    """SageMaker may send one state change twice with two ids: the state key catches it."""
    first, second = event("id-1"), event("id-2")
    assert set(first.dedup_ids) & set(second.dedup_ids)

    assert store.accept([(first, ROUTED), (second, ROUTED)], T0) == [True, False]
    assert store.accept([(event("id-3"), ROUTED)], later(1)) == [False]
    assert store.pending_count() == 1


def test_every_dedup_id_is_recorded(store: SqliteStore, db_path: Path) -> None:
    incoming = event("a")
    store.accept([(incoming, ROUTED)], T0)

    recorded = {row[0] for row in rows(db_path, "SELECT dedup_id FROM seen")}

    assert recorded == set(incoming.dedup_ids)
    assert len(incoming.dedup_ids) == 2


def test_a_reused_id_for_a_different_event_is_not_a_duplicate(store: SqliteStore) -> None:
    """AWS's own samples reuse ids: an id names a delivery only with its content."""
    flags = store.accept(
        [(event("same-id", status="InProgress"), ROUTED), (event("same-id"), ROUTED)], T0
    )

    assert flags == [True, True]


def test_events_of_unknown_time_dedup_only_by_id(store: SqliteStore) -> None:
    """Without a time of its own an event's content is no identity: two text messages
    that say the same thing at different moments are two alerts."""
    first = event("m-1", time_known=False)
    second = event("m-2", time_known=False)
    assert len(first.dedup_ids) == 1

    assert store.accept([(first, ROUTED), (second, ROUTED)], T0) == [True, True]
    assert store.accept([(event("m-1", time_known=False), ROUTED)], later(5)) == [False]


def test_a_new_state_of_the_same_resource_is_accepted(store: SqliteStore) -> None:
    store.accept([(event("a", status="InProgress"), ROUTED)], T0)

    assert store.accept([(event("b", status="Failed", at=later(30)), ROUTED)], later(30)) == [True]
    assert store.pending_count() == 2


def test_accept_is_all_or_nothing(store: SqliteStore) -> None:
    """A failure inside a batch rolls the whole batch back: nothing half-recorded."""
    unstorable = Decision(channel="#x", severity=object(), incident=True)  # type: ignore[arg-type]
    store.accept([(event("ok-1"), ROUTED)], T0)

    with pytest.raises(TypeError):
        store.accept([(event("ok-2", name="n2"), ROUTED), (event("x", name="n3"), unstorable)], T0)

    assert store.pending_count() == 1
    assert store.accept([(event("ok-2", name="n2"), ROUTED)], T0) == [True]


# --- due ------------------------------------------------------------------------------------


def test_due_gives_only_the_oldest_pending_item_per_resource(store: SqliteStore) -> None:
    store.accept(
        [
            (event("a1", status="InProgress"), ROUTED),
            (event("b1", name="other", status="InProgress"), ROUTED),
            (event("a2", status="Failed", at=later(10)), ROUTED),
        ],
        T0,
    )

    due = store.due(T0, 100)

    assert [item.event.id for item in due] == ["a1", "b1"]
    first = due[0]
    assert (first.attempts, first.stage, first.created, first.next_attempt) == (0, 0, T0, T0)
    assert first.decision == ROUTED
    assert first.event == event("a1", status="InProgress")

    store.complete(first.id)
    assert [item.event.id for item in store.due(T0, 100)] == ["b1", "a2"]


def test_due_respects_next_attempt_and_keeps_the_order_of_a_resource(store: SqliteStore) -> None:
    store.accept(
        [(event("a1", status="InProgress"), ROUTED), (event("a2", at=later(10)), ROUTED)], T0
    )
    (first,) = store.due(T0, 100)

    store.retry_later(first.id, later(60), "HTTP 503")

    assert store.due(later(59), 100) == []  # the later item waits behind the first
    (again,) = store.due(later(60), 100)
    assert again.id == first.id
    assert again.attempts == 1
    assert again.next_attempt == later(60)


def test_due_honours_the_limit_oldest_first(store: SqliteStore) -> None:
    store.accept([(event(f"e{i}", name=f"job-{i}"), ROUTED) for i in range(5)], T0)
    store.retry_later(store.due(T0, 1)[0].id, later(5), "later", count=False)

    assert [item.event.id for item in store.due(later(10), 2)] == ["e1", "e2"]
    assert len(store.due(later(10), 100)) == 5


def test_items_accepted_later_are_not_due_earlier(store: SqliteStore) -> None:
    store.accept([(event("a"), ROUTED)], later(100))

    assert store.due(T0, 10) == []
    assert len(store.due(later(100), 10)) == 1


# --- outbox transitions ---------------------------------------------------------------------


def test_retry_later_counts_attempts_unless_told_not_to(store: SqliteStore, db_path: Path) -> None:
    store.accept([(event("a"), ROUTED)], T0)
    (item,) = store.due(T0, 1)

    store.retry_later(item.id, later(1), "HTTP 500")
    store.retry_later(item.id, later(2), "429 Retry-After 1", count=False)

    (again,) = store.due(later(2), 1)
    assert again.attempts == 1
    assert again.next_attempt == later(2)
    assert rows(db_path, "SELECT last_error FROM outbox") == [("429 Retry-After 1",)]


def test_retry_later_keeps_long_errors_bounded(store: SqliteStore, db_path: Path) -> None:
    store.accept([(event("a"), ROUTED)], T0)
    (item,) = store.due(T0, 1)

    store.retry_later(item.id, later(1), "x" * 100_000)

    ((error,),) = rows(db_path, "SELECT last_error FROM outbox")
    assert 0 < len(error) <= 1000


def test_reroute_sends_the_item_elsewhere_and_it_is_due_at_once(store: SqliteStore) -> None:
    store.accept([(event("a"), ROUTED)], T0)
    (item,) = store.due(T0, 1)
    store.retry_later(item.id, T0, "channel_not_found")

    fallback = Decision(channel="#fallback", severity=Severity.CRITICAL, incident=True, rule=2)
    store.reroute(item.id, fallback)

    (again,) = store.due(T0, 1)
    assert again.id == item.id
    assert again.decision == fallback
    assert again.attempts == 0
    assert store.pending_count() == 1


def test_give_up_parks_the_item_but_keeps_it(store: SqliteStore, db_path: Path) -> None:
    store.accept(
        [(event("a1", status="InProgress"), ROUTED), (event("a2", at=later(10)), ROUTED)], T0
    )
    (first,) = store.due(T0, 1)

    store.give_up(first.id, "invalid_blocks")

    assert store.pending_count() == 1
    assert [item.event.id for item in store.due(T0, 10)] == ["a2"]  # no longer blocks its key
    assert rows(db_path, f"SELECT id, state, last_error FROM outbox WHERE id = {first.id}") == [
        (first.id, "undeliverable", "invalid_blocks")
    ]
    assert store.accept([(event("a1", status="InProgress"), ROUTED)], T0) == [False]


def test_progress_is_recorded(store: SqliteStore) -> None:
    store.accept([(event("a"), ROUTED)], T0)
    (item,) = store.due(T0, 1)

    store.progress(item.id, STAGE_ROOT_DONE)

    assert store.due(T0, 1)[0].stage == STAGE_ROOT_DONE


def test_complete_removes_the_item(store: SqliteStore) -> None:
    store.accept([(event("a"), ROUTED)], T0)
    (item,) = store.due(T0, 1)

    store.complete(item.id)

    assert store.pending_count() == 0
    assert store.due(later(3600), 10) == []
    assert store.accept([(event("a"), ROUTED)], later(10)) == [False]  # still remembered


# --- roots and forward-only state -----------------------------------------------------------

KEY = event().key


def test_root_round_trip(store: SqliteStore) -> None:
    assert store.root(KEY) is None
    shown = event("a", status="InProgress")

    store.set_root(KEY, "C0123ABCD", "1700000000.000100", shown)

    root = store.root(KEY)
    assert root is not None
    assert (root.key, root.channel, root.ts, root.event) == (
        KEY,
        "C0123ABCD",
        "1700000000.000100",
        shown,
    )


@pytest.mark.parametrize(
    ("shown", "incoming", "moves"),
    [
        (event(status="InProgress"), event(status="Completed", at=later(60)), True),
        (event(status="Completed", at=later(60)), event(status="InProgress"), False),
        (event(status="Failed", at=later(60)), event(status="Completed", at=later(59)), False),
        (event(status="InProgress"), event(status="Completed"), True),  # same time, more final
        (event(status="InProgress"), event(status="Failed"), True),
        (event(status="Completed"), event(status="InProgress"), False),  # same time, less final
        (event(status="Completed"), event(status="Failed"), False),  # same time, as final
        (event(status="InProgress"), event(status="InProgress"), False),  # same state again
        (event(status="Stopping"), event(status="Stopped"), True),
        (event(status="Stopped"), event(status="Failed"), True),
    ],
)
def test_advance_state_only_moves_forward(
    store: SqliteStore, shown: Event, incoming: Event, moves: bool
) -> None:
    store.set_root(KEY, "#mlpulse", "1.0", shown)

    assert store.advance_state(KEY, incoming) is moves

    root = store.root(KEY)
    assert root is not None
    assert root.event == (incoming if moves else shown)
    assert (root.channel, root.ts) == ("#mlpulse", "1.0")


def test_advance_state_without_a_root_changes_nothing(store: SqliteStore) -> None:
    assert store.advance_state(KEY, event()) is False
    assert store.root(KEY) is None


def test_set_root_replaces_the_message(store: SqliteStore) -> None:
    store.set_root(KEY, "#old", "1.0", event(status="Failed", at=later(60)))
    newer = event(status="InProgress")

    store.set_root(KEY, "#new", "2.0", newer)  # a repost: whatever it shows is now the root

    root = store.root(KEY)
    assert root is not None and (root.channel, root.ts, root.event) == ("#new", "2.0", newer)


# --- durability -----------------------------------------------------------------------------


def test_wal_and_synchronous_full(store: SqliteStore, db_path: Path) -> None:
    assert store._db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert store._db.execute("PRAGMA synchronous").fetchone() == (2,)  # FULL
    (busy,) = store._db.execute("PRAGMA busy_timeout").fetchone()
    assert busy >= 1000
    assert rows(db_path, "PRAGMA journal_mode") == [("wal",)]  # persistent, for every process


def test_everything_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "s" / "mlpulse.db"
    first = SqliteStore(str(path))
    first.accept([(event("a"), ROUTED), (event("b", name="n2"), ROUTED)], T0)
    first.set_root(KEY, "#c", "9.0", event("a"))
    (item, _) = first.due(T0, 10)
    first.retry_later(item.id, later(30), "5xx")
    first.close()

    again = SqliteStore(str(path))
    try:
        assert again.pending_count() == 2
        assert again.accept([(event("a"), ROUTED)], T0) == [False]
        root = again.root(KEY)
        assert root is not None and root.ts == "9.0"
        assert [i.event.id for i in again.due(T0, 10)] == ["b"]
        by_id = {i.event.id: i for i in again.due(later(30), 10)}
        assert by_id["a"].attempts == 1 and by_id["b"].attempts == 0
    finally:
        again.close()


_HOLD_LOCK = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
db.execute("INSERT INTO seen (dedup_id, seen_at) VALUES ('other-process', 0)")
print("locked", flush=True)
time.sleep(1.0)
db.execute("COMMIT")
db.close()
"""


def test_a_second_process_holding_the_write_lock_is_waited_for(
    store: SqliteStore, db_path: Path
) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_LOCK, str(db_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        started = time.monotonic()

        assert store.accept([(event("a"), ROUTED)], T0) == [True]

        waited = time.monotonic() - started
        _, err = holder.communicate(timeout=30)
        assert holder.returncode == 0, err
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
    assert waited > 0.5  # it waited for the other writer rather than failing
    assert store.pending_count() == 1
    seen = {row[0] for row in rows(db_path, "SELECT dedup_id FROM seen")}
    assert "other-process" in seen and set(event("a").dedup_ids) <= seen
    assert rows(db_path, "PRAGMA integrity_check") == [("ok",)]


# --- opening --------------------------------------------------------------------------------


def test_an_unwritable_path_is_a_store_error_naming_it(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    path = blocker / "mlpulse.db"

    with pytest.raises(StoreError) as raised:
        SqliteStore(str(path))

    assert str(path) in str(raised.value)


def test_a_directory_is_not_a_store(tmp_path: Path) -> None:
    with pytest.raises(StoreError) as raised:
        SqliteStore(str(tmp_path))

    assert str(tmp_path) in str(raised.value)


def test_a_file_that_is_not_a_database_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "mlpulse.db"
    path.write_bytes(b"this is not an sqlite database" * 100)

    with pytest.raises(StoreError) as raised:
        SqliteStore(str(path))

    assert str(path) in str(raised.value)


def test_open_store_makes_the_directories(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "mlpulse.db"

    opened = open_store(f"sqlite:///{path}")
    try:
        opened.ping()
        assert path.exists()
    finally:
        opened.close()


@pytest.mark.parametrize(
    "url", ["", "mlpulse.db", "sqlite://relative.db", "postgres://db/mlpulse", "SQLITE:///x.db"]
)
def test_open_store_with_a_bad_url_is_a_store_error(url: str) -> None:
    with pytest.raises(StoreError) as raised:
        open_store(url)

    assert "MLPULSE_STORE" in str(raised.value)
    assert "sqlite:///" in str(raised.value)


def test_ping_after_close_is_a_store_error(tmp_path: Path) -> None:
    opened = SqliteStore(str(tmp_path / "x.db"))
    opened.close()

    with pytest.raises(StoreError):
        opened.ping()
