"""Shared test fixtures: the AWS sample events, a fake clock, a fresh SQLite store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core.clock import FakeClock
from bot.store.sqlite.store import SqliteStore

REPO = Path(__file__).resolve().parents[1]  # the checkout: README.md, deploy/, docs/
FIXTURES = REPO / "tests" / "fixtures" / "aws"
# Published AWS samples that are events (the rest are Model Monitor report files).
EVENT_FIXTURES = sorted(
    p for p in FIXTURES.glob("*.json") if not p.name.startswith(("model-monitor-", "clarify-"))
)
ALL_FIXTURES = sorted(FIXTURES.glob("*.json"))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 25, 3, 0, tzinfo=UTC))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    opened = SqliteStore(str(tmp_path / "mlpulse.db"))
    yield opened
    opened.close()
