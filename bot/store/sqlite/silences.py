"""The SQLite store's silences: patterns that hold matching alerts back until they expire.
`held` counts the alerts each kept from Slack (bot.store.sqlite.store adds to it while
accepting). A silence's start and its end are announced in the transaction that records
them, its end only once (`announced`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bot.core.incident import Source
from bot.store.records import Notice, Silence
from bot.store.sqlite.audit import write_audit
from bot.store.sqlite.database import Database

_COLUMNS = "id, pattern, created_by, created_at, expires_at, channel, held"


class SilenceTables(Database):
    def add_silence(
        self,
        pattern: str,
        until: datetime,
        actor: str,
        channel: str,
        now: datetime,
        announce: Callable[[Silence], Notice] | None = None,
    ) -> Silence:
        with self._tx() as db:
            cursor = db.execute(
                "INSERT INTO silences (pattern, created_by, created_at, expires_at, channel)"
                " VALUES (?, ?, ?, ?, ?)",
                (pattern, actor, now.timestamp(), until.timestamp(), channel),
            )
            note = f"{pattern} until {until:%Y-%m-%d %H:%M} UTC"
            write_audit(db, None, now, actor, Source.COMMAND, "silence", None, None, note)
            silence = Silence(int(cursor.lastrowid or 0), pattern, actor, now, until, channel)
            if announce is not None:  # in the same transaction: never a silent silence
                self._enqueue_notice(db, f"silence:{silence.id}", announce(silence), now)
        return silence

    def active_silences(self, now: datetime) -> list[Silence]:
        with self._read() as db:
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM silences WHERE expires_at > ? ORDER BY id",
                (now.timestamp(),),
            ).fetchall()
        return [_silence(row) for row in rows]

    def expire_silences(
        self, now: datetime, announce: Callable[[Silence], Notice] | None = None
    ) -> list[Silence]:
        with self._tx() as db:
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM silences WHERE expires_at <= ? AND announced = 0"
                " ORDER BY id",
                (now.timestamp(),),
            ).fetchall()
            db.executemany(
                "UPDATE silences SET announced = 1 WHERE id = ?", [(r[0],) for r in rows]
            )
            ended = [_silence(row) for row in rows]
            if announce is not None:
                for silence in ended:
                    self._enqueue_notice(db, f"silence:{silence.id}", announce(silence), now)
        return ended


def _silence(row: tuple[Any, ...]) -> Silence:
    return Silence(
        id=row[0],
        pattern=row[1],
        created_by=row[2],
        created_at=datetime.fromtimestamp(row[3], UTC),
        expires_at=datetime.fromtimestamp(row[4], UTC),
        channel=row[5],
        held=row[6],
    )
