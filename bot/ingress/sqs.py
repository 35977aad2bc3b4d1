"""The SQS consumer: long-polls each queue, stores what it receives, then deletes it.

A message is deleted only after its alerts are durably in the outbox: a crash in between
means SQS delivers it again, and the store's dedup keeps Slack clean. Each message of a
receive is judged alone (bot.ingress.admit): a body that is not an event is shown as a text
alert, an event that cannot be stored as an unreadable-event alert, and either is deleted
with its neighbours, never left to block them or to reach the dead-letter queue. Only a
store outage keeps messages in the queue, those not yet stored, and backs off.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from bot.core.aws_codes import Problem, problem_of
from bot.core.clock import Clock
from bot.core.errors import StoreError
from bot.core.events import Kind
from bot.ingress.admit import Inbound, admit
from bot.ingress.ingest import events_from_text
from bot.ingress.normalize import Origin
from bot.intake.accept import Pipeline
from bot.ops.health import Health
from bot.ops.telemetry import Metrics

log = logging.getLogger(__name__)
_WAIT_SECONDS = 20
_MAX_MESSAGES = 10
_MAX_BACKOFF_S = 60.0


class QueueConsumer:
    def __init__(
        self,
        queues: dict[str, Any],
        pipeline: Pipeline,
        clock: Clock,
        metrics: Metrics,
        health: Health,
        wait_seconds: int = _WAIT_SECONDS,
    ) -> None:
        self.queues, self.pipeline = queues, pipeline  # queue URL -> its region's SQS client
        self.clock, self.metrics, self.health = clock, metrics, health
        self.wait_seconds = wait_seconds
        self._failures: dict[str, int] = {}  # queue URL -> failed receives in a row
        self._problems: dict[str, str] = {}  # queue URL -> its last error, while failing

    def poll_once(self, queue_url: str) -> int:
        """Receive one batch from `queue_url`, store it, delete it; how many messages. A
        store outage raises its `StoreError` once the messages already stored are deleted."""
        sqs = self.queues[queue_url]
        response = sqs.receive_message(
            QueueUrl=queue_url,
            MaxNumberOfMessages=_MAX_MESSAGES,
            WaitTimeSeconds=self.wait_seconds,
            MessageSystemAttributeNames=["SentTimestamp", "ApproximateReceiveCount"],
        )
        messages = response.get("Messages") or []
        if not messages:
            return 0
        now = self.clock.now()
        admission = admit(self.pipeline, [self._inbound(message, now) for message in messages])
        entries = [
            {"Id": str(index), "ReceiptHandle": messages[index]["ReceiptHandle"]}
            for index in admission.durable
        ]
        if entries:
            result = sqs.delete_message_batch(QueueUrl=queue_url, Entries=entries)
            for failure in result.get("Failed") or []:
                # Not fatal: SQS redelivers it and dedup drops the copy.
                log.warning(
                    "could not delete SQS message %s: %s",
                    failure.get("Id"),
                    failure.get("Message"),
                )
        if admission.outage is not None:
            raise admission.outage
        return len(messages)

    def run(self, stop: threading.Event, sleep: Callable[[float], Any] | None = None) -> None:
        pause = sleep or stop.wait
        while not stop.is_set():
            for queue_url in self.queues:
                if stop.is_set():
                    break
                try:
                    self.poll_once(queue_url)
                except (ClientError, BotoCoreError, StoreError) as error:
                    # A store outage is waited out like an AWS one: what was not stored
                    # stays in the queue (not deleted) and this thread keeps going.
                    pause(self._backoff(queue_url, error))
                except Exception as error:
                    log.exception("consuming %s failed; the batch stays queued", queue_url)
                    pause(self._backoff(queue_url, error))
                else:
                    self._recovered(queue_url)

    def _inbound(self, message: dict[str, Any], now: datetime) -> Inbound:
        attributes = message.get("Attributes") or {}
        sent = attributes.get("SentTimestamp")
        if sent and sent.isdigit():
            lag = now.timestamp() - int(sent) / 1000
            self.metrics.queue_lag.observe(max(0.0, lag))
        origin = Origin(envelope="sqs", message_id=message.get("MessageId"))
        body = message.get("Body") or ""
        events = events_from_text(body, now, origin)
        if any(
            e.kind == Kind.UNKNOWN and e.title == "Message" and e.envelope == "sqs/text"
            for e in events
        ):
            self.metrics.unreadable.inc()
            log.warning("SQS message %s is not an event; shown as text", message.get("MessageId"))
        return Inbound(events, body, origin, now)

    def _backoff(self, queue_url: str, error: Exception) -> float:
        failures = self._failures[queue_url] = self._failures.get(queue_url, 0) + 1
        code = (
            error.response.get("Error", {}).get("Code", "")
            if isinstance(error, ClientError)
            else ""
        )
        detail = f"{queue_url}: {code or type(error).__name__}"
        if isinstance(error, StoreError):
            detail = f"{queue_url}: messages left in the queue, the store failed: {error}"
        elif problem_of(code) is Problem.DENIED:
            detail += " (the bot needs sqs:ReceiveMessage and sqs:DeleteMessage on this queue)"
        elif problem_of(code) is Problem.EXPIRED:
            detail += " (AWS credentials expired or invalid; they are retried as they refresh)"
        self._problems[queue_url] = detail
        self.health.set("queue", False, "; ".join(self._problems.values()), self.clock.now())
        wait = min(_MAX_BACKOFF_S, 2.0 ** min(failures, 6))
        log.warning("SQS receive failed (%s); retrying in %.0fs", detail, wait)
        return wait

    def _recovered(self, queue_url: str) -> None:
        if self._failures.pop(queue_url, 0):
            log.info("SQS %s answers again", queue_url)
        self._problems.pop(queue_url, None)
        if self._problems:  # another queue is still failing: stay red, naming it
            self.health.set("queue", False, "; ".join(self._problems.values()), self.clock.now())
        else:
            self.health.set("queue", True, f"polling {len(self.queues)} queue(s)", self.clock.now())
