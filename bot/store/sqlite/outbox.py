"""The SQLite store's outbox: accepted alerts and notices on their way to Slack.

A resource's items go out in id order: only its oldest pending item is due. An item is
leased to one replica at a time (`lease_owner`, `lease_until`); `stage` and `in_flight`
record how far delivery got, so a retry never repeats a step that reached Slack.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from bot.core.decision import Decision
from bot.store.records import Notice, OutboxItem, decode_decision, decode_event, encode_decision
from bot.store.sqlite.database import Database
from bot.store.sqlite.roots import advance_root, put_root
from bot.store.writes import (
    ITEM_WRITES,
    AdvanceState,
    Claim,
    Complete,
    ItemChange,
    MarkInFlight,
    Progress,
    RetryLater,
    SetRoot,
    Write,
    item_changes,
)

_ITEM_COLUMNS = (
    "o.id, o.key, o.event, o.decision, o.attempts, o.stage, o.created, o.next_attempt,"
    " o.in_flight, o.notice"
)


class OutboxTables(Database):
    def enqueue_notice(self, key: str, notice: Notice, now: datetime) -> None:
        with self._tx() as db:
            self._enqueue_notice(db, key, notice, now)

    def due(self, now: datetime, limit: int) -> list[OutboxItem]:
        with self._read() as db:
            rows = db.execute(
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

    def claim(
        self,
        item_id: int,
        owner: str,
        until: datetime,
        now: datetime,
        *,
        sending: int | None = None,
        before: Sequence[Write] = (),
    ) -> OutboxItem | None:
        (item,) = self.claim_batch([Claim(item_id, sending)], owner, until, now, before=before)
        return item

    def claim_batch(
        self,
        claims: Sequence[Claim],
        owner: str,
        until: datetime,
        now: datetime,
        *,
        before: Sequence[Write] = (),
    ) -> list[OutboxItem | None]:
        with self._tx() as db:
            apply_all(db, before)
            return [_lease(db, claim, owner, until, now) for claim in claims]

    def write(self, writes: Sequence[Write]) -> None:
        if writes:
            with self._tx() as db:
                apply_all(db, writes)

    def progress(self, item_id: int, stage: int) -> None:
        self.write([Progress(item_id, stage)])

    def mark_in_flight(self, item_id: int) -> None:
        self.write([MarkInFlight(item_id)])

    def retry_later(self, item_id: int, when: datetime, error: str, count: bool = True) -> None:
        self.write([RetryLater(item_id, when, error, count)])

    def complete(self, item_id: int) -> None:
        self.write([Complete(item_id)])

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
        with self._read() as db:
            row = db.execute("SELECT COUNT(*) FROM outbox WHERE state = 'pending'").fetchone()
        return int(row[0])


def _lease(
    db: sqlite3.Connection, claim: Claim, owner: str, until: datetime, now: datetime
) -> OutboxItem | None:
    """One item of a claim inside the caller's transaction `db` (OutboxStore.claim): read
    and leased under the transaction's write lock, so nothing changes in between."""
    row = db.execute(
        f"SELECT {_ITEM_COLUMNS} FROM outbox o WHERE o.id = ? AND o.state = 'pending'"
        " AND (o.lease_until IS NULL OR o.lease_until <= ? OR o.lease_owner = ?)",
        (claim.item_id, now.timestamp(), owner),
    ).fetchone()
    if row is None:
        return None
    item = _outbox_item(row)
    marked = claim.sending is not None and item.stage == claim.sending and not item.in_flight
    db.execute(
        "UPDATE outbox SET lease_owner = ?, lease_until = ?, in_flight = in_flight OR ?"
        " WHERE id = ?",
        (owner, until.timestamp(), marked, claim.item_id),
    )
    return replace(item, marked=True) if marked else item


def apply_all(db: sqlite3.Connection, writes: Sequence[Write]) -> None:
    """Apply `writes` inside the caller's transaction `db`, as applying them in order would
    leave the store: each outbox item's writes folded into one statement
    (bot.store.writes.item_changes), made where its last write was. Kept in delivery's
    order, the tables' pages split and merge as they would write by write: made in
    another order, a batch's records dirtied a page more (issue 20's backlog figure)."""
    changes = item_changes(writes)
    last = {w.item_id: index for index, w in enumerate(writes) if isinstance(w, ITEM_WRITES)}
    for index, write in enumerate(writes):
        if isinstance(write, SetRoot):
            put_root(db, write)
        elif isinstance(write, AdvanceState):
            advance_root(db, write)
        elif last[write.item_id] == index:
            _change_item(db, write.item_id, changes[write.item_id])


def _change_item(db: sqlite3.Connection, item_id: int, change: ItemChange) -> None:
    if change.done:
        db.execute("DELETE FROM outbox WHERE id = ?", (item_id,))
        return
    sets: list[str] = []
    values: list[Any] = []
    if change.stage is not None:
        sets.append("stage = ?")
        values.append(change.stage)
    if change.in_flight is not None:
        sets.append("in_flight = ?")
        values.append(int(change.in_flight))
    if change.next_attempt is not None:
        sets += ["next_attempt = ?", "last_error = ?"]
        values += [change.next_attempt, change.error]
    if change.attempts:
        sets.append("attempts = attempts + ?")
        values.append(change.attempts)
    if sets:
        db.execute(f"UPDATE outbox SET {', '.join(sets)} WHERE id = ?", (*values, item_id))


def _outbox_item(row: Sequence[Any]) -> OutboxItem:
    """An outbox row, selected as _ITEM_COLUMNS, as the record the rest of mlpulse sees."""
    return OutboxItem(
        id=row[0],
        key=row[1],
        event=decode_event(row[2]) if row[2] else None,
        decision=decode_decision(row[3]),
        attempts=row[4],
        stage=row[5],
        created=datetime.fromtimestamp(row[6], UTC),
        next_attempt=datetime.fromtimestamp(row[7], UTC),
        in_flight=bool(row[8]),
        notice=Notice.decode(row[9]) if row[9] else None,
    )
