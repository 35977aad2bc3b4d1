"""The SQLite store's record of Slack requests already taken (bot.ingress.slack.replays):
one row per request body digest, kept until its `expires_at` (epoch seconds).

The table is created here on first use, apart from schema.py, as the one record whose
loss costs little: a row written with synchronous=NORMAL (WAL: no fsync per commit) may be
lost to a power cut, and then a replay within 10 minutes of it would be taken again. That
keeps a disk flush off every Slack acknowledgement. Expired rows are deleted as new ones
come, so the table holds about 10 minutes of requests.
"""

from __future__ import annotations

import sqlite3
from contextlib import suppress
from datetime import datetime

from bot.core.errors import StoreError
from bot.store.sqlite.database import Database

TABLE = """
CREATE TABLE IF NOT EXISTS slack_requests (
    digest TEXT PRIMARY KEY,
    expires_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS slack_requests_expiry ON slack_requests (expires_at);
"""


class RequestTables(Database):
    _requests_table = False

    def first_request(self, digest: str, now: datetime, expires_at: datetime) -> bool:
        with self._lock:
            try:
                if not self._requests_table:
                    self._db.executescript(TABLE)
                    self._requests_table = True
                self._db.execute("PRAGMA synchronous=NORMAL")
            except sqlite3.Error as error:
                raise StoreError(f"SQLite store {self.path}: {error}") from error
            try:
                with self._tx() as db:
                    return _record(db, digest, now.timestamp(), expires_at.timestamp())
            finally:
                with suppress(sqlite3.Error):  # a closed store said so already
                    self._db.execute("PRAGMA synchronous=FULL")


def _record(db: sqlite3.Connection, digest: str, now: float, expires_at: float) -> bool:
    db.execute("DELETE FROM slack_requests WHERE expires_at <= ?", (now,))
    inserted = db.execute(
        "INSERT OR IGNORE INTO slack_requests (digest, expires_at) VALUES (?, ?)",
        (digest, expires_at),
    )
    return inserted.rowcount == 1
