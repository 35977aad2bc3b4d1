"""The SQLite store's burst digests (bot.delivery.bursts): one message that stands for
many resources when a burst would outrun Slack's pace. A member resource's root row points
at its digest (`roots.digest_id`) and keeps its own latest state there, as any root does."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.events import Event
from bot.core.ordering import order
from bot.store.records import Digest, OutboxItem, Sending, encode_decision
from bot.store.sqlite.database import Database

_DIGEST_COLUMNS = "id, channel, posted_channel, ts, opened, refreshed, dirty, in_flight"


class DigestTables(Database):
    def open_digest(self, channel: str, now: datetime, window: float, capacity: int) -> Digest:
        with self._tx() as db:
            row = db.execute(
                f"SELECT {_DIGEST_COLUMNS} FROM digests d WHERE channel = ? AND opened > ?"
                " AND (SELECT COUNT(*) FROM roots r WHERE r.digest_id = d.id) < ?"
                " ORDER BY id DESC LIMIT 1",
                (channel, now.timestamp() - window, capacity),
            ).fetchone()
            if row is None:
                cursor = db.execute(
                    "INSERT INTO digests (channel, opened) VALUES (?, ?)",
                    (channel, now.timestamp()),
                )
                row = db.execute(
                    f"SELECT {_DIGEST_COLUMNS} FROM digests WHERE id = ?", (cursor.lastrowid,)
                ).fetchone()
        return _digest(row)

    def join_digest(self, digest: Digest, item: OutboxItem) -> None:
        """The item's resource becomes a member of the digest; the item is done."""
        assert item.event is not None
        when, rank, depth = order(item.event)
        with self._tx() as db:
            db.execute(
                "INSERT INTO roots (key, channel, ts, state_time, state_rank, state_depth,"
                " event, decision, digest_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(key) DO UPDATE SET digest_id = excluded.digest_id,"
                " state_time = excluded.state_time, state_rank = excluded.state_rank,"
                " state_depth = excluded.state_depth, event = excluded.event,"
                " decision = excluded.decision",
                (
                    item.key,
                    digest.posted_channel or digest.channel,
                    digest.ts or "",
                    when,
                    rank,
                    depth,
                    item.event.model_dump_json(),
                    encode_decision(item.decision),
                    digest.id,
                ),
            )
            db.execute("UPDATE digests SET dirty = 1 WHERE id = ?", (digest.id,))
            db.execute("DELETE FROM outbox WHERE id = ?", (item.id,))

    def touch_digest(self, digest_id: int) -> None:
        with self._tx() as db:
            db.execute("UPDATE digests SET dirty = 1 WHERE id = ?", (digest_id,))

    def dirty_digests(self) -> list[Digest]:
        with self._read() as db:
            rows = db.execute(
                f"SELECT {_DIGEST_COLUMNS} FROM digests WHERE dirty = 1 ORDER BY id"
            ).fetchall()
        return [_digest(row) for row in rows]

    def digest_members(self, digest_id: int) -> list[Event]:
        with self._read() as db:
            rows = db.execute(
                "SELECT event FROM roots WHERE digest_id = ? ORDER BY state_time DESC",
                (digest_id,),
            ).fetchall()
        return [Event.model_validate_json(row[0]) for row in rows]

    def digest_sending(self, digest_id: int, owner: str, until: datetime, now: datetime) -> Sending:
        with self._tx() as db:
            row = db.execute(
                "SELECT ts, in_flight, sender, sending_until FROM digests WHERE id = ?",
                (digest_id,),
            ).fetchone()
            if row is None or row[0]:
                return Sending.BUSY
            _, in_flight, sender, sending_until = row
            live = sending_until is not None and sending_until > now.timestamp()
            if in_flight and live and sender != owner:
                return Sending.BUSY
            db.execute(
                "UPDATE digests SET in_flight = 1, sender = ?, sending_until = ? WHERE id = ?",
                (owner, until.timestamp(), digest_id),
            )
        return Sending.AGAIN if in_flight else Sending.FIRST

    def digest_posted(self, digest_id: int, channel: str, ts: str, now: datetime) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE digests SET posted_channel = ?, ts = ?, refreshed = ?, dirty = 0,"
                " in_flight = 0 WHERE id = ?",
                (channel, ts, now.timestamp(), digest_id),
            )
            db.execute(
                "UPDATE roots SET channel = ?, ts = ? WHERE digest_id = ?", (channel, ts, digest_id)
            )

    def digest_refreshed(self, digest_id: int, now: datetime) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE digests SET refreshed = ?, dirty = 0 WHERE id = ?",
                (now.timestamp(), digest_id),
            )


def _digest(row: tuple[object, ...]) -> Digest:
    def when(value: object) -> datetime | None:
        return datetime.fromtimestamp(float(value), UTC) if isinstance(value, int | float) else None

    opened = when(row[4])
    assert opened is not None
    return Digest(
        id=int(str(row[0])),
        channel=str(row[1]),
        posted_channel=str(row[2]) if row[2] else None,
        ts=str(row[3]) if row[3] else None,
        opened=opened,
        refreshed=when(row[5]),
        dirty=bool(row[6]),
        in_flight=bool(row[7]),
    )
