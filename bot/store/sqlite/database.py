"""The SQLite file every part of the SQLite store works on: one connection, one lock, and
the transaction and notice helpers they share. Each part (outbox.py, roots.py,
incidents.py, audit.py, silences.py, digests.py) is a `Database`; SqliteStore is all of
them on one connection.

WAL journal (readers do not block the writer), synchronous FULL (a committed alert
survives a power cut), a busy timeout (a second process holding the write lock is
waited for, not an error) and a page cache of CACHE_KIB. A new file is made with
incremental auto-vacuum, so the pages pruning frees (bot.store.sqlite.retention) can be
given back to the file system; a file made before keeps its free pages for new rows
instead, so it stops growing all the same.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from bot.config.models import Retention
from bot.core.errors import StoreError
from bot.store.records import Notice
from bot.store.sqlite.schema import SCHEMA, upgrade

_BUSY_TIMEOUT_S = 10.0
# Pages kept in memory, at most (SQLite's default is 2 MB): past the default cache a store
# of a million events read back, for every transaction, the pages its inserts at random
# places go to (issue 20: events a CPU-second fell 13 % from the first 10,000 to the last
# at 1M; 8 % with this). The dedup table (bot.store.sqlite.dedup) is now a quarter of its
# old size, 33 MB at 1M events whose times are spread over one hour (make bench's), all of
# it hot; with 32 or 48 MB instead the drift was 11 % again (one run each), so it stays.
# Only the pages used are held: a store of 100,000 events stays within the memory goal.
CACHE_KIB = 64_000


# Keys a statement's `IN (...)` lists at most: twice in one statement, still within any
# SQLite's limit on a statement's variables (999 before 3.32).
KEYS_A_READ = 400


def key_parts(keys: Sequence[str]) -> Iterator[tuple[list[str], str]]:
    """`keys` without repeats, KEYS_A_READ at a time, each part with its `?, ?, ...`."""
    wanted = list(dict.fromkeys(keys))
    for start in range(0, len(wanted), KEYS_A_READ):
        part = wanted[start : start + KEYS_A_READ]
        yield part, ", ".join("?" * len(part))


class Database:
    def __init__(self, path: str, retention: Retention | None = None) -> None:
        self.path = path
        self.retention = retention or Retention()
        try:
            if path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                path, timeout=_BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
            )
            # Before the journal mode and the first table, or it is too late (an older
            # file without it is left as it is: this changes nothing there).
            self._db.execute("PRAGMA auto_vacuum=INCREMENTAL")
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute(f"PRAGMA busy_timeout={int(_BUSY_TIMEOUT_S * 1000)}")
            self._db.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
            self._db.executescript(SCHEMA)
            upgrade(self._db)
        except (sqlite3.Error, OSError) as error:
            raise StoreError(f"cannot open the SQLite store at {path}: {error}") from None
        # One connection serves every thread of the process, one statement at a time.
        self._lock = threading.RLock()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One IMMEDIATE transaction: a second writer waits (busy timeout), never interleaves."""
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield self._db
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
            except sqlite3.Error as error:
                raise StoreError(f"SQLite store {self.path}: {error}") from error

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """The connection for reads outside a transaction (each statement sees one snapshot)."""
        with self._lock:
            yield self._db

    def _enqueue_notice(
        self, db: sqlite3.Connection, key: str, notice: Notice, now: datetime
    ) -> None:
        """Queue `notice` for the resource `key` inside the caller's transaction `db`."""
        db.execute(
            "INSERT INTO outbox (key, notice, created, next_attempt) VALUES (?, ?, ?, ?)",
            (key, notice.encode(), now.timestamp(), now.timestamp()),
        )

    def ping(self) -> None:
        try:
            with self._lock:
                self._db.execute("SELECT 1 FROM outbox LIMIT 1").fetchall()
        except sqlite3.Error as error:
            raise StoreError(f"SQLite store {self.path}: {error}") from error

    def close(self) -> None:
        with self._lock:
            self._db.close()
