"""The SQLite store's dedup memory (bot.store.sqlite.dedup): digests of the dedup ids in one
WITHOUT ROWID table, swept by pruning in key order, and an older file's `seen` table read
beside it until pruning has emptied it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.core.events import Event
from bot.store.sqlite import dedup
from bot.store.sqlite.store import SqliteStore
from tests.unit.store.conftest import ROUTED, T0, event, later
from tests.unit.store.sqlite.test_retention import DAY, SHORT, count

# The `seen` table as mlpulse made it before seen_digests.
_OLD_SEEN = "CREATE TABLE seen (dedup_id TEXT PRIMARY KEY, seen_at REAL NOT NULL)"


def ev(name: str) -> Event:
    """An event of a resource of its own (one resource's events share a state key)."""
    return event(name, name=name)


def older_file(path: Path, *names: str) -> None:
    """A file an older mlpulse left: the events `names` accepted at T0."""
    with sqlite3.connect(path) as db:
        db.execute(_OLD_SEEN)
        db.executemany(
            "INSERT INTO seen VALUES (?, ?)",
            [(i, T0.timestamp()) for name in names for i in ev(name).dedup_ids],
        )


def traced(store: SqliteStore) -> list[str]:
    statements: list[str] = []
    store._db.set_trace_callback(statements.append)
    return statements


def test_a_new_file_keeps_digests_only(tmp_path: Path) -> None:
    store = SqliteStore(str(tmp_path / "s.db"))
    statements = traced(store)

    assert store.accept([(ev("a"), ROUTED), (ev("a"), ROUTED)], T0) == [True, False]

    kept = store._db.execute("SELECT at, digest, seen_at FROM seen_digests").fetchall()
    stamp = int(T0.timestamp())
    assert kept == [(stamp, dedup.digest(f"state:{fingerprint(ev('a'))}"), stamp)]
    assert len(kept[0][1]) == 16
    assert store._db.execute("SELECT 1 FROM sqlite_master WHERE name = 'seen'").fetchone() is None
    assert not any("FROM seen " in s for s in statements)
    store.close()


def test_an_older_files_ids_still_drop_their_redeliveries(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    older_file(path, "a", "b")
    store = SqliteStore(str(path), SHORT)

    assert store.accept([(ev("a"), ROUTED), (ev("c"), ROUTED)], later(60)) == [False, True]
    assert store.accept([(ev("b"), ROUTED)], later(120)) == [False]
    assert count(store, "seen") == 2 * 2  # nothing copied, nothing added
    assert count(store, "seen_digests") == 1
    store.close()


def test_an_older_files_seen_is_emptied_within_the_lifetime_then_read_no_more(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    older_file(path, "a")
    store = SqliteStore(str(path), SHORT)  # dedup: 1 day
    store.accept([(ev("c"), ROUTED)], later(2 * DAY))

    assert store.prune(later(DAY + 1)) == 2  # a's two ids; c's is younger
    assert count(store, "seen") == 0 and count(store, "seen_digests") == 1
    statements = traced(store)
    assert store.accept([(ev("a"), ROUTED), (ev("c"), ROUTED)], later(2 * DAY)) == [
        True,
        False,
    ]
    assert not any("FROM seen " in s for s in statements)
    store.close()

    again = SqliteStore(str(path), SHORT)  # another process: it finds `seen` empty once
    statements = traced(again)
    again.accept([(ev("d"), ROUTED)], later(2 * DAY))
    again.accept([(ev("e"), ROUTED)], later(2 * DAY))
    assert sum("FROM seen " in s for s in statements) == 1
    again.close()


def test_pruning_sweeps_a_slice_a_call_and_goes_round(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dedup, "SWEEP", 7)
    store = SqliteStore(str(tmp_path / "s.db"), SHORT)
    store.accept([(ev(f"o{n}"), ROUTED) for n in range(10)], T0)
    store.accept([(ev(f"n{n}"), ROUTED) for n in range(5)], later(DAY))
    assert count(store, "seen_digests") == 15

    removed = [store._prune_dedup(later(DAY).timestamp(), limit=100) for _ in range(4)]

    # 15 rows, 7 looked at a call: the 10 expired are gone after one round (3 calls).
    assert sum(removed) == 10 and removed[-1] == 0
    assert all(n <= 7 for n in removed)
    assert count(store, "seen_digests") == 5
    assert store.accept([(ev("n1"), ROUTED)], later(DAY)) == [False]
    store.close()


def test_a_prune_call_deletes_at_most_its_limit(tmp_path: Path) -> None:
    store = SqliteStore(str(tmp_path / "s.db"), SHORT)
    store.accept([(ev(f"j{n}"), ROUTED) for n in range(40)], T0)

    removed = [store._prune_dedup(later(2 * DAY).timestamp(), limit=15) for _ in range(4)]

    assert removed == [15, 15, 10, 0]


def fingerprint(event: Event) -> str:
    return event.dedup_ids[-1].removeprefix("state:")


def test_one_row_an_event_decides_as_both_ids_did(tmp_path: Path) -> None:
    """The delivery id holds the state id's fingerprint: a match on it is a match on the
    state id, so the state id alone is kept; an event without its own time keeps its
    delivery id (its receive time would differ between redeliveries)."""
    timed = ev("a")
    assert timed.dedup_ids == (f"id:a:{fingerprint(timed)}", f"state:{fingerprint(timed)}")
    untimed = ev("u").model_copy(update={"time_known": False})
    assert len(untimed.dedup_ids) == 1

    store = SqliteStore(str(tmp_path / "s.db"))
    assert store.accept([(timed, ROUTED), (untimed, ROUTED)], T0) == [True, True]

    assert dedup.deciding_id(untimed) == untimed.dedup_ids[0]
    kept = {row[0] for row in store._db.execute("SELECT at FROM seen_digests")}
    assert kept == {0, int(T0.timestamp())}
    assert store.accept(
        [
            (timed.model_copy(update={"id": "a2"}), ROUTED),  # SageMaker's second id
            (untimed, ROUTED),  # a redelivery
            (untimed.model_copy(update={"id": "u2"}), ROUTED),  # another event
        ],
        later(60),
    ) == [False, False, True]
    store.close()
    store.close()
