"""The per-channel pace: one post an interval, a small burst at once, 429 blocks, a channel
name and its id sharing one budget, and each channel's allowance learned from its 429s
(cut at once, won back step by step, never past the configured pace)."""

from __future__ import annotations

import itertools

import pytest

from bot.delivery.pacing import MAX_PATIENCE, MIN_SHARE, RECOVER_AFTER, ROOM_CAP, Pacer


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


def test_room_is_the_posts_the_channel_takes_now_one_after_another() -> None:
    pacer = Pacer(1.0, 3)
    assert pacer.room("C1", 0.0) == 3
    spend(pacer, "C1", 0.0, 2)
    assert pacer.room("C1", 0.0) == 1
    spend(pacer, "C1", 0.0, 1)
    assert pacer.room("C1", 0.0) == 0
    assert pacer.room("C1", 0.5) == 0  # the next slot is not whole yet
    assert pacer.room("C1", 1.0) == 1
    pacer.rate_limited("C2", 10.0)
    assert pacer.room("C2", 5.0) == 0
    assert Pacer(0.0, 1).room("C1", 0.0) == ROOM_CAP  # pacing off


def test_an_idle_channel_gets_its_burst_back() -> None:
    pacer = Pacer(1.0, 2)
    spend(pacer, "C1", 0.0, 2)
    assert pacer.wait("C1", 0.0) > 0
    spend(pacer, "C1", 10.0, 2)
    assert pacer.wait("C1", 10.0) == pytest.approx(1.0)


def test_a_429_blocks_the_channel_until_its_time() -> None:
    pacer = Pacer(1.0, 3)
    pacer.rate_limited("C1", 5.0)
    pacer.rate_limited("C1", 2.0)  # an earlier end never shortens a block
    assert pacer.wait("C1", 1.0) == pytest.approx(4.0)
    assert pacer.wait("C1", 5.0) == 0.0


def test_without_an_interval_only_a_block_holds_posts_back() -> None:
    pacer = Pacer(0.0, 1)
    spend(pacer, "C1", 0.0, 100)
    assert pacer.wait("C1", 0.0) == 0.0
    pacer.rate_limited("C1", 3.0)
    assert pacer.wait("C1", 1.0) == pytest.approx(2.0)


def test_a_name_and_its_id_share_one_budget() -> None:
    pacer = Pacer(1.0, 1)
    pacer.spend("#ml-alerts", 0.0)
    pacer.rate_limited("#ml-alerts", 4.0)
    pacer.merge("#ml-alerts", "C1")
    assert pacer.wait("C1", 0.0) == pytest.approx(4.0)
    assert pacer.wait("#ml-alerts", 0.0) == 0.0  # the name is no longer used
    pacer.merge("C1", "C1")
    assert pacer.wait("C1", 0.0) == pytest.approx(4.0)


def test_a_name_and_its_id_keep_the_smaller_allowance_learned() -> None:
    pacer = Pacer(1.0, 3)
    pacer.rate_limited("#ml-alerts", 0.0)  # learned under the name: no burst
    pacer.spend("C1", 0.0)
    pacer.merge("#ml-alerts", "C1")
    assert pacer.allowance("C1").burst == 1
    assert pacer.wait("C1", 0.0) == pytest.approx(1.0)


# --- learning each channel's allowance (AIMD)


def test_a_429_cuts_the_burst_to_one_post_at_a_time() -> None:
    pacer = Pacer(1.0, 3)
    pacer.spend("C1", 0.0)
    pacer.rate_limited("C1", 1.0)  # the second of a burst was refused
    assert pacer.allowance("C1").burst == 1
    assert pacer.wait("C1", 0.0) == pytest.approx(1.0)
    assert pacer.wait("C1", 1.0) == 0.0
    pacer.spend("C1", 1.0)
    assert pacer.wait("C1", 1.0) == pytest.approx(1.0)  # no burst any more
    assert pacer.allowance("C2").burst == 3  # other channels keep theirs


def test_a_429_at_one_post_at_a_time_halves_the_rate_down_to_a_floor() -> None:
    pacer = Pacer(1.0, 1)
    pacer.rate_limited("C1", 0.0)
    assert pacer.interval_of("C1") == pytest.approx(2.0)
    pacer.spend("C1", 0.0)
    assert pacer.wait("C1", 0.0) == pytest.approx(2.0)
    for _ in range(10):
        pacer.rate_limited("C1", 0.0)
    assert pacer.allowance("C1").share == MIN_SHARE
    assert pacer.interval_of("C1") == pytest.approx(1.0 / MIN_SHARE)


