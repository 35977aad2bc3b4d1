"""The SQLite store's incident, audit and silence tables (a mixin of SqliteStore)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any

from bot.core.events import Event
from bot.core.incident import (
    ALLOWED,
    AUTOMATIC,
    TARGET,
    Action,
    Incident,
    Source,
    State,
    Transition,
    due,
    recovered_by,
)
from bot.store.records import IncidentChange, Notice, Silence

INCIDENT_SCHEMA = """
CREATE TABLE IF NOT EXISTS incidents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    series TEXT NOT NULL,
    key TEXT NOT NULL,
    title TEXT NOT NULL,
    state TEXT NOT NULL,
    opened_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    actor TEXT,
    last_action TEXT,
    snoozed_until REAL,
    renotify_count INTEGER NOT NULL DEFAULT 0,
    next_renotify_at REAL,
    note TEXT,
    since REAL  -- the time of the event that opened it: an older recovery is no recovery
);
CREATE UNIQUE INDEX IF NOT EXISTS incidents_one_unresolved
    ON incidents (series) WHERE state != 'resolved';
CREATE INDEX IF NOT EXISTS incidents_by_key ON incidents (key, id);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id INTEGER,
    at REAL NOT NULL,
    actor TEXT NOT NULL,
    source TEXT NOT NULL,
    action TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT,
    note TEXT
);
CREATE TABLE IF NOT EXISTS silences (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    pattern TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    channel TEXT NOT NULL,
    held INTEGER NOT NULL DEFAULT 0,
    announced INTEGER NOT NULL DEFAULT 0
);
"""
_COLUMNS = (
    "id, series, key, title, state, opened_at, updated_at, actor, last_action,"
    " snoozed_until, renotify_count, next_renotify_at, note, since"
)


class IncidentTables:
    _db: sqlite3.Connection
    _lock: threading.RLock

    def _tx(self) -> AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError

    def _enqueue_notice(
        self, db: sqlite3.Connection, key: str, notice: Notice, now: datetime
    ) -> None:
        raise NotImplementedError

    # --- applied while accepting events, inside the accept transaction

    def _apply_change(
        self, db: sqlite3.Connection, event: Event, change: IncidentChange, now: datetime
    ) -> None:
        series = event.series or event.key
        current = _first(
            db,
            f"SELECT {_COLUMNS} FROM incidents WHERE series = ? AND state != 'resolved'",
            (series,),
        )
        stamp = now.timestamp()
        if change.open and current is None:
            cursor = db.execute(
                "INSERT INTO incidents (series, key, title, state, opened_at, updated_at,"
                " actor, last_action, next_renotify_at, since)"
                " VALUES (?, ?, ?, 'open', ?, ?, ?, ?, ?, ?)",
                (
                    series,
                    event.key,
                    change.note or event.name,
                    stamp,
                    stamp,
                    AUTOMATIC,
                    "open",
                    change.renotify_at.timestamp() if change.renotify_at else None,
                    event.time.timestamp(),
                ),
            )
            _audit(
                db,
                cursor.lastrowid,
                now,
                AUTOMATIC,
                Source.AUTO,
                "open",
                None,
                State.OPEN,
                change.note,
            )
        elif change.resolve and current is not None and recovered_by(current, event.time):
            note = change.note
            db.execute(
                "UPDATE incidents SET state = 'resolved', updated_at = ?, actor = ?,"
                " last_action = ?, next_renotify_at = NULL, snoozed_until = NULL, note = ?"
                " WHERE id = ?",
                (stamp, AUTOMATIC, Action.AUTO_RESOLVE.value, note, current.id),
            )
            _audit(
                db,
                current.id,
                now,
                AUTOMATIC,
                Source.AUTO,
                Action.AUTO_RESOLVE,
                current.state,
                State.RESOLVED,
                note,
            )
            if change.notice is not None:
                self._enqueue_notice(db, current.key, change.notice, now)

    # --- reads

    def incident(self, incident_id: int) -> Incident | None:
        with self._lock:
            return _first(
                self._db, f"SELECT {_COLUMNS} FROM incidents WHERE id = ?", (incident_id,)
            )

    def incident_for_key(self, key: str) -> Incident | None:
        with self._lock:
            return _first(
                self._db,
                f"SELECT {_COLUMNS} FROM incidents WHERE key = ? ORDER BY id DESC LIMIT 1",
                (key,),
            )

    def unresolved_incidents(self) -> list[Incident]:
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_COLUMNS} FROM incidents WHERE state != 'resolved' ORDER BY id"
            ).fetchall()
        return [_incident(row) for row in rows]

    def due_incident_work(self, now: datetime) -> list[Incident]:
        stamp = now.timestamp()
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_COLUMNS} FROM incidents WHERE (state = 'open' AND next_renotify_at <= ?)"
                " OR (state = 'snoozed' AND snoozed_until <= ?) ORDER BY id",
                (stamp, stamp),
            ).fetchall()
        return [_incident(row) for row in rows]

    def audit(self, incident_id: int) -> list[dict[str, object]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT at, actor, source, action, from_state, to_state, note FROM audit"
                " WHERE incident_id = ? ORDER BY id",
                (incident_id,),
            ).fetchall()
        names = ("at", "actor", "source", "action", "from_state", "to_state", "note")
        return [dict(zip(names, row, strict=True)) for row in rows]

    # --- writes

    def transition(
        self,
        incident_id: int,
        action: Action,
        actor: str,
        source: Source,
        now: datetime,
        *,
        until: datetime | None = None,
        renotify_at: datetime | None = None,
        notice: Notice | None = None,
        note: str | None = None,
    ) -> Transition:
        with self._tx() as db:
            current = _first(db, f"SELECT {_COLUMNS} FROM incidents WHERE id = ?", (incident_id,))
            if current is None:
                return Transition(False, None)
            if current.state not in ALLOWED[action] or not due(current, action, now):
                return Transition(False, current)
            target = TARGET[action]
            count = current.renotify_count + (1 if action == Action.RENOTIFY else 0)
            changed = db.execute(
                "UPDATE incidents SET state = ?, updated_at = ?, actor = ?, last_action = ?,"
                " snoozed_until = ?, renotify_count = ?, next_renotify_at = ?, note = ?"
                " WHERE id = ? AND state = ? AND renotify_count = ?",
                (
                    target.value,
                    now.timestamp(),
                    actor,
                    action.value,
                    until.timestamp() if until and target == State.SNOOZED else None,
                    count,
                    renotify_at.timestamp() if renotify_at else None,
                    note,
                    incident_id,
                    current.state.value,
                    current.renotify_count,
                ),
            ).rowcount
            if changed != 1:  # another writer got there first: it is their transition
                latest = _first(
                    db, f"SELECT {_COLUMNS} FROM incidents WHERE id = ?", (incident_id,)
                )
                return Transition(False, latest or current)
            _audit(db, incident_id, now, actor, source, action, current.state, target, note)
            if notice is not None:
                self._enqueue_notice(db, current.key, notice, now)
            updated = _first(db, f"SELECT {_COLUMNS} FROM incidents WHERE id = ?", (incident_id,))
        return Transition(True, updated)

    def record_refusal(self, actor: str, what: str, now: datetime) -> None:
        with self._tx() as db:
            _audit(db, None, now, actor, Source.COMMAND, "refused", None, None, what)

    # --- silences

    def add_silence(
        self,
        pattern: str,
        until: datetime,
        actor: str,
        channel: str,
        now: datetime,
        announce: Callable[[Silence], Notice] | None = None,
    ) -> Silence:
        with self._tx() as db:
            cursor = db.execute(
                "INSERT INTO silences (pattern, created_by, created_at, expires_at, channel)"
                " VALUES (?, ?, ?, ?, ?)",
                (pattern, actor, now.timestamp(), until.timestamp(), channel),
            )
            _audit(
                db,
                None,
                now,
                actor,
                Source.COMMAND,
                "silence",
                None,
                None,
                f"{pattern} until {until:%Y-%m-%d %H:%M} UTC",
            )
            silence = Silence(int(cursor.lastrowid or 0), pattern, actor, now, until, channel)
            if announce is not None:  # in the same transaction: never a silent silence
                self._enqueue_notice(db, f"silence:{silence.id}", announce(silence), now)
        return silence

    def active_silences(self, now: datetime) -> list[Silence]:
        with self._lock:
            rows = self._db.execute(
                "SELECT id, pattern, created_by, created_at, expires_at, channel, held"
                " FROM silences WHERE expires_at > ? ORDER BY id",
                (now.timestamp(),),
            ).fetchall()
        return [_silence(row) for row in rows]

    def expire_silences(
        self, now: datetime, announce: Callable[[Silence], Notice] | None = None
    ) -> list[Silence]:
        with self._tx() as db:
            rows = db.execute(
                "SELECT id, pattern, created_by, created_at, expires_at, channel, held"
                " FROM silences WHERE expires_at <= ? AND announced = 0 ORDER BY id",
                (now.timestamp(),),
            ).fetchall()
            db.executemany(
                "UPDATE silences SET announced = 1 WHERE id = ?", [(r[0],) for r in rows]
            )
            ended = [_silence(row) for row in rows]
            if announce is not None:
                for silence in ended:
                    self._enqueue_notice(db, f"silence:{silence.id}", announce(silence), now)
        return ended


def _audit(
    db: sqlite3.Connection,
    incident_id: int | None,
    now: datetime,
    actor: str,
    source: Source,
    action: str,
    from_state: State | None,
    to_state: State | None,
    note: str | None,
) -> None:
    db.execute(
        "INSERT INTO audit (incident_id, at, actor, source, action, from_state, to_state, note)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            incident_id,
            now.timestamp(),
            actor,
            source.value,
            str(action),
            from_state.value if from_state else None,
            to_state.value if to_state else None,
            note,
        ),
    )


def _first(db: sqlite3.Connection, sql: str, args: tuple[Any, ...]) -> Incident | None:
    row = db.execute(sql, args).fetchone()
    return _incident(row) if row else None


def _when(value: float | None) -> datetime | None:
    return datetime.fromtimestamp(value, UTC) if value is not None else None


def _incident(row: tuple[Any, ...]) -> Incident:
    return Incident(
        id=row[0],
        series=row[1],
        key=row[2],
        title=row[3],
        state=State(row[4]),
        opened_at=datetime.fromtimestamp(row[5], UTC),
        updated_at=datetime.fromtimestamp(row[6], UTC),
        actor=row[7],
        last_action=Action(row[8]) if row[8] in Action._value2member_map_ else None,
        snoozed_until=_when(row[9]),
        renotify_count=row[10],
        next_renotify_at=_when(row[11]),
        note=row[12],
        since=_when(row[13]),
    )


def _silence(row: tuple[Any, ...]) -> Silence:
    return Silence(
        id=row[0],
        pattern=row[1],
        created_by=row[2],
        created_at=datetime.fromtimestamp(row[3], UTC),
        expires_at=datetime.fromtimestamp(row[4], UTC),
        channel=row[5],
        held=row[6],
    )


__all__ = ["INCIDENT_SCHEMA", "IncidentTables"]
