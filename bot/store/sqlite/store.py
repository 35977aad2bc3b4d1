"""The SQLite store: WAL journal, synchronous FULL, a busy timeout for a second process."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.core.decision import Decision
from bot.core.errors import StoreError
from bot.core.events import Event
from bot.core.ordering import order
from bot.store.records import (
    IncidentChange,
    Notice,
    OutboxItem,
    RootMessage,
    decode_decision,
    encode_decision,
)
from bot.store.sqlite.digests import DIGEST_SCHEMA, DigestTables
from bot.store.sqlite.incidents import INCIDENT_SCHEMA, IncidentTables

_SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS seen (
    dedup_id TEXT PRIMARY KEY,
    seen_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS roots (
    key TEXT PRIMARY KEY,
    channel TEXT NOT NULL,
    ts TEXT NOT NULL,
    state_time REAL NOT NULL,
    state_rank INTEGER NOT NULL,
    event TEXT NOT NULL,
    decision TEXT,
    digest_id INTEGER
);
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL,
    event TEXT,
    decision TEXT,
    notice TEXT,
    created REAL NOT NULL,
    next_attempt REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    stage INTEGER NOT NULL DEFAULT 0,
    in_flight INTEGER NOT NULL DEFAULT 0,
    lease_owner TEXT,
    lease_until REAL,
    state TEXT NOT NULL DEFAULT 'pending',
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (state, key, id);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (state, next_attempt);
"""
    + INCIDENT_SCHEMA
    + DIGEST_SCHEMA
)
_BUSY_TIMEOUT_S = 10.0
_ITEM_COLUMNS = (
    "o.id, o.key, o.event, o.decision, o.attempts, o.stage, o.created, o.next_attempt,"
    " o.in_flight, o.notice"
)