def test_clean_posts_win_back_the_rate_first_then_the_burst_never_past_the_pace() -> None:
    pacer = Pacer(1.0, 2)
    pacer.rate_limited("C1", 0.0)  # burst 2 -> 1
    pacer.rate_limited("C1", 0.0)  # rate halved
    now = 0.0
    seen = []
    for _ in range(RECOVER_AFTER * 6):
        now += 10.0  # the channel rests between posts: every step may be taken
        pacer.spend("C1", now)
        learned = pacer.allowance("C1")
        seen.append((learned.share, learned.burst))
    steps = [seen[0]] + [b for a, b in itertools.pairwise(seen) if a != b]
    assert steps == [(0.5, 1), (0.75, 1), (1.0, 1), (1.0, 2)]
    assert seen[RECOVER_AFTER - 2] == (0.5, 1)  # a step takes a whole run of clean posts
    assert seen[RECOVER_AFTER - 1] == (0.75, 1)
    assert seen[-1] == (1.0, 2)  # the configured pace, not beyond


def test_the_burst_is_not_won_back_while_posts_queue_up() -> None:
    """In a backlog Slack's bucket is empty whatever its size: a bigger burst would only
    be refused, so it is tried on a rested channel only."""
    pacer = Pacer(1.0, 3)
    pacer.rate_limited("C1", 0.0)
    now = 0.0
    for _ in range(RECOVER_AFTER * 5):
        wait = pacer.wait("C1", now)
        if wait > 0:
            pacer.hold("C1")  # the next post waits for the pace: it queued up
            now += wait
        pacer.spend("C1", now)
    assert pacer.allowance("C1").burst == 1
    now += 5.0
    pacer.spend("C1", now)  # nothing waited for the channel since its last post
    assert pacer.allowance("C1").burst == 2


def test_a_refused_step_makes_the_next_one_wait_twice_as_long() -> None:
    pacer = Pacer(1.0, 2)
    pacer.rate_limited("C1", 0.0)
    now = 0.0

    def run(posts: int) -> None:
        nonlocal now
        for _ in range(posts):
            now += 10.0
            pacer.spend("C1", now)

    run(RECOVER_AFTER)
    assert pacer.allowance("C1").burst == 2  # a probe ...
    pacer.rate_limited("C1", now)  # ... refused
    assert pacer.allowance("C1").patience == 2 * RECOVER_AFTER
    run(2 * RECOVER_AFTER - 1)
    assert pacer.allowance("C1").burst == 1
    run(1)
    assert pacer.allowance("C1").burst == 2
    run(2 * RECOVER_AFTER)  # this time the step held for a whole run: patience resets
    assert pacer.allowance("C1").patience == RECOVER_AFTER
    for _ in range(20):
        pacer.rate_limited("C1", now)
        pacer.allowance("C1").probing = True
    assert pacer.allowance("C1").patience == MAX_PATIENCE


class StrictChannel:
    """Slack at its strictest: exactly one post an interval, no burst (GCRA)."""

    def __init__(self, interval: float) -> None:
        self.interval, self.tat = interval, 0.0

    def post(self, now: float) -> bool:
        if self.tat - now > 1e-9:
            return False
        self.tat = max(self.tat, now) + self.interval
        return True


@pytest.mark.parametrize("clump", [1, 3, 10])
def test_a_channel_that_allows_no_burst_is_refused_ever_more_rarely(clump: int) -> None:
    """Alerts in clumps every 30 s into a strict 1/s channel, paced with burst 3: after
    the first 429 the channel sees almost none (each probe for a burst waits twice as
    long as the last)."""
    pacer, slack = Pacer(1.0, 3), StrictChannel(1.0)
    now, refused, posted = 0.0, 0, 0
    while posted < 1000:
        queued = clump
        while queued:
            wait = pacer.wait("C1", now)
            if wait > 0:
                pacer.hold("C1")
                now += wait
            if slack.post(now):
                pacer.spend("C1", now)
                queued -= 1
                posted += 1
            else:
                refused += 1
                pacer.rate_limited("C1", now + 1.0)
        now += 30.0
    assert refused <= (0 if clump == 1 else 6)  # of 1,000 posts
