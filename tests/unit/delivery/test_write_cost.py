"""What delivery costs the store (issue 20): at most 2 committed write transactions per
Slack call, and none at all while a paced backlog waits for its channel. The store is a
real SQLite file; its transactions are counted where they begin (Database._tx)."""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.config.models import Config
from bot.core.clock import FakeClock
from bot.core.events import Outcome
from bot.delivery.batches import CLAIM_AHEAD
from bot.delivery.worker import Deliverer
from bot.intake.accept import Pipeline
from bot.ops.health import Health
from bot.ops.telemetry import Metrics
from bot.store.sqlite.store import SqliteStore
from notifiers.incident_blocks import ACK_ACTION
from tests.fakes.chat import CountingChat
from tests.unit.delivery.conftest import T0, event


class CountingStore(SqliteStore):
    """A SQLite store that counts its write transactions."""

    transactions = 0

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        self.transactions += 1
        with super()._tx() as db:
            yield db


def resources(count: int, **changes: Any) -> list[Any]:
    return [
        event(second=n, **changes).model_copy(update={"key": f"k{n}", "id": f"{changes}-{n}"})
        for n in range(count)
    ]


def delivered(store: CountingStore, config: Config, chat: CountingChat, clock: FakeClock) -> None:
    deliverer = Deliverer(store, chat, clock, config, Metrics(), Health())
    for _ in range(200):
        deliverer.run_once()
        if not store.pending_count():
            return
        clock.advance(1)
    raise AssertionError(f"{store.pending_count()} left")


UNPACED = Config()  # a chat backend with no min_interval is not paced


def test_new_resources_cost_at_most_two_writes_a_post(tmp_path: Path) -> None:
    store, clock, chat = CountingStore(str(tmp_path / "s.db")), FakeClock(T0), CountingChat()
    Pipeline(UNPACED, store, clock, Metrics()).submit(resources(60))
    before = store.transactions

    delivered(store, UNPACED, chat, clock)

    assert chat.calls == 60
    # Leased in batches of CLAIM_AHEAD (one write each), and the records of the last batch.
    assert store.transactions - before <= math.ceil(60 / CLAIM_AHEAD) + 1
    store.close()


def test_updates_with_replies_cost_at_most_two_writes_a_call(tmp_path: Path) -> None:
    store, clock, chat = CountingStore(str(tmp_path / "s.db")), FakeClock(T0), CountingChat()
    pipeline = Pipeline(UNPACED, store, clock, Metrics())
    pipeline.submit(resources(30, status="InProgress", outcome=Outcome.RUNNING))
    delivered(store, UNPACED, chat, clock)
    pipeline.submit(resources(30, status="Succeeded", outcome=Outcome.SUCCEEDED))
    before, calls = store.transactions, chat.calls

    delivered(store, UNPACED, chat, clock)

    assert chat.calls - calls == 60  # an edit of each root and a reply in its thread
    # The batch's claim marks each reply in flight before its root's edit: no write between.
    assert store.transactions - before <= math.ceil(30 / CLAIM_AHEAD) + 1
    store.close()


def test_a_paced_backlog_writes_nothing_while_it_waits(tmp_path: Path) -> None:
    """Incidents (never folded into a digest) for one channel at one post a second: the
    passes between two posts claim nothing and write nothing."""
    config = Config.model_validate({"slack": {"posts_per_second": 1, "burst": 1}})
    store, clock, chat = CountingStore(str(tmp_path / "s.db")), FakeClock(T0), CountingChat(1.0)
    Pipeline(config, store, clock, Metrics()).submit(resources(50))
    deliverer = Deliverer(store, chat, clock, config, Metrics(), Health())
    deliverer.run_once()
    assert chat.calls == 1
    waiting = store.transactions

    for _ in range(100):  # a tenth of a second apart: the pace allows nothing yet
        deliverer.run_once()
        clock.advance(0.009)

    assert (chat.calls, store.transactions) == (1, waiting)
    clock.advance(timedelta(seconds=1).total_seconds())
    deliverer.run_once()
    assert chat.calls == 2
    assert store.transactions - waiting <= 2
    store.close()


