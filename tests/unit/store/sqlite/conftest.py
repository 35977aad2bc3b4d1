"""The SQLite store alone (the contract suite runs it beside DynamoDB one folder up), and a
way to read its file as another process would."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.store.sqlite.store import SqliteStore


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    opened = SqliteStore(str(tmp_path / "mlpulse.db"))
    yield opened
    opened.close()


@pytest.fixture
def db_path(store: SqliteStore) -> Path:
    return Path(store.path)


def rows(path: Path, query: str) -> list[tuple[Any, ...]]:
    """Read the file with a connection of our own: what another process would see."""
    with sqlite3.connect(path) as db:
        return db.execute(query).fetchall()
