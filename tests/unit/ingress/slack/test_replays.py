"""bot.ingress.slack.replays: a body is new once, for ten minutes of the injected clock, in
a memory of bounded size."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.clock import FakeClock
from bot.ingress.slack.replays import SeenRequests

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)


def test_a_body_is_new_once() -> None:
    seen = SeenRequests(FakeClock(NOW))
    assert seen.first_time("text=help&trigger_id=1")
    assert not seen.first_time("text=help&trigger_id=1")
    assert seen.first_time("text=help&trigger_id=2")
    assert not seen.first_time("text=help&trigger_id=1")


def test_a_body_is_remembered_for_ten_minutes() -> None:
    """A timestamp is good for five minutes either side of now: after ten minutes from the
    first sight of a body, its signature is refused as stale before the memory is asked."""
    clock = FakeClock(NOW)
    seen = SeenRequests(clock)
    seen.first_time("a")
    clock.advance(300)
    seen.first_time("b")
    clock.advance(299.9)
    assert not seen.first_time("a")
    clock.advance(0.2)
    assert seen.first_time("a")  # forgotten, so new again
    assert not seen.first_time("b")
    assert len(seen) == 2


def test_the_memory_is_bounded_oldest_forgotten_first() -> None:
    seen = SeenRequests(FakeClock(NOW), keep=timedelta(minutes=10), most=3)
    for n in range(5):
        assert seen.first_time(f"text={n}")
    assert len(seen) == 3
    assert seen.first_time("text=0")  # forgotten: new again
    assert not seen.first_time("text=4")
