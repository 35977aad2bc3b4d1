"""The SQLite store's incidents (the rules are bot.core.incident's). A unique index allows
one unresolved incident per series; a transition is an UPDATE on the condition that state
and re-notify count are still the ones read (compare-and-set), audited and its notice
queued in the same transaction. `incident_keys` lists the resources each incident stands
for: the one that opened it, and each whose failure joined it (counted once each)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime

from bot.core.events import Event
from bot.core.incident import (
    ALLOWED,
    AUTOMATIC,
    FAILED_AGAIN,
    TARGET,
    Action,
    Incident,
    Source,
    State,
    Transition,
    due,
    failed_again,
    recovered_by,
)
from bot.store.records import IncidentChange, Notice
from bot.store.sqlite.audit import write_audit
from bot.store.sqlite.database import Database, key_parts
from bot.store.sqlite.incident_rows import COLUMNS, by_id, first, seconds, to_incident

_QUALIFIED = ", ".join(f"i.{column.strip()}" for column in COLUMNS.split(","))

# Only the unresolved incidents, through the index that holds just them: resolved ones
# pile up (for `retention.incidents`) and must not make these reads slower.
UNRESOLVED = "INDEXED BY incidents_one_unresolved"


class IncidentTables(Database):
    # --- applied while accepting events, inside the accept transaction

    def _apply_change(
        self, db: sqlite3.Connection, event: Event, change: IncidentChange, now: datetime
    ) -> None:
        series = event.series or event.key
        current = first(
            db,
            f"SELECT {COLUMNS} FROM incidents WHERE series = ? AND state != 'resolved'",
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
            db.execute(
                "INSERT INTO incident_keys (key, incident_id) VALUES (?, ?)",
                (event.key, cursor.lastrowid),
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
        elif change.open and current is not None:
            self._join(db, current, event, change, now)
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

    def _join(
        self,
        db: sqlite3.Connection,
        current: Incident,
        event: Event,
        change: IncidentChange,
        now: datetime,
    ) -> None:
        """A failure of the series while `current` is unresolved: a repeat failure, once
        per resource (the resource that opened it, or one already counted, adds nothing)."""
        if (
            event.key == current.key
            or db.execute(
                "SELECT 1 FROM incident_keys WHERE key = ? AND incident_id = ?",
                (event.key, current.id),
            ).fetchone()
        ):
            return
        repeat = failed_again(current, event.time, change.renotify_at, change.max_renotify)
        joined = repeat.incident
        db.execute(
            "UPDATE incidents SET failures = ?, since = ?, last_failure_at = ?,"
            " renotify_count = ?, next_renotify_at = ? WHERE id = ?",
            (
                joined.failures,
                seconds(joined.since),
                seconds(joined.last_failure_at),
                joined.renotify_count,
                seconds(joined.next_renotify_at),
                current.id,
            ),
        )
        db.execute(
            "INSERT INTO incident_keys (key, incident_id) VALUES (?, ?)", (event.key, current.id)
        )
        write_audit(
            db,
            current.id,
            now,
            AUTOMATIC,
            Source.AUTO,
            FAILED_AGAIN,
            current.state,
            current.state,
            event.key,
        )
        if change.repeated is not None:
            self._enqueue_notice(db, current.key, change.repeated(repeat), now)

    # --- reads

    def incident(self, incident_id: int) -> Incident | None:
        with self._read() as db:
            return by_id(db, incident_id)

    def incident_for_key(self, key: str) -> Incident | None:
        return self.incidents_for_keys([key]).get(key)

    def incidents_for_keys(self, keys: Sequence[str]) -> dict[str, Incident]:
        # Incidents opened before incident_keys was kept are found by their own key.
        found: dict[str, Incident] = {}
        with self._read() as db:
            for part, marks in key_parts(keys):
                rows = db.execute(
                    f"SELECT latest.key, {_QUALIFIED} FROM incidents i JOIN"
                    " (SELECT key, MAX(id) AS id FROM"
                    f" (SELECT key, id FROM incidents WHERE key IN ({marks})"
                    f" UNION ALL SELECT key, incident_id FROM incident_keys WHERE key IN ({marks}))"
                    " GROUP BY key) latest ON i.id = latest.id",
                    (*part, *part),
                ).fetchall()
                found.update((row[0], to_incident(row[1:])) for row in rows)
        return found

    def unresolved_incidents(self) -> list[Incident]:
        with self._read() as db:
            rows = db.execute(
                f"SELECT {COLUMNS} FROM incidents {UNRESOLVED} WHERE state != 'resolved'"
                " ORDER BY id"
            ).fetchall()
        return [to_incident(row) for row in rows]

    def due_incident_work(self, now: datetime) -> list[Incident]:
        stamp = now.timestamp()
        with self._read() as db:
            rows = db.execute(
                f"SELECT {COLUMNS} FROM incidents {UNRESOLVED} WHERE state != 'resolved'"
                " AND ((state = 'open' AND next_renotify_at <= ?)"
                " OR (state = 'snoozed' AND snoozed_until <= ?)) ORDER BY id",
                (stamp, stamp),
            ).fetchall()
        return [to_incident(row) for row in rows]

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
            current = by_id(db, incident_id)
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
                latest = by_id(db, incident_id)
                return Transition(False, latest or current)
            write_audit(db, incident_id, now, actor, source, action, current.state, target, note)
            if notice is not None:
                self._enqueue_notice(db, current.key, notice, now)
            updated = by_id(db, incident_id)
        return Transition(True, updated)
