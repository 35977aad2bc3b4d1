"""The SQLite store's root messages: one row per resource, the Slack message standing for
it and the state it shows. A root only moves forward: advance_state updates the row on the
condition that the state it shows is older (bot.core.ordering.order: its time, rank and
failed part's depth, compared as one row value)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from bot.core.decision import Decision
from bot.core.events import Event
from bot.core.ordering import order
from bot.store.records import (
    RootMessage,
    decode_decision,
    decode_event,
    encode_decision,
    encode_event,
)
from bot.store.sqlite.database import Database, key_parts
from bot.store.writes import AdvanceState, SetRoot


class RootTables(Database):
    def root(self, key: str) -> RootMessage | None:
        return self.roots([key]).get(key)

    def roots(self, keys: Sequence[str]) -> dict[str, RootMessage]:
        found: dict[str, RootMessage] = {}
        with self._read() as db:
            for part, marks in key_parts(keys):
                rows = db.execute(
                    "SELECT key, channel, ts, event, decision, digest_id FROM roots"
                    f" WHERE key IN ({marks})",
                    part,
                ).fetchall()
                for row in rows:
                    event = decode_event(row[3])
                    found[row[0]] = RootMessage(
                        row[0], row[1], row[2], event, decode_decision(row[4]), row[5]
                    )
        return found

    def set_root(
        self, key: str, channel: str, ts: str, event: Event, decision: Decision | None = None
    ) -> None:
        with self._tx() as db:
            put_root(db, SetRoot(key, channel, ts, event, decision))

    def advance_state(self, key: str, event: Event, decision: Decision | None = None) -> bool:
        with self._tx() as db:
            return advance_root(db, AdvanceState(key, event, decision))


def put_root(db: sqlite3.Connection, write: SetRoot) -> None:
    """The resource's root is now the message `write` names, showing its event."""
    when, rank, depth = order(write.event)
    db.execute(
        "INSERT INTO roots (key, channel, ts, state_time, state_rank, state_depth,"
        " event, decision) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT(key) DO UPDATE SET channel = excluded.channel, ts = excluded.ts,"
        " state_time = excluded.state_time, state_rank = excluded.state_rank,"
        " state_depth = excluded.state_depth, event = excluded.event,"
        " decision = excluded.decision, digest_id = NULL",
        (
            write.key,
            write.channel,
            write.ts,
            when,
            rank,
            depth,
            encode_event(write.event),
            encode_decision(write.decision),
        ),
    )


def advance_root(db: sqlite3.Connection, write: AdvanceState) -> bool:
    """The root shows `write.event` if it is newer than what it shows; True if it moved."""
    when, rank, depth = order(write.event)
    decision = write.decision
    changed = db.execute(
        "UPDATE roots SET state_time = ?, state_rank = ?, state_depth = ?, event = ?,"
        " decision = COALESCE(?, decision) WHERE key = ?"
        " AND (state_time, state_rank, state_depth) < (?, ?, ?)",
        (
            when,
            rank,
            depth,
            encode_event(write.event),
            encode_decision(decision) if decision is not None else None,
            write.key,
            when,
            rank,
            depth,
        ),
    ).rowcount
    return bool(changed == 1)
