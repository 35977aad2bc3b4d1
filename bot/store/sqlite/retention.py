"""Pruning the SQLite store: each kind of record is deleted once it is older than its
lifetime in the config (`retention`, bot.config.models.Retention), in small batches, one
short transaction each, so the writer lock is never held for long (the scheduler calls
`prune` every minute: bot.incidents.scheduler).

What is still needed is never pruned: a pending alert, an unresolved incident, and the
root message of a resource that has either. A resolved incident goes with the resources it
stood for (`incident_keys`); its audit entries stay for the audit's own lifetime.

Freed pages are given back to the file system a part at a time (incremental vacuum) once
they are a good share of the file: a store under steady traffic reuses them, so shrinking
the file only to grow it again would be writes for nothing.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

from bot.store.sqlite.dedup import DedupTables

BATCH = 500  # rows per table per transaction
_KEEP_FREE = 4  # vacuum once free pages are more than a quarter of the file

# A resource whose root must stay: it has pending alerts, or an unresolved incident.
_NEEDED_ROOTS = """
    SELECT key FROM outbox WHERE state = 'pending'
    UNION SELECT key FROM incidents INDEXED BY incidents_one_unresolved
          WHERE state != 'resolved'
    UNION SELECT k.key FROM incidents i INDEXED BY incidents_one_unresolved
          JOIN incident_keys k ON k.incident_id = i.id WHERE i.state != 'resolved'
"""


# Tables whose rows say when they may go, and what keeps a row however old.
_OWN_DATES = (
    ("approvals", "AND state NOT IN ('pending', 'deciding')"),
    ("approval_audit", ""),
)


class RetentionTables(DedupTables):
    def prune(self, now: datetime, limit: int = BATCH) -> int:
        """Delete up to `limit` expired records of each kind; how many went. Called again
        while it returns a full batch of any kind, it catches up with an old store."""
        life = self.retention

        def before(lifetime: timedelta) -> float:
            return (now - lifetime).timestamp()

        removed = 0
        removed += self._prune_dedup(before(life.dedup), limit)
        removed += self._batch(
            "DELETE FROM audit WHERE id IN (SELECT id FROM audit ORDER BY id LIMIT ?) AND at < ?",
            (limit, before(life.audit)),
        )
        removed += self._batch(
            "DELETE FROM roots WHERE key IN (SELECT key FROM roots WHERE state_time < ?"
            f" AND key NOT IN ({_NEEDED_ROOTS}) ORDER BY state_time LIMIT ?)",
            (before(life.roots), limit),
        )
        removed += self._batch(
            "DELETE FROM digests WHERE id IN (SELECT id FROM digests d WHERE opened < ?"
            " AND dirty = 0 AND NOT EXISTS (SELECT 1 FROM roots r WHERE r.digest_id = d.id)"
            " LIMIT ?)",
            (before(life.roots), limit),
        )
        removed += self._resolved_incidents(before(life.incidents), limit)
        removed += self._batch(
            "DELETE FROM silences WHERE id IN (SELECT id FROM silences WHERE announced = 1"
            " AND expires_at < ? LIMIT ?)",
            (before(life.silences), limit),
        )
        removed += self._batch(
            "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox"
            " WHERE state IN ('held', 'undeliverable') AND created < ? LIMIT ?)",
            (before(life.outbox), limit),
        )
        removed += self._expired_by_their_own_date(now.timestamp(), limit)
        if removed:
            self._give_back_pages()
        return removed

    def _expired_by_their_own_date(self, now: float, limit: int) -> int:
        """Records that carry their own `expires_at` (epoch seconds): settled approvals and
        their audit (bot.store.sqlite.approvals; their tables are made on first use, so an
        older file may not have them). Slack request digests prune themselves as they are
        written (bot.store.sqlite.requests)."""
        removed = 0
        for table, still_needed in _OWN_DATES:
            if self._has_table(table):
                removed += self._batch(
                    f"DELETE FROM {table} WHERE rowid IN (SELECT rowid FROM {table}"
                    f" WHERE expires_at < ? {still_needed} LIMIT ?)",
                    (now, limit),
                )
        return removed

    def _has_table(self, name: str) -> bool:
        with self._read() as db:
            found = db.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
            ).fetchone()
        return found is not None

    def _batch(self, sql: str, args: tuple[float | int, ...]) -> int:
        with self._tx() as db:
            return int(db.execute(sql, args).rowcount)

    def _resolved_incidents(self, before: float, limit: int) -> int:
        with self._tx() as db:
            ids = [
                (row[0],)
                for row in db.execute(
                    "SELECT id FROM incidents WHERE state = 'resolved' AND updated_at < ? LIMIT ?",
                    (before, limit),
                )
            ]
            db.executemany("DELETE FROM incident_keys WHERE incident_id = ?", ids)
            db.executemany("DELETE FROM incidents WHERE id = ?", ids)
        return len(ids)

    def _give_back_pages(self) -> None:
        with self._read() as db:
            free = _pragma(db, "freelist_count")
            if free * _KEEP_FREE > _pragma(db, "page_count") and _pragma(db, "auto_vacuum"):
                # As a script: stepped once, as execute() does, it frees one page only.
                db.executescript(f"PRAGMA incremental_vacuum({free // 2});")

    def size(self) -> int:
        """Bytes the store's pages take (the file, less its free pages)."""
        with self._read() as db:
            used = _pragma(db, "page_count") - _pragma(db, "freelist_count")
            return used * _pragma(db, "page_size")


def _pragma(db: sqlite3.Connection, name: str) -> int:
    return int(db.execute(f"PRAGMA {name}").fetchone()[0])
