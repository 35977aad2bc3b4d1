"""bot.ingress.slack.replays: a body is new once, for ten minutes of the injected clock,
for every replica on the store (the store's side: tests/unit/store/test_contract_requests.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from bot.core.clock import FakeClock
from bot.ingress.slack.replays import SeenRequests
from bot.store.sqlite.store import SqliteStore

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)


@pytest.fixture
def store() -> Iterator[SqliteStore]:
    opened = SqliteStore(":memory:")
    yield opened
    opened.close()


def test_a_body_is_new_once(store: SqliteStore) -> None:
    seen = SeenRequests(store, FakeClock(NOW))
    assert seen.first_time("text=help&trigger_id=1")
    assert not seen.first_time("text=help&trigger_id=1")
    assert seen.first_time("text=help&trigger_id=2")
    assert not seen.first_time("text=help&trigger_id=1")


def test_a_body_is_remembered_for_ten_minutes(store: SqliteStore) -> None:
    """A timestamp is good for five minutes either side of now: after ten minutes from the
    first sight of a body, its signature is refused as stale before the store is asked."""
    clock = FakeClock(NOW)
    seen = SeenRequests(store, clock)
    seen.first_time("a")
    clock.advance(300)
    seen.first_time("b")
    clock.advance(299.9)
    assert not seen.first_time("a")
    clock.advance(0.2)
    assert seen.first_time("a")  # expired, so new again
    assert not seen.first_time("b")


def test_two_replicas_on_one_store_take_a_body_once(store: SqliteStore) -> None:
    one, other = SeenRequests(store, FakeClock(NOW)), SeenRequests(store, FakeClock(NOW))
    assert one.first_time("event_id=Ev1")
    assert not other.first_time("event_id=Ev1")


def test_a_store_that_fails_lets_the_request_through(store: SqliteStore) -> None:
    seen = SeenRequests(store, FakeClock(NOW))
    store.close()
    assert seen.first_time("text=help")
