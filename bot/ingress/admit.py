"""Into the outbox with every message judged alone: one message's content never costs another
its alert, and only a store outage holds messages back.

    admit(pipeline, [Inbound, ...]) -> Admission

The usual case is one `Pipeline.submit` (one store transaction) for all the messages of a
receive. Should it raise anything but a `StoreError`, some event's content defeats the
store (or routing, or enrichment), and each event is submitted alone instead: those that
cannot be kept are replaced by an unreadable-event alert (`normalize.unreadable_event`)
showing their message as received, counted in `mlpulse_messages_unreadable_total`. A
`StoreError` is an outage, not content: it stops there, and the messages not yet durable
are left for the caller to leave in its queue (SQS) or answer retryable (SNS).

Exactly once still holds on the slow path: an event stored by the failed batch (DynamoDB
writes item by item) is a duplicate when submitted again, and an unreadable alert takes
its id from the event it stands for, so a redelivered poison message adds nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.core.errors import StoreError
from bot.core.events import Event
from bot.ingress.normalize import Origin, unreadable_event
from bot.intake.accept import Pipeline, Submitted

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Inbound:
    """One message as received: the events read from it, and its body as it came, to show
    if an event of it cannot be kept."""

    events: Sequence[Event]
    body: str
    origin: Origin
    received: datetime


@dataclass(frozen=True)
class Admission:
    durable: tuple[int, ...]  # indexes of the messages whose alerts are all in the outbox
    outage: StoreError | None = None  # why the others are not: the store failed
    accepted: int = 0
    duplicates: int = 0
    unreadable: int = 0  # events shown as unreadable-event alerts instead


def admit(pipeline: Pipeline, messages: Sequence[Inbound]) -> Admission:
    everything = [event for message in messages for event in message.events]
    try:
        submitted = pipeline.submit(everything)
    except StoreError as outage:
        return Admission((), outage)
    except Exception:
        log.warning(
            "%d message(s) could not be stored together; storing each event alone",
            len(messages),
            exc_info=True,
        )
    else:
        every = tuple(range(len(messages)))
        return Admission(every, None, submitted.accepted, submitted.duplicates)
    return _each_alone(pipeline, messages)


def _each_alone(pipeline: Pipeline, messages: Sequence[Inbound]) -> Admission:
    durable: list[int] = []
    accepted = duplicates = unreadable = 0
    for index, message in enumerate(messages):
        try:
            for event in message.events:
                submitted, shown_instead = _one(pipeline, event, message)
                accepted += submitted.accepted
                duplicates += submitted.duplicates
                unreadable += shown_instead
        except StoreError as outage:
            return Admission(tuple(durable), outage, accepted, duplicates, unreadable)
        except Exception:
            # Not even the unreadable alert could be kept: the message is left where it
            # is (SQS hands it to the dead-letter queue in time); the others go on.
            log.exception("message %s could not be stored in any form", message.origin)
            continue
        durable.append(index)
    return Admission(tuple(durable), None, accepted, duplicates, unreadable)


def _one(pipeline: Pipeline, event: Event, message: Inbound) -> tuple[Submitted, int]:
    """`event` submitted alone, or the unreadable alert in its place; and 1 if that."""
    try:
        return pipeline.submit([event]), 0
    except StoreError:
        raise
    except Exception as error:
        problem = type(error).__name__
        log.warning(
            "%s event %s from message %s cannot be stored (%s); shown as unreadable",
            event.kind.value,
            event.id,
            message.origin.message_id,
            problem,
            exc_info=True,
        )
        shown = unreadable_event(event, problem, message.body, message.origin, message.received)
        submitted = pipeline.submit([shown])
        pipeline.metrics.unreadable.inc()
        return submitted, 1
