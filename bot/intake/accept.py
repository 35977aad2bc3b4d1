"""Accepting events: route each one, drop redeliveries, and store the rest in the outbox
in one transaction. Once `submit` returns, the alerts are durable: the caller may
acknowledge its input (delete the SQS message, answer SNS 200)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.config.models import Config
from bot.core.clock import Clock
from bot.core.events import Event
from bot.incidents.policy import incident_change, silence_for
from bot.intake.routing import route
from bot.ops.telemetry import Metrics
from bot.store import IntakeStore, Silence

log = logging.getLogger(__name__)


def _held_by(event: Event, silences: Sequence[Silence]) -> int | None:
    silence = silence_for(event, silences)
    return silence.id if silence is not None else None


@dataclass(frozen=True)
class Submitted:
    accepted: int
    duplicates: int


class Pipeline:
    def __init__(
        self,
        config: Config,
        store: IntakeStore,
        clock: Clock,
        metrics: Metrics,
        wake: threading.Event | None = None,
        enrich: Callable[[Event], Event] | None = None,
    ) -> None:
        self.config, self.store, self.clock, self.metrics = config, store, clock, metrics
        self.wake = wake  # set when something new awaits delivery
        # A step that adds what the event itself does not carry (a Model Monitor report's
        # violations); it must not raise and is run on rare events only.
        self.enrich = enrich

    def submit(self, events: Sequence[Event]) -> Submitted:
        if not events:
            return Submitted(0, 0)
        now = self.clock.now()
        if self.enrich is not None:
            events = [self.enrich(event) for event in events]
        routed = [(event, route(event, self.config)) for event in events]
        changes = [incident_change(e, d, self.config, now) for e, d in routed]
        silences = self.store.active_silences(now)
        held = [_held_by(e, silences) for e, _ in routed]
        flags = self.store.accept(routed, now, changes, held)
        for (event, decision), accepted, silence in zip(routed, flags, held, strict=True):
            self.metrics.received.labels(event.kind.value).inc()
            if not accepted:
                self.metrics.deduped.labels(event.kind.value).inc()
                continue
            if silence is not None:
                self.metrics.silenced.labels(event.kind.value).inc()
            # One line per event accepted (a redelivery is only counted).
            log.info(
                "accepted %s %s%s",
                event.kind.value,
                event.status,
                " (held by a silence)" if silence is not None else "",
                extra={
                    "event_id": event.id,
                    "resource": event.key,
                    "kind": event.kind.value,
                    "channel": decision.channel,
                },
            )
        accepted_count = sum(flags)
        if accepted_count and self.wake is not None:
            self.wake.set()
        return Submitted(accepted_count, len(flags) - accepted_count)
