"""Accepting events: route each one, drop redeliveries, and store the rest in the outbox
in one transaction. Once `submit` returns, the alerts are durable: the caller may
acknowledge its input (delete the SQS message, answer SNS 200)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

from bot.clock import Clock
from bot.config import Config
from bot.events import Event
from bot.metrics import Metrics
from bot.routing import route
from bot.store import Store


@dataclass(frozen=True)
class Submitted:
    accepted: int
    duplicates: int


class Pipeline:
    def __init__(
        self,
        config: Config,
        store: Store,
        clock: Clock,
        metrics: Metrics,
        wake: threading.Event | None = None,
    ) -> None:
        self.config, self.store, self.clock, self.metrics = config, store, clock, metrics
        self.wake = wake  # set when something new awaits delivery

    def submit(self, events: Sequence[Event]) -> Submitted:
        if not events:
            return Submitted(0, 0)
        routed = [(event, route(event, self.config)) for event in events]
        flags = self.store.accept(routed, self.clock.now())
        for event, accepted in zip(events, flags, strict=True):
            self.metrics.received.labels(event.kind.value).inc()
            if not accepted:
                self.metrics.deduped.labels(event.kind.value).inc()
        accepted_count = sum(flags)
        if accepted_count and self.wake is not None:
            self.wake.set()
        return Submitted(accepted_count, len(flags) - accepted_count)
