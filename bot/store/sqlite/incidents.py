"""The SQLite store's incidents (the rules are bot.core.incident's). A unique index allows
one unresolved incident per series; a transition is an UPDATE on the condition that state
and re-notify count are still the ones read (compare-and-set), audited and its notice
queued in the same transaction."""

from __future__ import annotations

import sqlite3
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
from bot.store.records import IncidentChange, Notice
from bot.store.sqlite.audit import write_audit
from bot.store.sqlite.database import Database

_COLUMNS = (
    "id, series, key, title, state, opened_at, updated_at, actor, last_action,"
    " snoozed_until, renotify_count, next_renotify_at, note, since"
)


class IncidentTables(Database):
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
            write_audit(
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
            write_audit(
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
        with self._read() as db:
            return _first(db, f"SELECT {_COLUMNS} FROM incidents WHERE id = ?", (incident_id,))

    def incident_for_key(self, key: str) -> Incident | None:
        with self._read() as db:
            return _first(
                db,
                f"SELECT {_COLUMNS} FROM incidents WHERE key = ? ORDER BY id DESC LIMIT 1",
                (key,),
            )

    def unresolved_incidents(self) -> list[Incident]:
        with self._read() as db:
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM incidents WHERE state != 'resolved' ORDER BY id"
            ).fetchall()
        return [_incident(row) for row in rows]

    def due_incident_work(self, now: datetime) -> list[Incident]:
        stamp = now.timestamp()
        with self._read() as db:
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM incidents WHERE (state = 'open' AND next_renotify_at <= ?)"
                " OR (state = 'snoozed' AND snoozed_until <= ?) ORDER BY id",
                (stamp, stamp),
            ).fetchall()
        return [_incident(row) for row in rows]

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
            write_audit(db, incident_id, now, actor, source, action, current.state, target, note)
            if notice is not None:
                self._enqueue_notice(db, current.key, notice, now)
            updated = _first(db, f"SELECT {_COLUMNS} FROM incidents WHERE id = ?", (incident_id,))
        return Transition(True, updated)


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