class SqliteStore(IncidentTables, DigestTables):
    def __init__(self, path: str) -> None:
        self.path = path
        try:
            if path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                path, timeout=_BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
            )
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute(f"PRAGMA busy_timeout={int(_BUSY_TIMEOUT_S * 1000)}")
            self._db.executescript(_SCHEMA)
        except (sqlite3.Error, OSError) as error:
            raise StoreError(f"cannot open the SQLite store at {path}: {error}") from None
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

    def accept(
        self,
        items: Sequence[tuple[Event, Decision]],
        now: datetime,
        changes: Sequence[IncidentChange | None] | None = None,
        held: Sequence[int | None] | None = None,
    ) -> list[bool]:
        accepted = []
        stamp = now.timestamp()
        with self._tx() as db:
            for index, (event, decision) in enumerate(items):
                ids = event.dedup_ids
                marks = ",".join("?" * len(ids))
                if db.execute(f"SELECT 1 FROM seen WHERE dedup_id IN ({marks})", ids).fetchone():
                    accepted.append(False)
                    continue
                db.executemany(
                    "INSERT INTO seen (dedup_id, seen_at) VALUES (?, ?)", [(i, stamp) for i in ids]
                )
                silence = held[index] if held else None
                db.execute(
                    "INSERT INTO outbox (key, event, decision, created, next_attempt, state)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        event.key,
                        event.model_dump_json(),
                        encode_decision(decision),
                        stamp,
                        stamp,
                        "pending" if silence is None else "held",
                    ),
                )
                if silence is not None:
                    db.execute("UPDATE silences SET held = held + 1 WHERE id = ?", (silence,))
                change = changes[index] if changes else None
                # A silenced alert opens nothing, but a silenced recovery still resolves.
                if change is not None and (silence is None or change.resolve):
                    self._apply_change(db, event, change, now)
                accepted.append(True)
        return accepted

    def enqueue_notice(self, key: str, notice: Notice, now: datetime) -> None:
        with self._tx() as db:
            self._enqueue_notice(db, key, notice, now)

    def _enqueue_notice(
        self, db: sqlite3.Connection, key: str, notice: Notice, now: datetime
    ) -> None:
        db.execute(
            "INSERT INTO outbox (key, notice, created, next_attempt) VALUES (?, ?, ?, ?)",
            (key, notice.encode(), now.timestamp(), now.timestamp()),
        )

    def due(self, now: datetime, limit: int) -> list[OutboxItem]:
        with self._lock:
            rows = self._db.execute(
                f"""
                SELECT {_ITEM_COLUMNS}
                FROM outbox o
                WHERE o.state = 'pending' AND o.next_attempt <= ?
                  AND o.id = (SELECT MIN(id) FROM outbox p
                              WHERE p.state = 'pending' AND p.key = o.key)
                ORDER BY o.next_attempt, o.id LIMIT ?
                """,
                (now.timestamp(), limit),
            ).fetchall()
        return [_outbox_item(row) for row in rows]

    def root(self, key: str) -> RootMessage | None:
        with self._lock:
            row = self._db.execute(
                "SELECT key, channel, ts, event, decision, digest_id FROM roots WHERE key = ?",
                (key,),
            ).fetchone()
        if row is None:
            return None
        event = Event.model_validate_json(row[3])
        return RootMessage(row[0], row[1], row[2], event, decode_decision(row[4]), row[5])

    def set_root(
        self, key: str, channel: str, ts: str, event: Event, decision: Decision | None = None
    ) -> None:
        when, rank = order(event)
        with self._tx() as db:
            db.execute(
                "INSERT INTO roots (key, channel, ts, state_time, state_rank, event, decision)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(key) DO UPDATE SET channel = excluded.channel, ts = excluded.ts,"
                " state_time = excluded.state_time, state_rank = excluded.state_rank,"
                " event = excluded.event, decision = excluded.decision, digest_id = NULL",
                (key, channel, ts, when, rank, event.model_dump_json(), encode_decision(decision)),
            )

    def advance_state(self, key: str, event: Event, decision: Decision | None = None) -> bool:
        when, rank = order(event)
        with self._tx() as db:
            changed = db.execute(
                "UPDATE roots SET state_time = ?, state_rank = ?, event = ?,"
                " decision = COALESCE(?, decision) WHERE key = ?"
                " AND (state_time < ? OR (state_time = ? AND state_rank < ?))",
                (
                    when,
                    rank,
                    event.model_dump_json(),
                    encode_decision(decision) if decision is not None else None,
                    key,
                    when,
                    when,
                    rank,
                ),
            ).rowcount
        return changed == 1

    def progress(self, item_id: int, stage: int) -> None:
        with self._tx() as db:
            db.execute("UPDATE outbox SET stage = ?, in_flight = 0 WHERE id = ?", (stage, item_id))

    def claim(self, item_id: int, owner: str, until: datetime, now: datetime) -> OutboxItem | None:
        with self._tx() as db:
            taken = db.execute(
                "UPDATE outbox SET lease_owner = ?, lease_until = ? WHERE id = ?"
                " AND state = 'pending'"
                " AND (lease_until IS NULL OR lease_until <= ? OR lease_owner = ?)",
                (owner, until.timestamp(), item_id, now.timestamp(), owner),
            ).rowcount
            if taken != 1:
                return None
            row = db.execute(f"SELECT {_ITEM_COLUMNS} FROM outbox o WHERE o.id = ?", (item_id,))
            return _outbox_item(row.fetchone())

    def mark_in_flight(self, item_id: int) -> None:
        with self._tx() as db:
            db.execute("UPDATE outbox SET in_flight = 1 WHERE id = ?", (item_id,))

    def retry_later(self, item_id: int, when: datetime, error: str, count: bool = True) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE outbox SET next_attempt = ?, last_error = ?, attempts = attempts + ?"
                " WHERE id = ?",
                (when.timestamp(), error[:1000], 1 if count else 0, item_id),
            )

    def complete(self, item_id: int) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM outbox WHERE id = ?", (item_id,))

    def reroute(self, item_id: int, decision: Decision) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE outbox SET decision = ?, attempts = 0, next_attempt = 0 WHERE id = ?",
                (encode_decision(decision), item_id),
            )

    def give_up(self, item_id: int, error: str) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE outbox SET state = 'undeliverable', last_error = ? WHERE id = ?",
                (error[:1000], item_id),
            )

    def pending_count(self) -> int:
        with self._lock:
            row = self._db.execute("SELECT COUNT(*) FROM outbox WHERE state = 'pending'").fetchone()
        return int(row[0])

    def ping(self) -> None:
        try:
            with self._lock:
                self._db.execute("SELECT 1 FROM outbox LIMIT 1").fetchall()
        except sqlite3.Error as error:
            raise StoreError(f"SQLite store {self.path}: {error}") from error

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _outbox_item(row: Sequence[Any]) -> OutboxItem:
    """An outbox row, selected as _ITEM_COLUMNS, as the record the rest of mlpulse sees."""
    return OutboxItem(
        id=row[0],
        key=row[1],
        event=Event.model_validate_json(row[2]) if row[2] else None,
        decision=decode_decision(row[3]),
        attempts=row[4],
        stage=row[5],
        created=datetime.fromtimestamp(row[6], UTC),
        next_attempt=datetime.fromtimestamp(row[7], UTC),
        in_flight=bool(row[8]),
        notice=Notice.decode(row[9]) if row[9] else None,
    )
