"""Delivery's records held across passes (bot.delivery.journal, Deliverer.run): while a
channel's pace holds a backlog back, a post costs one write transaction (its claim), the
records of several posts ride on one claim, none waits longer than the worker's `hold_s`,
and everything held is written when the loop goes idle or stops."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.config.models import Config
from bot.core.clock import FakeClock
from bot.core.events import Outcome
from bot.delivery.worker import Deliverer
from bot.intake.accept import Pipeline
from bot.ops.health import Health
from bot.ops.telemetry import Metrics
from bot.store import OutboxItem
from bot.store.writes import Claim, Complete, Write
from notifiers.base import Posted
from tests.fakes.chat import CountingChat
from tests.unit.delivery.conftest import T0
from tests.unit.delivery.test_write_cost import CountingStore, resources

PACED = Config.model_validate({"slack": {"posts_per_second": 1, "burst": 1}})


class Timed(CountingChat):
    """Chat that notes when (on the fake clock) each item's posts were answered."""

    def __init__(self, clock: FakeClock) -> None:
        super().__init__(1.0)
        self.clock = clock
        self.posted: dict[int, list[datetime]] = {}

    def post(
        self, channel: str, payload: dict[str, Any], thread_ts: str | None, marker: str
    ) -> Posted:
        self.posted.setdefault(int(marker.split(":")[0]), []).append(self.clock.now())
        return super().post(channel, payload, thread_ts, marker)


class Recording(CountingStore):
    """Notes when each item's completion reached the store, and on which transaction."""

    clock: FakeClock

    def __init__(self, path: str, clock: FakeClock) -> None:
        super().__init__(path)
        self.clock = clock
        self.completed: dict[int, datetime] = {}

    def _note(self, writes: Sequence[Write]) -> None:
        for write in writes:
            if isinstance(write, Complete):
                self.completed[write.item_id] = self.clock.now()

    def write(self, writes: Sequence[Write]) -> None:
        super().write(writes)
        self._note(writes)

    def claim_batch(
        self,
        claims: Sequence[Claim],
        owner: str,
        until: datetime,
        now: datetime,
        *,
        before: Sequence[Write] = (),
    ) -> list[OutboxItem | None]:
        items = super().claim_batch(claims, owner, until, now, before=before)
        self._note(before)
        return items


def run_until(deliverer: Deliverer, clock: FakeClock, chat: CountingChat, posts: int) -> None:
    """The delivery loop on the fake clock, stopped once `posts` Slack calls were made."""
    stop = threading.Event()

    def pause(seconds: float) -> None:
        clock.advance(seconds)
        if chat.calls >= posts:
            stop.set()

    deliverer.run(stop, pause=pause)


@contextmanager
def backlog(tmp_path: Path, count: int) -> Iterator[tuple[Recording, FakeClock, Timed]]:
    clock = FakeClock(T0)
    store, chat = Recording(str(tmp_path / "s.db"), clock), Timed(clock)
    Pipeline(PACED, store, clock, Metrics()).submit(resources(count))
    yield store, clock, chat
    store.close()


def test_a_paced_backlog_costs_one_write_a_post(tmp_path: Path) -> None:
    with backlog(tmp_path, 30) as (store, clock, chat):
        deliverer = Deliverer(store, chat, clock, PACED, Metrics(), Health())
        before = store.transactions

        run_until(deliverer, clock, chat, 20)

        assert chat.calls == 20
        # A claim each, carrying earlier records; the last records written at the stop.
        assert store.transactions - before == chat.calls + 1
        # Several posts' records ride on one claim: fewer carrying claims than posts.
        assert len(set(store.completed.values())) <= chat.calls // 3 + 1


def test_the_outbox_depth_leaves_out_items_done_whose_records_wait(tmp_path: Path) -> None:
    with backlog(tmp_path, 30) as (store, clock, chat):
        metrics = Metrics()
        deliverer = Deliverer(store, chat, clock, PACED, metrics, Health())
        seen: list[tuple[float, int]] = []
        stop = threading.Event()

        def pause(seconds: float) -> None:
            gauge = metrics.registry.get_sample_value("mlpulse_outbox_depth")
            seen.append((gauge or 0.0, 30 - chat.calls))  # each post ends one new resource
            clock.advance(seconds)
            if chat.calls >= 20:
                stop.set()

        deliverer.run(stop, pause=pause)

        assert len(seen) >= 20
        assert all(gauge == left for gauge, left in seen)
        assert deliverer.journal.completions_held() == 0  # written at the stop


