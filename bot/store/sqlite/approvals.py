"""The SQLite store's approvals (bot.store.roles.ApprovalStore): one row per approval, its
record as JSON beside the columns a query needs, and its audit. Every change is one
IMMEDIATE transaction that reads the row and writes it back: SQLite's write lock makes
that a compare-and-set, between threads and between processes on the file alike.

The tables are made on first use, so a file an older mlpulse made gains them without a
migration step.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

from bot.core.approvals import Approval, ApprovalState, released, settled
from bot.store.approval_codec import (
    audit_entry,
    audit_expires_at,
    decode_approval,
    encode_approval,
    settled_action,
)
from bot.store.sqlite.database import Database

TABLES = """
CREATE TABLE IF NOT EXISTS approvals (
    id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    requested_at REAL NOT NULL,
    record TEXT NOT NULL,
    expires_at INTEGER NOT NULL  -- epoch seconds: when retention may delete it
);
CREATE INDEX IF NOT EXISTS approvals_state ON approvals (state, requested_at);
CREATE TABLE IF NOT EXISTS approval_audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    approval_id TEXT NOT NULL,
    at REAL NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    comment TEXT,
    request_id TEXT,
    note TEXT,
    expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS approval_audit_of ON approval_audit (approval_id, id);
"""
_AUDIT = ("at", "actor", "action", "comment", "request_id", "note")
_OPEN = (ApprovalState.PENDING.value, ApprovalState.DECIDING.value)


class ApprovalTables(Database):
    _approval_tables = False

    def _approvals_db(self) -> None:
        if not self._approval_tables:
            with self._lock:
                self._db.executescript(TABLES)
                self._approval_tables = True

    def open_approval(self, approval: Approval) -> Approval:
        self._approvals_db()
        with self._tx() as db:
            found = _row(db, approval.id)
            if found is not None:
                return found
            db.execute(
                "INSERT INTO approvals (id, state, requested_at, record, expires_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (
                    approval.id,
                    approval.state.value,
                    approval.requested_at.timestamp(),
                    encode_approval(approval),
                    approval.expires_at,
                ),
            )
            _audit(
                db,
                self.retention.audit,
                approval,
                audit_entry(approval.requested_at, "mlpulse", "asked"),
            )
        return approval

    def approval(self, approval_id: str) -> Approval | None:
        self._approvals_db()
        with self._read() as db:
            return _row(db, approval_id)

    def pending_approvals(self) -> list[Approval]:
        self._approvals_db()
        with self._read() as db:
            rows = db.execute(
                "SELECT record FROM approvals WHERE state IN (?, ?) ORDER BY requested_at, id",
                _OPEN,
            ).fetchall()
        return [decode_approval(row[0]) for row in rows]

    def claim_approval(self, claimed: Approval, now: datetime) -> tuple[bool, Approval | None]:
        self._approvals_db()
        with self._tx() as db:
            current = _row(db, claimed.id)
            if current is None or not current.claimable(now):
                return False, current
            _write(db, claimed)
            entry = audit_entry(
                now, claimed.actor or "?", f"claimed {claimed.verdict}", claimed.comment
            )
            _audit(db, self.retention.audit, claimed, entry)
        return True, claimed

    def settle_approval(
        self,
        approval_id: str,
        state: ApprovalState,
        now: datetime,
        *,
        actor: str | None = None,
        request_id: str | None = None,
        note: str | None = None,
    ) -> Approval | None:
        self._approvals_db()
        with self._tx() as db:
            current = _row(db, approval_id)
            ended = settled(current, state, now, actor, request_id, note) if current else None
            if current is None or ended is None:
                return None
            _write(db, ended)
            comment = current.comment if actor else None
            entry = audit_entry(
                now, actor or "mlpulse", settled_action(state), comment, request_id, note
            )
            _audit(db, self.retention.audit, ended, entry)
        return ended

    def release_approval(self, approval_id: str, actor: str, note: str, now: datetime) -> None:
        self._approvals_db()
        with self._tx() as db:
            current = _row(db, approval_id)
            back = released(current, actor, note) if current else None
            if back is not None:
                _write(db, back)
                _audit(db, self.retention.audit, back, audit_entry(now, actor, "failed", note=note))

    def approval_refused(self, approval_id: str, actor: str, what: str, now: datetime) -> None:
        self._approvals_db()
        with self._tx() as db:
            current = _row(db, approval_id)
            if current is not None:
                _audit(
                    db, self.retention.audit, current, audit_entry(now, actor, "refused", note=what)
                )

    def approval_audit(self, approval_id: str) -> list[dict[str, object]]:
        self._approvals_db()
        with self._read() as db:
            rows = db.execute(
                f"SELECT {', '.join(_AUDIT)} FROM approval_audit WHERE approval_id = ? ORDER BY id",
                (approval_id,),
            ).fetchall()
        return [dict(zip(_AUDIT, row, strict=True)) for row in rows]


def _row(db: sqlite3.Connection, approval_id: str) -> Approval | None:
    row = db.execute("SELECT record FROM approvals WHERE id = ?", (approval_id,)).fetchone()
    return decode_approval(row[0]) if row else None


def _write(db: sqlite3.Connection, approval: Approval) -> None:
    db.execute(
        "UPDATE approvals SET state = ?, record = ?, expires_at = ? WHERE id = ?",
        (approval.state.value, encode_approval(approval), approval.expires_at, approval.id),
    )


def _audit(
    db: sqlite3.Connection, kept: timedelta, approval: Approval, entry: dict[str, object]
) -> None:
    db.execute(
        "INSERT INTO approval_audit (approval_id, at, actor, action, comment, request_id, note,"
        " expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            approval.id,
            *(entry[name] for name in _AUDIT),
            audit_expires_at(approval, entry, kept),
        ),
    )
