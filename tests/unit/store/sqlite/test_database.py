"""What only the SQLite store has: its file. Durability settings every process sees, a
second process holding the write lock, reopening, and clear errors when the file cannot
be opened (RELIABILITY B2, D4, D6). The behaviour it shares with DynamoDB is in the
contract suite (tests/unit/store/test_contract*.py)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bot.core.errors import StoreError
from bot.core.events import FailedPart
from bot.store import IncidentChange
from bot.store.opening import open_store
from bot.store.sqlite.database import CACHE_KIB
from bot.store.sqlite.dedup import deciding_id, digest
from bot.store.sqlite.store import SqliteStore
from tests.unit.store.conftest import KEY, ROUTED, T0, event, later
from tests.unit.store.sqlite.conftest import rows

# --- durability -----------------------------------------------------------------------------


def test_wal_and_synchronous_full(store: SqliteStore, db_path: Path) -> None:
    assert store._db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert store._db.execute("PRAGMA synchronous").fetchone() == (2,)  # FULL
    (busy,) = store._db.execute("PRAGMA busy_timeout").fetchone()
    # A page cache big enough for a million events' dedup ids (issue 20), not the 2 MB default.
    assert store._db.execute("PRAGMA cache_size").fetchone() == (-CACHE_KIB,)
    assert CACHE_KIB >= 32_000
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
        assert [i.event.id for i in again.due(T0, 10) if i.event] == ["b"]
        by_id = {i.event.id: i for i in again.due(later(30), 10) if i.event}
        assert by_id["a"].attempts == 1 and by_id["b"].attempts == 0
    finally:
        again.close()


_HOLD_LOCK = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
db.execute("INSERT INTO seen_digests (at, digest, seen_at) VALUES (0, x'00', 0)")
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
    seen = {row[0] for row in rows(db_path, "SELECT digest FROM seen_digests")}
    assert b"\x00" in seen and digest(deciding_id(event("a"))) in seen
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


# --- a file made by an older mlpulse ---------------------------------------------------------

# The two tables as the first releases made them, before roots kept their failed part's depth
# and incidents their repeat failures; every other table is the same today.
_OLD_TABLES = """
CREATE TABLE roots (
    key TEXT PRIMARY KEY, channel TEXT NOT NULL, ts TEXT NOT NULL, state_time REAL NOT NULL,
    state_rank INTEGER NOT NULL, event TEXT NOT NULL, decision TEXT, digest_id INTEGER
);
CREATE TABLE incidents (
    id INTEGER PRIMARY KEY AUTOINCREMENT, series TEXT NOT NULL, key TEXT NOT NULL,
    title TEXT NOT NULL, state TEXT NOT NULL, opened_at REAL NOT NULL, updated_at REAL NOT NULL,
    actor TEXT, last_action TEXT, snoozed_until REAL, renotify_count INTEGER NOT NULL DEFAULT 0,
    next_renotify_at REAL, note TEXT, since REAL
);
CREATE UNIQUE INDEX incidents_one_unresolved ON incidents (series) WHERE state != 'resolved';
CREATE INDEX incidents_by_key ON incidents (key, id);
"""


def old_file(path: Path) -> None:
    """A store file as an older mlpulse left it: an open incident on a root message."""
    with sqlite3.connect(path) as db:
        db.executescript(_OLD_TABLES)
        stamp = T0.timestamp()
        db.execute(
            "INSERT INTO incidents (series, key, title, state, opened_at, updated_at, actor,"
            " next_renotify_at, since) VALUES (?, ?, 'churn-xgb-7', 'open', ?, ?, 'mlpulse', ?, ?)",
            (KEY, KEY, stamp, stamp, stamp + 1800, stamp),
        )
        db.execute(
            "INSERT INTO roots (key, channel, ts, state_time, state_rank, event) VALUES"
            " (?, '#c', '1.0', ?, 5, ?)",
            (KEY, stamp, event("a").model_dump_json()),
        )
    db.close()


def test_a_file_made_by_an_older_mlpulse_opens_and_gains_what_it_lacks(tmp_path: Path) -> None:
    path = tmp_path / "mlpulse.db"
    old_file(path)

    store = SqliteStore(str(path))
    try:
        incident = store.incident(1)
        assert incident is not None
        assert (incident.failures, incident.last_failure_at, incident.key) == (1, None, KEY)
        assert store.incident_for_key(KEY) == incident  # found by its own key, as before
        root = store.root(KEY)
        assert root is not None and root.event == event("a")
        # Both new parts work on the old rows: a deeper failure of the same state moves the
        # root, and another run of the series joins the incident.
        part = FailedPart(subject="stage Build", depth=1, time=T0)
        assert store.advance_state(KEY, event("a").model_copy(update={"failed_part": part}))
        again = event("b", name="churn-xgb-8", series=KEY, at=later(60))
        change = IncidentChange(open=True, renotify_at=later(1860), max_renotify=3)
        assert store.accept([(again, ROUTED)], later(60), [change]) == [True]
        joined = store.incident(1)
        assert joined is not None and (joined.failures, joined.renotify_count) == (2, 1)
        assert store.incident_for_key(again.key) == joined
    finally:
        store.close()
    columns = {row[1] for row in rows(path, "PRAGMA table_info(incidents)")}
    assert {"failures", "last_failure_at"} <= columns


def _digest_index(path: Path) -> tuple[str, int]:
    """roots_by_digest as the file defines it, and how many roots it lists."""
    ((sql,),) = rows(path, "SELECT sql FROM sqlite_master WHERE name = 'roots_by_digest'")
    ((cells,),) = rows(path, "SELECT SUM(ncell) FROM dbstat WHERE name = 'roots_by_digest'")
    return str(sql), int(cells)


def _roots_and_a_digest(path: Path) -> SqliteStore:
    """Three roots of their own and one digest line, and the digest's members read back."""
    store = SqliteStore(str(path))
    for n in range(3):
        store.set_root(f"{KEY}-{n}", "#c", f"{n}.0", event(f"r{n}"))
    store.accept([(event("d1", name="hpo-1"), ROUTED)], T0)
    (item,) = [i for i in store.due(later(60), 10) if i.key.endswith("hpo-1")]
    digest = store.open_digest("#c", T0, 900, 200)
    store.join_digest(digest, item)
    assert [e.id for e in store.digest_members(digest.id)] == ["d1"]
    return store


