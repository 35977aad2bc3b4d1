"""The SQLite store's audit: every incident transition, every silence, every refused
command, with who did it, when and from where. Rows are written inside the transaction of
the change they record (`write_audit`), so the audit never misses or invents one."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from bot.core.incident import Source, State
from bot.store.sqlite.database import Database

_COLUMNS = ("at", "actor", "source", "action", "from_state", "to_state", "note")


class AuditTables(Database):
    def audit(self, incident_id: int) -> list[dict[str, object]]:
        with self._read() as db:
            rows = db.execute(
                f"SELECT {', '.join(_COLUMNS)} FROM audit WHERE incident_id = ? ORDER BY id",
                (incident_id,),
            ).fetchall()
        return [dict(zip(_COLUMNS, row, strict=True)) for row in rows]

    def record_refusal(
        self, actor: str, what: str, now: datetime, source: Source = Source.COMMAND
    ) -> None:
        with self._tx() as db:
            write_audit(db, None, now, actor, source, "refused", None, None, what)


def write_audit(
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
    """One audit row, in the caller's transaction `db`; `incident_id` None for a silence
    or a refusal."""
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