def test_no_record_waits_longer_than_the_hold(tmp_path: Path) -> None:
    with backlog(tmp_path, 30) as (store, clock, chat):
        deliverer = Deliverer(store, chat, clock, PACED, Metrics(), Health())

        run_until(deliverer, clock, chat, 20)

        waits = [
            (store.completed[item_id] - posted[-1]).total_seconds()
            for item_id, posted in chat.posted.items()
        ]
        assert len(waits) == 20
        assert max(waits) <= deliverer.hold_s
        assert max(waits) > 1.0  # held past the next post: the case this is about


def test_the_stop_writes_what_is_held(tmp_path: Path) -> None:
    with backlog(tmp_path, 10) as (store, clock, chat):
        deliverer = Deliverer(store, chat, clock, PACED, Metrics(), Health())

        run_until(deliverer, clock, chat, 4)

        assert deliverer.journal.held_for() is None
        assert store.pending_count() == 10 - chat.calls
        assert sorted(store.completed) == sorted(chat.posted)


def test_a_resource_next_item_waits_for_its_held_record_at_most_the_hold(
    tmp_path: Path,
) -> None:
    """A resource's update is due only once its first event's item is done in the store:
    behind a held record it waits, but no longer than the hold (and is then posted at
    once, not after an idle wait)."""
    clock = FakeClock(T0)
    store, chat = Recording(str(tmp_path / "s.db"), clock), Timed(clock)
    pipeline = Pipeline(PACED, store, clock, Metrics())
    first, *others = resources(8)
    update = first.model_copy(
        update={"id": "update", "status": "Succeeded", "outcome": Outcome.SUCCEEDED}
    )
    pipeline.submit([first, update, *others])
    deliverer = Deliverer(store, chat, clock, PACED, Metrics(), Health())

    run_until(deliverer, clock, chat, 9)

    root_item, update_item = sorted(chat.posted)[:2]
    root_posted, update_posted = chat.posted[root_item][0], chat.posted[update_item][0]
    waited = (update_posted - root_posted).total_seconds()
    assert store.completed[root_item] <= update_posted
    assert waited <= deliverer.hold_s + 1.0  # the hold, then the pace's next slot
    store.close()


def test_a_resource_next_item_is_looked_for_as_soon_as_its_record_is_written(
    tmp_path: Path,
) -> None:
    """The pass that writes the held record of a resource's item had nothing else to do:
    the loop looks again at once, and the update behind it takes the pace's next slot
    instead of waiting out an idle pause."""
    clock = FakeClock(T0)
    store, chat = Recording(str(tmp_path / "s.db"), clock), Timed(clock)
    first, other = resources(2)
    update = first.model_copy(
        update={"id": "update", "status": "Succeeded", "outcome": Outcome.SUCCEEDED}
    )
    Pipeline(PACED, store, clock, Metrics()).submit([first, update, other])
    deliverer = Deliverer(store, chat, clock, PACED, Metrics(), Health())

    run_until(deliverer, clock, chat, 5)

    root_item, update_item = 1, 2  # in the order submitted; the others after
    assert len(chat.posted) > 2
    waited = (chat.posted[update_item][0] - chat.posted[root_item][0]).total_seconds()
    assert waited <= 2.0  # the slot after another item's post
    store.close()


def test_without_lookups_each_pass_writes_its_records(tmp_path: Path) -> None:
    """Without the history scopes a crash could not be made good by a lookup: records are
    durable before each pass ends, as they always were."""
    with backlog(tmp_path, 10) as (store, clock, chat):
        chat.history_readable = False  # type: ignore[attr-defined]
        deliverer = Deliverer(store, chat, clock, PACED, Metrics(), Health())
        before = store.transactions

        run_until(deliverer, clock, chat, 5)

        assert store.transactions - before == 2 * chat.calls
        for item_id, posted in chat.posted.items():
            assert store.completed[item_id] == posted[-1]


def test_a_short_lease_holds_records_a_small_part_of_it(tmp_path: Path) -> None:
    with backlog(tmp_path, 1) as (store, clock, chat):
        short = Deliverer(
            store, chat, clock, PACED, Metrics(), Health(), lease=timedelta(seconds=3)
        )
        assert short.hold_s < 1.0
        default = Deliverer(store, chat, clock, PACED, Metrics(), Health())
        assert default.hold_s <= default.lease.total_seconds() / 8