def test_a_new_file_indexes_only_the_roots_a_digest_holds(tmp_path: Path) -> None:
    """A root's first record writes no page of roots_by_digest: the partial index lists
    only digest lines (bot.store.sqlite.schema)."""
    path = tmp_path / "mlpulse.db"
    _roots_and_a_digest(path).close()

    sql, cells = _digest_index(path)
    assert "WHERE digest_id IS NOT NULL" in sql
    assert cells == 1


def test_an_old_file_keeps_its_whole_digest_index_and_works(tmp_path: Path) -> None:
    path = tmp_path / "mlpulse.db"
    old_file(path)
    with sqlite3.connect(path) as db:
        db.execute("CREATE INDEX roots_by_digest ON roots (digest_id)")
    db.close()

    _roots_and_a_digest(path).close()

    sql, cells = _digest_index(path)
    assert "WHERE" not in sql
    assert cells == 5  # the old root, three new ones and the digest line


def test_processes_opening_an_old_file_at_once_add_its_columns_once(tmp_path: Path) -> None:
    path = tmp_path / "mlpulse.db"
    old_file(path)
    opened: list[SqliteStore] = []
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def open_it() -> None:
        start.wait()
        try:
            opened.append(SqliteStore(str(path)))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    for store in opened:
        store.close()
    assert errors == [] and len(opened) == 4
    assert [row[1] for row in rows(path, "PRAGMA table_info(roots)")].count("state_depth") == 1
