"""The SQLite store's incident rows as the records the rest of mlpulse sees
(bot.core.incident.Incident), and the reads bot.store.sqlite.incidents makes of them."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Any

from bot.core.incident import Action, Incident, State

COLUMNS = (
    "id, series, key, title, state, opened_at, updated_at, actor, last_action,"
    " snoozed_until, renotify_count, next_renotify_at, note, since, failures, last_failure_at"
)


def first(db: sqlite3.Connection, sql: str, args: tuple[Any, ...]) -> Incident | None:
    """The first incident `sql` (selecting COLUMNS) finds, if any."""
    row = db.execute(sql, args).fetchone()
    return to_incident(row) if row else None


def by_id(db: sqlite3.Connection, incident_id: int) -> Incident | None:
    return first(db, f"SELECT {COLUMNS} FROM incidents WHERE id = ?", (incident_id,))


def seconds(value: datetime | None) -> float | None:
    return value.timestamp() if value is not None else None


def _when(value: float | None) -> datetime | None:
    return datetime.fromtimestamp(value, UTC) if value is not None else None


def to_incident(row: tuple[Any, ...]) -> Incident:
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
        failures=row[14],
        last_failure_at=_when(row[15]),
    )
