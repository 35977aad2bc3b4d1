"""Delivery's writes as values, so a store can apply several in one go
(OutboxStore.write): bot.delivery.journal gathers the ones that need not be durable before
the next Slack call, and hands them over with the next one that must be.

Each has the meaning of the OutboxStore method of the same name (bot.store.roles); applied
together they are one transaction (SQLite) or as few requests as DynamoDB allows, in order:
a later write of one item or one root wins, as if each had been made on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.core.decision import Decision
from bot.core.events import Event


@dataclass(frozen=True)
class SetRoot:
    key: str
    channel: str
    ts: str
    event: Event
    decision: Decision | None = None


@dataclass(frozen=True)
class AdvanceState:
    """The root of `key` shows `event` from now on, if it is newer than what it shows."""

    key: str
    event: Event
    decision: Decision | None = None


@dataclass(frozen=True)
class Progress:
    """Delivery reached `stage`; the new stage starts with nothing sent."""

    item_id: int
    stage: int


@dataclass(frozen=True)
class MarkInFlight:
    item_id: int


@dataclass(frozen=True)
class RetryLater:
    item_id: int
    when: datetime
    error: str
    count: bool = True


@dataclass(frozen=True)
class Complete:
    item_id: int


@dataclass(frozen=True)
class Claim:
    """One item of a batched claim (OutboxStore.claim_batch): lease `item_id`, and when
    `sending` is given, mark that stage's post in flight as OutboxStore.claim does."""

    item_id: int
    sending: int | None = None


Write = SetRoot | AdvanceState | Progress | MarkInFlight | RetryLater | Complete
ITEM_WRITES = (Progress, MarkInFlight, RetryLater, Complete)  # writes of one outbox item


@dataclass
class ItemChange:
    """What the writes of one outbox item add up to, applied in order (`item_changes`)."""

    stage: int | None = None
    in_flight: bool | None = None
    next_attempt: float | None = None
    error: str | None = None
    attempts: int = 0
    done: bool = False


def item_changes(writes: Sequence[Write]) -> dict[int, ItemChange]:
    """The item writes among `writes` folded per outbox item, as applying them in order
    would leave it: a store makes one change of each (an item's progress, its mark and its
    completion, delivered in one pass, are one delete), in the order each item first comes."""
    items: dict[int, ItemChange] = {}
    for write in writes:
        if not isinstance(write, ITEM_WRITES):
            continue
        change = items.setdefault(write.item_id, ItemChange())
        match write:
            case Progress(_, stage):
                change.stage, change.in_flight = stage, False
            case MarkInFlight():
                change.in_flight = True
            case RetryLater(_, when, error, count):
                change.next_attempt, change.error = when.timestamp(), error[:1000]
                change.attempts += 1 if count else 0
            case Complete():
                change.done = True
    return items