def test_a_burst_is_leased_in_one_write_and_the_rest_waits_unleased(tmp_path: Path) -> None:
    """A pace with a burst of 3: one write leases the three posts the burst allows; the
    items behind them are neither leased nor marked while they wait."""
    config = Config.model_validate({"slack": {"posts_per_second": 1, "burst": 3}})
    store, clock, chat = CountingStore(str(tmp_path / "s.db")), FakeClock(T0), CountingChat(1.0)
    Pipeline(config, store, clock, Metrics()).submit(resources(10))
    before = store.transactions

    Deliverer(store, chat, clock, config, Metrics(), Health()).run_once()

    assert chat.calls == 3
    assert store.transactions - before == 2  # the batch's claim; its records at the end
    rows = store._db.execute("SELECT lease_owner, in_flight FROM outbox").fetchall()
    assert rows == [(None, 0)] * 7
    store.close()


def test_without_lookups_a_batch_leases_only_its_first_item(tmp_path: Path) -> None:
    """Where an earlier attempt cannot be looked up (no history scopes), items marked
    ahead would be lost after a crash: each item is leased and marked on its own."""
    store, clock, chat = CountingStore(str(tmp_path / "s.db")), FakeClock(T0), CountingChat()
    chat.history_readable = False  # type: ignore[attr-defined]
    Pipeline(UNPACED, store, clock, Metrics()).submit(resources(20))
    before = store.transactions

    delivered(store, UNPACED, chat, clock)

    assert chat.calls == 20
    assert store.transactions - before == 21  # a claim each, the records at the end


class ReadCountingStore(CountingStore):
    """Counts the reads delivery makes of roots and incidents, a key or many at a time."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.reads: dict[str, int] = {}

    def _count(self, name: str) -> None:
        self.reads[name] = self.reads.get(name, 0) + 1

    def root(self, key: str) -> Any:
        self._count("root")
        return super().root(key)

    def roots(self, keys: Any) -> Any:
        self._count("roots")
        return super().roots(keys)

    def incident_for_key(self, key: str) -> Any:
        self._count("incident_for_key")
        return super().incident_for_key(key)

    def incidents_for_keys(self, keys: Any) -> Any:
        self._count("incidents_for_keys")
        return super().incidents_for_keys(keys)


class EditKeepingChat(CountingChat):
    def __init__(self) -> None:
        super().__init__()
        self.edits: list[dict[str, Any]] = []

    def update(self, channel: str, ts: str, payload: dict[str, Any]) -> None:
        super().update(channel, ts, payload)
        self.edits.append(payload)


def test_a_pass_reads_roots_and_incidents_a_batch_at_a_time(tmp_path: Path) -> None:
    store, clock, chat = ReadCountingStore(str(tmp_path / "s.db")), FakeClock(T0), EditKeepingChat()
    pipeline = Pipeline(UNPACED, store, clock, Metrics())
    pipeline.submit(resources(60, status="InProgress", outcome=Outcome.RUNNING))
    delivered(store, UNPACED, chat, clock)
    pipeline.submit(resources(60))  # each fails: its incident is drawn on its alert
    store.reads.clear()

    delivered(store, UNPACED, chat, clock)

    assert chat.calls == 60 + 2 * 60  # roots posted, then each edited with a reply
    batches = math.ceil(60 / CLAIM_AHEAD)
    assert store.reads.get("root", 0) + store.reads.get("incident_for_key", 0) == 0
    assert store.reads["roots"] <= 2  # a pass's listing, and an empty last pass
    assert store.reads["incidents_for_keys"] == batches
    assert len(store.unresolved_incidents()) == 60
    # Each failure's alert is drawn with the incident its claim read: its buttons.
    assert len(chat.edits) == 60
    assert all(ACK_ACTION in json.dumps(edit) for edit in chat.edits)
