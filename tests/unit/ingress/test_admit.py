"""bot.ingress.admit against the real SQLite store: each message judged alone, a content
failure shown as an unreadable-event alert, a store outage stopping without losing anything.

The poison here is real: an `Event` holding a lone surrogate, as a caller that skips the
reader's scrubbing could make, which the store genuinely cannot serialise."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import pytest

from bot.config.models import Config
from bot.core.clock import FakeClock
from bot.core.decision import Decision
from bot.core.errors import StoreError
from bot.core.events import Event, Kind
from bot.ingress.admit import Inbound, admit
from bot.ingress.ingest import events_from
from bot.ingress.normalize import UNREADABLE, Origin
from bot.intake.accept import Pipeline
from bot.ops.telemetry import Metrics
from bot.store.sqlite.store import SqliteStore


def message(clock: FakeClock, *names: str, poison: str | None = None) -> Inbound:
    """One message holding a Step Functions event per name; the one named `poison` is given
    a lone surrogate after reading, so the store cannot take it."""
    events = []
    for name in names:
        document = {
            "id": f"id-{name}",
            "detail-type": "Step Functions Execution Status Change",
            "source": "aws.states",
            "time": "2026-11-25T02:59:00Z",
            "detail": {"name": name, "status": "FAILED", "executionArn": f"arn:{name}"},
        }
        (event,) = events_from(document, clock.now())
        if name == poison:
            event = event.model_copy(update={"name": f"{name}\ud800"})
        events.append(event)
    body = f'{{"names": {list(names)!r}}}'
    return Inbound(events, body, Origin("sqs", f"msg-{names[0]}"), clock.now())


class Store:
    """The real SQLite store, with two faults a test can switch on: an outage (StoreError)
    after `outage_after` more accepts, and a refusal of any batch `refuse` matches."""

    def __init__(self, inner: SqliteStore) -> None:
        self.inner = inner
        self.outage_after: int | None = None
        self.refuse: Callable[[Event], bool] = lambda event: False
        self.batches = 0

    def accept(
        self, items: Sequence[tuple[Event, Decision]], now: datetime, *rest: Any
    ) -> list[bool]:
        self.batches += 1
        if self.outage_after is not None:
            if self.outage_after == 0:
                raise StoreError("SQLite store: disk I/O error")
            self.outage_after -= 1
        if any(self.refuse(event) for event, _ in items):
            raise ValueError("refused for the test")
        return self.inner.accept(items, now, *rest)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@pytest.fixture
def faulty(store: SqliteStore) -> Store:
    return Store(store)


@pytest.fixture
def pipeline(faulty: Store, clock: FakeClock) -> Pipeline:
    return Pipeline(Config(), faulty, clock, Metrics())


def outbox(store: SqliteStore, clock: FakeClock) -> list[Event]:
    return [item.event for item in store.due(clock.now(), 100)]


def unreadable_count(pipeline: Pipeline) -> float:
    value = pipeline.metrics.registry.get_sample_value("mlpulse_messages_unreadable_total")
    return value or 0.0


def test_good_messages_go_in_one_transaction(
    pipeline: Pipeline, faulty: Store, store: SqliteStore, clock: FakeClock
) -> None:
    messages = [message(clock, "a", "b"), message(clock, "c")]
    admission = admit(pipeline, messages)
    assert admission.durable == (0, 1) and admission.outage is None
    assert (admission.accepted, admission.duplicates, admission.unreadable) == (3, 0, 0)
    assert faulty.batches == 1
    assert [e.name for e in outbox(store, clock)] == ["a", "b", "c"]


def test_a_poison_event_costs_itself_only_and_is_shown_unreadable(
    pipeline: Pipeline, store: SqliteStore, clock: FakeClock
) -> None:
    messages = [
        message(clock, "a"),
        message(clock, "b", "poison", "c", poison="poison"),
        message(clock, "d"),
    ]
    admission = admit(pipeline, messages)
    assert admission.durable == (0, 1, 2) and admission.outage is None
    assert (admission.accepted, admission.unreadable) == (5, 1)
    kept = outbox(store, clock)
    assert [e.name for e in kept] == ["a", "b", UNREADABLE, "c", "d"]
    shown = kept[2]
    assert shown.kind == Kind.UNKNOWN and shown.id == "unreadable:id-poison"
    assert shown.reason is not None
    assert "could not store this stepfunctions event (PydanticSerializationError)" in shown.reason
    assert "'poison'" in shown.reason  # the message as received
    assert unreadable_count(pipeline) == 1


def test_a_redelivered_poison_message_adds_nothing(
    pipeline: Pipeline, store: SqliteStore, clock: FakeClock
) -> None:
    poisoned = message(clock, "poison", "ok", poison="poison")
    admit(pipeline, [poisoned])
    clock.advance(30)
    again = admit(pipeline, [message(clock, "poison", "ok", poison="poison")])
    assert again.durable == (0,)
    assert (again.accepted, again.duplicates) == (0, 2)
    assert len(outbox(store, clock)) == 2


def test_an_outage_holds_everything_back(
    pipeline: Pipeline, faulty: Store, store: SqliteStore, clock: FakeClock
) -> None:
    faulty.outage_after = 0
    admission = admit(pipeline, [message(clock, "a"), message(clock, "b")])
    assert admission.durable == () and isinstance(admission.outage, StoreError)
    assert faulty.batches == 1  # an outage is not content: nothing is tried alone
    assert outbox(store, clock) == []


def test_an_outage_on_the_slow_path_keeps_what_was_stored_before_it(
    pipeline: Pipeline, faulty: Store, store: SqliteStore, clock: FakeClock
) -> None:
    faulty.outage_after = 2  # the batch, then message 0's event, then the store fails
    messages = [message(clock, "a"), message(clock, "poison", poison="poison"), message(clock, "c")]
    admission = admit(pipeline, messages)
    assert admission.durable == (0,)
    assert isinstance(admission.outage, StoreError)
    assert [e.name for e in outbox(store, clock)] == ["a"]


def test_a_message_not_storable_in_any_form_is_left_its_neighbours_go_on(
    pipeline: Pipeline, faulty: Store, store: SqliteStore, clock: FakeClock
) -> None:
    faulty.refuse = lambda event: "poison" in event.id  # its unreadable alert's id too
    messages = [message(clock, "a"), message(clock, "poison"), message(clock, "c")]
    admission = admit(pipeline, messages)
    assert admission.durable == (0, 2) and admission.outage is None
    assert [e.name for e in outbox(store, clock)] == ["a", "c"]


def test_no_messages_no_work(pipeline: Pipeline, faulty: Store) -> None:
    assert admit(pipeline, []).durable == ()
    assert faulty.batches == 0
