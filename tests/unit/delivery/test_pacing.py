"""The per-channel pace: one post an interval, a small burst at once, 429 blocks, and a
channel name and its id sharing one budget."""

from __future__ import annotations

import pytest

from bot.delivery.pacing import Pacer


def spend(pacer: Pacer, channel: str, now: float, times: int) -> None:
    for _ in range(times):
        pacer.spend(channel, now)


def test_a_burst_goes_at_once_then_one_post_an_interval() -> None:
    pacer = Pacer(1.0, 3)
    assert pacer.wait("C1", 0.0) == 0.0
    spend(pacer, "C1", 0.0, 3)
    assert pacer.wait("C1", 0.0) == pytest.approx(1.0)
    assert pacer.wait("C1", 0.4) == pytest.approx(0.6)
    assert pacer.wait("C1", 1.0) == 0.0
    assert pacer.wait("C2", 0.0) == 0.0  # each channel has its own budget


def test_an_idle_channel_gets_its_burst_back() -> None:
    pacer = Pacer(1.0, 2)
    spend(pacer, "C1", 0.0, 2)
    assert pacer.wait("C1", 0.0) > 0
    spend(pacer, "C1", 10.0, 2)
    assert pacer.wait("C1", 10.0) == pytest.approx(1.0)


def test_a_429_blocks_the_channel_until_its_time() -> None:
    pacer = Pacer(1.0, 3)
    pacer.block("C1", 5.0)
    pacer.block("C1", 2.0)  # an earlier end never shortens a block
    assert pacer.wait("C1", 1.0) == pytest.approx(4.0)
    assert pacer.wait("C1", 5.0) == 0.0


def test_without_an_interval_only_a_block_holds_posts_back() -> None:
    pacer = Pacer(0.0, 1)
    spend(pacer, "C1", 0.0, 100)
    assert pacer.wait("C1", 0.0) == 0.0
    pacer.block("C1", 3.0)
    assert pacer.wait("C1", 1.0) == pytest.approx(2.0)


def test_a_name_and_its_id_share_one_budget() -> None:
    pacer = Pacer(1.0, 1)
    pacer.spend("#ml-alerts", 0.0)
    pacer.block("#ml-alerts", 4.0)
    pacer.merge("#ml-alerts", "C1")
    assert pacer.wait("C1", 0.0) == pytest.approx(4.0)
    assert pacer.wait("#ml-alerts", 0.0) == 0.0  # the name is no longer used
    pacer.merge("C1", "C1")
    assert pacer.wait("C1", 0.0) == pytest.approx(4.0)
