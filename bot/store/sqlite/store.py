"""The SQLite store (`MLPULSE_STORE=sqlite:///PATH`): the Store protocol (bot.store.roles)
on one file, for one process (a second one on the same file waits for the write lock).

Its parts share one connection (bot.store.sqlite.database) and each keeps its tables:
dedup.py, outbox.py, roots.py, incidents.py, audit.py, silences.py, digests.py; schema.py has them
all (requests.py keeps its own; approvals.py's are made on first use); retention.py prunes
them. `accept` is here: its one transaction touches them all.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.core.decision import Decision
from bot.core.events import Event
from bot.store.records import IncidentChange, encode_decision
from bot.store.sqlite.approvals import ApprovalTables
from bot.store.sqlite.audit import AuditTables
from bot.store.sqlite.digests import DigestTables
from bot.store.sqlite.incidents import IncidentTables
from bot.store.sqlite.outbox import OutboxTables
from bot.store.sqlite.requests import RequestTables
from bot.store.sqlite.retention import RetentionTables
from bot.store.sqlite.roots import RootTables
from bot.store.sqlite.silences import SilenceTables


class SqliteStore(
    OutboxTables,
    RootTables,
    IncidentTables,
    AuditTables,
    SilenceTables,
    DigestTables,
    RequestTables,
    ApprovalTables,
    RetentionTables,
):
    """The store in the SQLite file at `path` (created, with its folders, if missing),
    keeping records as long as `retention` says (bot.store.sqlite.retention)."""

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
                if self._seen_before(db, event):
                    accepted.append(False)
                    continue
                self._remember(db, event, stamp)
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


__all__ = ["SqliteStore"]
