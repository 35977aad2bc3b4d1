"""The worker's lease: an item a dead delivery held is taken over once the lease it was
given runs out, and not before (the replica scenarios do this against DynamoDB)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.config.models import Config
from bot.config.settings import Settings
from bot.core.clock import FakeClock
from bot.delivery.worker import DEFAULT_LEASE, Deliverer
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

    min_interval = 0.0

    def __init__(self, dies: bool = False) -> None:
        self.dies = dies
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
