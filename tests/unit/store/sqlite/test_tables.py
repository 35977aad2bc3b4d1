"""What the SQLite file holds beyond the Store protocol, read as another process (or an
operator with the sqlite3 shell) would: each outbox item's last error, bounded; parked
items kept as undeliverable; and a schema that holds one unresolved incident per series
whoever writes to the file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.store import IncidentChange
from bot.store.sqlite.store import SqliteStore
from tests.unit.store.conftest import ROUTED, T0, alarm, event, later
from tests.unit.store.sqlite.conftest import rows


def test_an_item_keeps_its_last_error_bounded(store: SqliteStore, db_path: Path) -> None:
    store.accept([(event("a"), ROUTED)], T0)
    (item,) = store.due(T0, 1)

    store.retry_later(item.id, later(1), "HTTP 500")
    store.retry_later(item.id, later(2), "429 Retry-After 1", count=False)
    assert rows(db_path, "SELECT last_error FROM outbox") == [("429 Retry-After 1",)]

    store.retry_later(item.id, later(3), "x" * 100_000)
    ((error,),) = rows(db_path, "SELECT last_error FROM outbox")
    assert 0 < len(error) <= 1000


def test_a_parked_item_stays_in_the_file_as_undeliverable(
    store: SqliteStore, db_path: Path
) -> None:
    store.accept([(event("a"), ROUTED)], T0)
    (item,) = store.due(T0, 1)

    store.give_up(item.id, "invalid_blocks")

    assert rows(db_path, "SELECT id, state, last_error FROM outbox") == [
        (item.id, "undeliverable", "invalid_blocks")
    ]


def test_the_schema_holds_one_unresolved_incident_per_series(store: SqliteStore) -> None:
    store.accept([(alarm(), ROUTED)], T0, [IncidentChange(open=True)])
    (incident,) = store.unresolved_incidents()

    with pytest.raises(sqlite3.IntegrityError):
        store._db.execute(
            "INSERT INTO incidents (series, key, title, state, opened_at, updated_at)"
            " VALUES (?, 'k', 't', 'open', 0, 0)",
            (incident.series,),
        )
