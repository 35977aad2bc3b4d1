"""The worker's lease: an item a dead delivery held is taken over once the lease it was
given runs out, and not before (the replica scenarios do this against DynamoDB). And the
loop's pauses: none when something is due now, exactly until the next post otherwise."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.config.models import Config
from bot.config.settings import Settings
from bot.core.clock import FakeClock
from bot.delivery.worker import DEFAULT_LEASE, Deliverer, PassResult, pause_after
from bot.intake.accept import Pipeline
from bot.ops.health import Health
from bot.ops.telemetry import Metrics
from bot.store.sqlite.store import SqliteStore
from notifiers.base import Posted
from tests.unit.delivery.conftest import T0, event


class Killed(BaseException):
    """The process dies at this point."""


class Recording:
    """A chat backend that keeps what it is sent; `dies` makes a post kill the process."""

    def __init__(self, dies: bool = False, min_interval: float = 0.0) -> None:
        self.dies = dies
        self.min_interval = min_interval
        self.posts: list[str] = []

    def post(
        self, channel: str, payload: dict[str, Any], thread_ts: str | None, marker: str
    ) -> Posted:
        if self.dies:
            raise Killed
        self.posts.append(marker)
        return Posted("C1", f"{len(self.posts)}.0")

    def update(self, channel: str, ts: str, payload: dict[str, Any]) -> None: ...

    def find_posted(self, channel: str, marker: str, thread_ts: str | None, oldest: float) -> None:
        return None


def deliverer(store: SqliteStore, clock: FakeClock, notifier: Recording, **lease: Any) -> Deliverer:
    return Deliverer(store, notifier, clock, Config(), Metrics(), Health(), **lease)


def test_the_lease_is_the_one_given(tmp_path: Path) -> None:
    store, clock = SqliteStore(str(tmp_path / "outbox.db")), FakeClock(T0)
    Pipeline(Config(), store, clock, Metrics()).submit([event()])
    dead = deliverer(store, clock, Recording(dies=True), lease=timedelta(seconds=3))
    with pytest.raises(Killed):
        dead.run_once()

    survivor = Recording()
    clock.advance(2)
    deliverer(store, clock, survivor).run_once()
    assert survivor.posts == []  # still leased
    clock.advance(2)
    deliverer(store, clock, survivor).run_once()
    assert survivor.posts == ["1:root"]
    store.close()


def test_the_default_lease_is_the_setting_s_default(tmp_path: Path) -> None:
    store = SqliteStore(str(tmp_path / "outbox.db"))
    assert deliverer(store, FakeClock(T0), Recording()).lease == DEFAULT_LEASE
    assert timedelta(seconds=Settings.model_fields["lease_seconds"].default) == DEFAULT_LEASE
    store.close()


# --- the loop's pauses


@pytest.mark.parametrize(
    ("result", "pause"),
    [
        (PassResult(delivered=3, failed=0, next_wait=1.0), 0.0),  # more may be due: go on
        (PassResult(delivered=0, failed=0, next_wait=0.0), 0.0),  # due now: no pause at all
        (PassResult(delivered=0, failed=1, next_wait=0.25), 0.25),  # exactly until it is due
        (PassResult(delivered=0, failed=0, next_wait=60.0), 5.0),  # at most the idle wait
        (PassResult(delivered=0, failed=0, next_wait=None), 5.0),  # nothing due: idle
    ],
)
def test_the_loop_pauses_until_the_next_post_is_due(result: PassResult, pause: float) -> None:
    assert pause_after(result) == pause


def run_until_delivered(
    deliverer: Deliverer, clock: FakeClock, notifier: Recording, n: int
) -> list[float]:
    """The real loop, its pauses moving the fake clock; stops once `n` posts were made."""
    stop, pauses = threading.Event(), []

    def pause(seconds: float) -> None:
        pauses.append(seconds)
        clock.advance(seconds)
        if len(notifier.posts) >= n or len(pauses) > 50:
            stop.set()

    deliverer.run(stop, pause=pause)
    return pauses


def test_the_loop_posts_one_a_second_and_never_sleeps_on_work_due_now(tmp_path: Path) -> None:
    store, clock = SqliteStore(str(tmp_path / "outbox.db")), FakeClock(T0)
    config = Config.model_validate({"slack": {"posts_per_second": 1, "burst": 1}})
    Pipeline(config, store, clock, Metrics()).submit(
        [
            event(subject=f"stage-{n}", second=n).model_copy(update={"key": f"k{n}"})
            for n in range(4)
        ]
    )
    notifier = Recording(min_interval=1.0)
    deliverer = Deliverer(store, notifier, clock, config, Metrics(), Health())

    pauses = run_until_delivered(deliverer, clock, notifier, 4)

    assert len(notifier.posts) == 4
    assert pauses == [1.0, 1.0, 1.0, 5.0]  # 3 posts held back a second each; then idle
    store.close()


def test_an_item_another_replica_holds_is_not_waited_for_in_a_spin(tmp_path: Path) -> None:
    store, clock = SqliteStore(str(tmp_path / "outbox.db")), FakeClock(T0)
    Pipeline(Config(), store, clock, Metrics()).submit([event()])
    (item,) = store.due(clock.now(), 10)
    assert store.claim(item.id, "other:1:x", clock.now() + DEFAULT_LEASE, clock.now())

    result = deliverer(store, clock, Recording()).run_once()

    assert result.next_wait is None  # the holder delivers it; this replica idles
    assert pause_after(result) == 5.0
    store.close()


def test_an_item_retried_later_is_waited_for_exactly(tmp_path: Path) -> None:
    store, clock = SqliteStore(str(tmp_path / "outbox.db")), FakeClock(T0)
    Pipeline(Config(), store, clock, Metrics()).submit([event()])
    (item,) = store.due(clock.now(), 10)
    store.retry_later(item.id, clock.now() + timedelta(seconds=2.5), "http_503")

    result = deliverer(store, clock, Recording()).run_once()

    assert result.next_wait == pytest.approx(2.5)
    store.close()


def test_a_full_batch_held_back_by_the_pace_is_waited_for_not_spun_on(tmp_path: Path) -> None:
    """More items than one pass lists, all for one channel: those past the batch are due
    too, but nothing moves until the pace allows the next post."""
    store, clock = SqliteStore(str(tmp_path / "outbox.db")), FakeClock(T0)
    config = Config.model_validate({"slack": {"posts_per_second": 1, "burst": 1}})
    events = [event(second=n).model_copy(update={"key": f"k{n}"}) for n in range(120)]
    Pipeline(config, store, clock, Metrics()).submit(events)
    notifier = Recording(min_interval=1.0)
    deliverer = Deliverer(store, notifier, clock, config, Metrics(), Health())

    assert deliverer.run_once().delivered == 1
    held = deliverer.run_once()

    assert (held.delivered, held.failed) == (0, 0)
    assert held.next_wait == pytest.approx(1.0)
    store.close()
