"""Durable state behind a small protocol: seen event ids, each resource's root message,
and the outbox of alerts accepted but not yet delivered.

`sqlite:///PATH` is the one implementation today; `dynamodb://TABLE` follows (issue 9) and
must pass the same contract tests (tests/unit/store/test_contract.py).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Protocol

from bot.errors import StoreError
from bot.events import Event, Severity
from bot.routing import Decision


@dataclass(frozen=True)
class OutboxItem:
    """An accepted alert on its way to Slack. `stage` records how far delivery got, so a
    retry never repeats a step that already reached Slack."""

    id: int
    key: str
    event: Event
    decision: Decision
    attempts: int
    stage: int
    created: datetime
    next_attempt: datetime
    in_flight: bool = False  # a send of the current stage may have reached Slack


STAGE_NEW = 0
STAGE_ROOT_DONE = 1  # root posted or updated; the thread reply (if any) remains


@dataclass(frozen=True)
class RootMessage:
    """The Slack message standing for one resource, and the event whose state it shows."""

    key: str
    channel: str
    ts: str
    event: Event


class Store(Protocol):
    def accept(self, items: Sequence[tuple[Event, Decision]], now: datetime) -> list[bool]:
        """Record each event unless already seen; True for those queued for delivery.
        All of a batch is durable when this returns."""
        ...

    def due(self, now: datetime, limit: int) -> list[OutboxItem]:
        """Pending items whose time has come, only the oldest pending one per resource."""
        ...

    def root(self, key: str) -> RootMessage | None: ...

    def set_root(self, key: str, channel: str, ts: str, event: Event) -> None: ...

    def advance_state(self, key: str, event: Event) -> bool:
        """Record `event` as the state the root shows, if it is newer than the one shown
        (see bot.state.order); False, and no change, otherwise."""
        ...

    def progress(self, item_id: int, stage: int) -> None:
        """Record that delivery reached `stage`; the new stage starts with nothing sent."""
        ...

    def mark_in_flight(self, item_id: int) -> None:
        """Record, before a post, that it may reach Slack: after a crash the retry looks
        for it instead of posting blindly."""
        ...

    def retry_later(self, item_id: int, when: datetime, error: str, count: bool = True) -> None: ...

    def complete(self, item_id: int) -> None: ...

    def reroute(self, item_id: int, decision: Decision) -> None:
        """Send a not-yet-posted item elsewhere (its channel is gone): due at once."""
        ...

    def give_up(self, item_id: int, error: str) -> None:
        """Park an item that can never be delivered; it stays in the store, counted."""
        ...

    def pending_count(self) -> int: ...

    def ping(self) -> None:
        """Raise StoreError unless the store answers."""
        ...

    def close(self) -> None: ...


def encode_decision(decision: Decision) -> str:
    return json.dumps(asdict(decision))


def decode_decision(text: str) -> Decision:
    data = json.loads(text)
    data["severity"] = Severity(data["severity"])
    return Decision(**data)


def open_store(url: str) -> Store:
    """The store named by MLPULSE_STORE; StoreError with what to fix when it cannot open."""
    if url.startswith("sqlite:///"):
        from bot.store.sqlite import SqliteStore

        return SqliteStore(url.removeprefix("sqlite:///"))
    if url.startswith("dynamodb://"):
        raise StoreError(
            f"MLPULSE_STORE={url}: the DynamoDB store is not built yet; use sqlite:///PATH"
        )
    raise StoreError(f"MLPULSE_STORE={url!r}: expected sqlite:///PATH or dynamodb://TABLE")
