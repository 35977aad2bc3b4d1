"""The SQLite store's memory of accepted events (`seen_digests`): one row an event, kept for
the dedup lifetime (bot.config.models.Retention).

The row holds the event's deciding dedup id (`deciding_id`: matching it is matching any of
Event.dedup_ids) as a 16-byte BLAKE2b digest, keyed after the event's own time in whole
seconds, in a WITHOUT ROWID table: one B-tree of short keys, where events of the same
minutes are neighbours, so a transaction's inserts touch a few pages (issue 20). Before,
a table with a rowid (`seen`) kept both ids of an event as text: two trees, one of them
keyed by the long random ids, so each transaction wrote back a page an id, and at a
million events, events a CPU-second had fallen 8 %. Two digests of the same second would
have to collide to drop an event wrongly: at 128 bits, not within any store's life.

Its rows are not in order of age, so pruning sweeps the table in key order, a slice a
call, on from where the last call stopped (`_prune_dedup`): a row goes within its lifetime
plus one sweep (a prune a minute looks at SWEEP rows: 1.4M rows, a week at 200,000 events
a day, in about 70 minutes).

A file made by an older mlpulse keeps its `seen` table: while it has rows a lookup reads it
too, and pruning empties it within the dedup lifetime, after which (noted once a process)
it is read no more. Nothing is copied across.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator

from bot.core.events import Event
from bot.store.sqlite.database import Database

SWEEP = 20_000  # rows a prune call looks at, at most (about 150 pages)


def digest(dedup_id: str) -> bytes:
    return hashlib.blake2b(dedup_id.encode(), digest_size=16).digest()


class DedupTables(Database):
    # Whether the older `seen` table may still have rows: unknown (None) until first asked.
    _old_seen: bool | None = None
    # Where the next prune's sweep starts: after this key (None: at the table's start).
    _sweep_from: tuple[int, bytes] | None = None

    def _seen_before(self, db: sqlite3.Connection, event: Event) -> bool:
        """Whether any of the event's dedup ids was remembered, inside the caller's
        transaction `db`."""
        if db.execute(
            "SELECT 1 FROM seen_digests WHERE at = ? AND digest = ?",
            (_at(event), digest(deciding_id(event))),
        ).fetchone():
            return True
        if self._old_seen is None:
            self._old_seen = _has_rows(db, "seen")
        ids = event.dedup_ids
        marks = ",".join("?" * len(ids))
        return bool(
            self._old_seen
            and db.execute(f"SELECT 1 FROM seen WHERE dedup_id IN ({marks})", ids).fetchone()
        )

    def _remember(self, db: sqlite3.Connection, event: Event, stamp: float) -> None:
        db.execute(
            "INSERT INTO seen_digests (at, digest, seen_at) VALUES (?, ?, ?)",
            (_at(event), digest(deciding_id(event)), int(stamp)),
        )

    def _prune_dedup(self, before: float, limit: int) -> int:
        """Delete up to `limit` dedup rows accepted before `before`, looking at SWEEP rows
        at most, on from where the last call stopped; how many went."""
        with self._tx() as db:
            removed = self._prune_old_seen(db, before, limit)
            expired: list[tuple[int, bytes]] = []
            start = self._sweep_from
            for at, key, seen_at in _sweep(db, start):
                start = (at, key)
                if seen_at < before:
                    expired.append(start)
                    if len(expired) == limit:
                        break
            db.executemany("DELETE FROM seen_digests WHERE at = ? AND digest = ?", expired)
            self._sweep_from = start
        return removed + len(expired)

    def _prune_old_seen(self, db: sqlite3.Connection, before: float, limit: int) -> int:
        """An older file's `seen`, from its oldest rows (rowid order); once empty, it is
        not looked at again by this process."""
        if self._old_seen is None:
            self._old_seen = _has_rows(db, "seen")
        if not self._old_seen:
            return 0
        removed = int(
            db.execute(
                "DELETE FROM seen WHERE rowid IN (SELECT rowid FROM seen ORDER BY rowid LIMIT ?)"
                " AND seen_at < ?",
                (limit, before),
            ).rowcount
        )
        if removed < limit:
            self._old_seen = _has_rows(db, "seen")
        return removed


def deciding_id(event: Event) -> str:
    """The one dedup id that decides: an event with its own time has a state id
    (`state:<fingerprint>`), and its delivery id (`id:<id>:<fingerprint>`) holds the same
    fingerprint, so whatever matches the delivery id matches the state id too; an event
    without its time has the delivery id only."""
    ids = event.dedup_ids
    return next((i for i in ids if i.startswith("state:")), ids[0])


def _at(event: Event) -> int:
    """The event's own time, in whole seconds, that both its dedup ids stand for (0 when
    it has none: then its one id does not hold its receive time either)."""
    return int(event.time.timestamp()) if event.time_known else 0


def _sweep(
    db: sqlite3.Connection, start: tuple[int, bytes] | None
) -> Iterator[tuple[int, bytes, int]]:
    """Up to SWEEP rows in key order after `start`, then on from the table's start up to
    `start` itself (each row once)."""
    looked = 0
    if start is not None:
        for row in db.execute(
            "SELECT at, digest, seen_at FROM seen_digests WHERE (at, digest) > (?, ?)"
            " ORDER BY at, digest LIMIT ?",
            (*start, SWEEP),
        ):
            looked += 1
            yield row
    yield from db.execute(
        "SELECT at, digest, seen_at FROM seen_digests WHERE (at, digest) <= (?, ?)"
        " ORDER BY at, digest LIMIT ?",
        (*(start or (2**62, b"")), SWEEP - looked),
    )


def _has_rows(db: sqlite3.Connection, table: str) -> bool:
    exists = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).fetchone()
    return bool(exists and db.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone())
