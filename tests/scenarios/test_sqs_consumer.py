"""The SQS consumer against a real (moto) queue over HTTP: every envelope is taken, garbage
never blocks the queue, a message is deleted only once its alert is durable, and AWS
throttling or expired credentials back off and show in the health report (RELIABILITY B1,
B2, B7; D6)."""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import boto3
import pytest
from botocore.exceptions import EndpointConnectionError
from botocore.stub import Stubber

from bot.config.models import Config
from bot.core.clock import FakeClock
from bot.core.decision import Decision
from bot.core.errors import StoreError
from bot.core.events import Event, Kind
from bot.ingress.sqs import QueueConsumer
from bot.intake.accept import Pipeline
from bot.ops.health import Health
from bot.ops.telemetry import Metrics
from bot.store.sqlite.store import SqliteStore
from tests.conftest import FIXTURES
from tests.fakes.moto import CREDENTIALS, REGION, aws_client, messages_left, moto_server, moto_url

__all__ = ["moto_server", "moto_url"]  # fixtures used by name

QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/mlpulse-events"


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def sns_envelope(message: str, message_id: str = "5f0b1c9e-0000-4000-8000-000000000001") -> str:
    """What SQS holds when SNS delivers to it without raw message delivery."""
    return json.dumps(
        {
            "Type": "Notification",
            "MessageId": message_id,
            "TopicArn": "arn:aws:sns:us-east-1:123456789012:mlpulse",
            "Subject": None,
            "Message": message,
            "Timestamp": "2026-11-25T02:59:59.000Z",
            "SignatureVersion": "1",
            "Signature": "EXAMPLE",
            "SigningCertURL": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0.pem",
            "UnsubscribeURL": "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
        }
    )


def new_queue(sqs: Any, name: str = "mlpulse-events", visibility: int = 0) -> str:
    attributes = {"VisibilityTimeout": str(visibility)}
    return str(sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"])


def consumer_for(
    queues: dict[str, Any], store: Any, clock: FakeClock
) -> tuple[QueueConsumer, Metrics, Health]:
    metrics, health = Metrics(), Health()
    pipeline = Pipeline(Config(), store, clock, metrics)
    consumer = QueueConsumer(queues, pipeline, clock, metrics, health, wait_seconds=0)
    return consumer, metrics, health


def sample(metrics: Metrics, name: str, **labels: str) -> float:
    return metrics.registry.get_sample_value(name, labels or None) or 0.0


def drain(consumer: QueueConsumer, queue_url: str, limit: int = 10) -> int:
    """Poll until a receive comes back empty; how many messages were taken."""
    taken = 0
    for _ in range(limit):
        got = consumer.poll_once(queue_url)
        if not got:
            return taken
        taken += got
    raise AssertionError(f"{queue_url} still had messages after {limit} polls")


class FlakyStore:
    """The real SQLite store, except that `accept` fails while `failing` is set."""

    def __init__(self, inner: SqliteStore) -> None:
        self.inner = inner
        self.failing = True

    def accept(
        self, items: Sequence[tuple[Event, Decision]], now: datetime, *rest: Any
    ) -> list[bool]:
        if self.failing:
            raise StoreError(f"SQLite store {self.inner.path}: disk I/O error")
        return self.inner.accept(items, now, *rest)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class CrashBeforeDelete:
    """An SQS client whose process "dies" between storing a batch and deleting it."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def receive_message(self, **kwargs: Any) -> Any:
        return self.client.receive_message(**kwargs)

    def delete_message_batch(self, **kwargs: Any) -> Any:
        raise SystemExit("killed between store and delete")


# --- every envelope; garbage does not block -----------------------------------------------


def test_each_envelope_is_stored_and_garbage_becomes_a_text_alert(
    moto_url: str, store: SqliteStore, clock: FakeClock
) -> None:
    sqs = aws_client("sqs", moto_url)
    queue = new_queue(sqs)
    bodies = [
        sns_envelope(fixture_text("sagemaker-training-job-state-change-completed.json")),
        fixture_text("sagemaker-processing-job-state-change-failed.json"),  # raw delivery
        fixture_text("cloudwatch-alarm-sns-message-single-metric.json"),
        "this is not JSON {",
    ]
    for body in bodies:
        sqs.send_message(QueueUrl=queue, MessageBody=body)
    consumer, metrics, _ = consumer_for({queue: sqs}, store, clock)

    assert drain(consumer, queue) == 4

    assert store.pending_count() == 4
    items = store.due(clock.now(), 100)
    by_kind = {item.event.kind: item.event for item in items}
    assert set(by_kind) == {Kind.TRAINING_JOB, Kind.PROCESSING_JOB, Kind.ALARM, Kind.UNKNOWN}
    assert by_kind[Kind.TRAINING_JOB].envelope == "sqs/sns/eventbridge"
    assert by_kind[Kind.PROCESSING_JOB].envelope == "sqs/eventbridge"
    assert by_kind[Kind.ALARM].envelope == "sqs/alarm"
    garbage = by_kind[Kind.UNKNOWN]
    assert garbage.envelope == "sqs/text"
    assert garbage.reason == "this is not JSON {"
    assert sample(metrics, "mlpulse_messages_unreadable_total") == 1
    assert sample(metrics, "mlpulse_events_received_total", kind="alarm") == 1
    assert messages_left(sqs, queue) == 0


@pytest.mark.parametrize(
    "body",
    [" ", "42", '"just a string"', "null", "\u202eRTL text 🙂 <!channel>", "{", "[1, 2"],
    ids=["blank", "number", "string", "null", "rtl-emoji", "brace", "bracket"],
)
def test_unreadable_bodies_are_shown_and_deleted(
    moto_url: str, store: SqliteStore, clock: FakeClock, body: str
) -> None:
    sqs = aws_client("sqs", moto_url)
    queue = new_queue(sqs)
    sqs.send_message(QueueUrl=queue, MessageBody=body)
    after = fixture_text("stepfunctions-execution-status-change-failed.json")
    sqs.send_message(QueueUrl=queue, MessageBody=after)
    consumer, metrics, _ = consumer_for({queue: sqs}, store, clock)

    assert drain(consumer, queue) == 2

    kinds = sorted(item.event.kind for item in store.due(clock.now(), 100))
    assert kinds == [Kind.STEPFUNCTIONS, Kind.UNKNOWN]
    assert sample(metrics, "mlpulse_messages_unreadable_total") == 1
    assert messages_left(sqs, queue) == 0


def test_sns_to_sqs_delivery_raw_and_enveloped_gives_one_alert(
    moto_url: str, store: SqliteStore, clock: FakeClock
) -> None:
    """SNS fans one event out to a raw-delivery queue and an enveloped one: one alert."""
    sqs, sns = aws_client("sqs", moto_url), aws_client("sns", moto_url)
    topic = sns.create_topic(Name="mlpulse")["TopicArn"]
    queues = {}
    for name, raw in (("enveloped", "false"), ("raw", "true")):
        url = new_queue(sqs, name)
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        sns.subscribe(
            TopicArn=topic,
            Protocol="sqs",
            Endpoint=arn,
            Attributes={"RawMessageDelivery": raw},
        )
        queues[url] = sqs
    sns.publish(
        TopicArn=topic, Message=fixture_text("stepfunctions-execution-status-change-failed.json")
    )
    consumer, metrics, _ = consumer_for(queues, store, clock)

    for url in queues:
        assert drain(consumer, url) == 1

    assert store.pending_count() == 1
    (item,) = store.due(clock.now(), 100)
    assert item.event.kind == Kind.STEPFUNCTIONS
    assert item.event.status == "FAILED"
    assert sample(metrics, "mlpulse_events_received_total", kind="stepfunctions") == 2
    assert sample(metrics, "mlpulse_events_deduped_total", kind="stepfunctions") == 1
    assert all(messages_left(sqs, url) == 0 for url in queues)


def test_sns_message_that_is_not_json_is_a_text_alert_not_unreadable(
    moto_url: str, store: SqliteStore, clock: FakeClock
) -> None:
    sqs = aws_client("sqs", moto_url)
    queue = new_queue(sqs)
    sqs.send_message(QueueUrl=queue, MessageBody=sns_envelope("Disk almost full on <!channel>"))
    consumer, metrics, _ = consumer_for({queue: sqs}, store, clock)

    assert drain(consumer, queue) == 1

    (item,) = store.due(clock.now(), 100)
    assert item.event.kind == Kind.UNKNOWN
    assert item.event.reason == "Disk almost full on <!channel>"  # escaped when rendered
    assert sample(metrics, "mlpulse_messages_unreadable_total") == 0
    assert messages_left(sqs, queue) == 0


# --- deleted only after the alert is durable ----------------------------------------------


def test_message_is_not_deleted_when_the_store_fails_and_is_taken_on_retry(
    moto_url: str, store: SqliteStore, clock: FakeClock
) -> None:
    sqs = aws_client("sqs", moto_url)
    queue = new_queue(sqs, visibility=0)  # a failed receive is visible again at once
    sqs.send_message(
        QueueUrl=queue,
        MessageBody=fixture_text("sagemaker-processing-job-state-change-failed.json"),
    )
    flaky = FlakyStore(store)
    consumer, _, _ = consumer_for({queue: sqs}, flaky, clock)

    with pytest.raises(StoreError):
        consumer.poll_once(queue)

    assert store.pending_count() == 0
    assert messages_left(sqs, queue) == 1

    flaky.failing = False
    assert drain(consumer, queue) == 1
    assert store.pending_count() == 1
    assert messages_left(sqs, queue) == 0


def test_crash_between_store_and_delete_redelivers_and_dedup_keeps_one_alert(
    moto_url: str, store: SqliteStore, clock: FakeClock
) -> None:
    sqs = aws_client("sqs", moto_url)
    queue = new_queue(sqs, visibility=0)
    body = sns_envelope(fixture_text("sagemaker-processing-job-state-change-failed.json"))
    sqs.send_message(QueueUrl=queue, MessageBody=body)
    crashing, _, _ = consumer_for({queue: CrashBeforeDelete(sqs)}, store, clock)

    with pytest.raises(SystemExit):
        crashing.poll_once(queue)
    assert store.pending_count() == 1
    assert messages_left(sqs, queue) == 1

    restarted, metrics, _ = consumer_for({queue: sqs}, store, clock)
    assert drain(restarted, queue) == 1

    assert store.pending_count() == 1
    assert sample(metrics, "mlpulse_events_deduped_total", kind="processing_job") == 1
    assert messages_left(sqs, queue) == 0


def test_run_keeps_consuming_after_the_store_fails(
    moto_url: str, store: SqliteStore, clock: FakeClock
) -> None:
    """A store outage later on: back off with health red, never lose the message or the
    consumer thread; recover when the store answers again (RELIABILITY D6)."""
    sqs = aws_client("sqs", moto_url)
    queue = new_queue(sqs, visibility=0)
    sqs.send_message(
        QueueUrl=queue,
        MessageBody=fixture_text("stepfunctions-execution-status-change-failed.json"),
    )
    flaky = FlakyStore(store)
    consumer, _, health = consumer_for({queue: sqs}, flaky, clock)
    stop = threading.Event()
    pauses: list[float] = []
    seen: list[dict[str, Any]] = []

    def sleep(seconds: float) -> None:
        pauses.append(seconds)
        seen.append(health.snapshot()[1])
        if len(pauses) == 2:
            flaky.failing = False  # the store is back
        if len(pauses) > 2:
            raise AssertionError("still backing off after the store recovered")

    def stop_when_drained(queue_url: str) -> int:
        taken = QueueConsumer.poll_once(consumer, queue_url)
        if not flaky.failing and store.pending_count():
            stop.set()
        return taken

    consumer.poll_once = stop_when_drained  # type: ignore[method-assign]
    consumer.run(stop, sleep=sleep)

    assert len(pauses) == 2
    assert all(0 < pause <= 60 for pause in pauses)
    for report in seen:
        assert report["status"] == "degraded"
        queue_state = report["components"]["queue"]
        assert queue_state["ok"] is False
        assert queue in queue_state["detail"]
        assert "disk I/O error" in queue_state["detail"]
    healthy, report = health.snapshot()
    assert healthy, report
    assert store.pending_count() == 1
    assert messages_left(sqs, queue) == 0


# --- throttling and expired credentials back off; health shows it -------------------------


class StopAfter:
    """An SQS client (stubbed) that sets `stop` once it has answered `calls` receives."""

    def __init__(self, client: Any, calls: int, stop: threading.Event) -> None:
        self.client, self.calls, self.stop = client, calls, stop
        self.received = 0

    def receive_message(self, **kwargs: Any) -> Any:
        self.received += 1
        if self.received >= self.calls:
            self.stop.set()
        return self.client.receive_message(**kwargs)

    def delete_message_batch(self, **kwargs: Any) -> Any:
        return self.client.delete_message_batch(**kwargs)


def stubbed_sqs() -> tuple[Any, Stubber]:
    client = boto3.client("sqs", region_name=REGION, **CREDENTIALS)
    return client, Stubber(client)


@pytest.mark.parametrize(
    ("code", "status", "hint"),
    [
        ("ThrottlingException", 400, None),
        ("RequestThrottled", 403, None),
        ("ExpiredToken", 403, "credentials expired"),
        ("ExpiredTokenException", 400, "credentials expired"),
        ("InvalidClientTokenId", 403, "credentials expired"),
        ("AccessDenied", 403, "sqs:ReceiveMessage"),
        ("InternalError", 500, None),
    ],
)
def test_receive_errors_back_off_show_in_health_and_recover(
    store: SqliteStore, clock: FakeClock, code: str, status: int, hint: str | None
) -> None:
    client, stubber = stubbed_sqs()
    for _ in range(3):
        stubber.add_client_error(
            "receive_message",
            service_error_code=code,
            service_message="no",
            http_status_code=status,
        )
    body = fixture_text("stepfunctions-execution-status-change-failed.json")
    stubber.add_response(
        "receive_message",
        {"Messages": [{"MessageId": "m-1", "ReceiptHandle": "r-1", "Body": body}]},
    )
    stubber.add_response("delete_message_batch", {"Successful": [{"Id": "0"}], "Failed": []})
    stop = threading.Event()
    consumer, _, health = consumer_for({QUEUE_URL: StopAfter(client, 4, stop)}, store, clock)
    pauses: list[float] = []
    reports: list[dict[str, Any]] = []

    def sleep(seconds: float) -> None:
        pauses.append(seconds)
        reports.append(health.snapshot()[1]["components"]["queue"])

    with stubber:
        consumer.run(stop, sleep=sleep)
        stubber.assert_no_pending_responses()

    assert pauses == sorted(pauses) and len(pauses) == 3
    assert pauses[0] > 0 and pauses[-1] > pauses[0]
    assert all(pause <= 60 for pause in pauses)
    for report in reports:
        assert report["ok"] is False
        assert QUEUE_URL in report["detail"]
        assert code in report["detail"]
        if hint:
            assert hint in report["detail"]
    healthy, snapshot = health.snapshot()
    assert healthy
    assert snapshot["components"]["queue"]["ok"] is True
    assert store.pending_count() == 1


def test_backoff_is_capped_and_resets_after_success(store: SqliteStore, clock: FakeClock) -> None:
    client, stubber = stubbed_sqs()
    for _ in range(10):
        stubber.add_client_error("receive_message", service_error_code="ThrottlingException")
    stubber.add_response("receive_message", {"Messages": []})
    stubber.add_client_error("receive_message", service_error_code="ThrottlingException")
    stop = threading.Event()
    consumer, _, _ = consumer_for({QUEUE_URL: StopAfter(client, 12, stop)}, store, clock)
    pauses: list[float] = []

    with stubber:
        consumer.run(stop, sleep=pauses.append)

    assert len(pauses) == 11
    assert max(pauses) <= 60
    assert pauses[9] == 60  # capped
    assert pauses[10] == pauses[0]  # a success starts the backoff over


def test_connection_errors_back_off_too(store: SqliteStore, clock: FakeClock) -> None:
    stop = threading.Event()

    class Unreachable:
        calls = 0

        def receive_message(self, **kwargs: Any) -> Any:
            self.calls += 1
            if self.calls == 1:
                raise EndpointConnectionError(endpoint_url=QUEUE_URL)
            stop.set()
            return {"Messages": []}

    consumer, _, health = consumer_for({QUEUE_URL: Unreachable()}, store, clock)
    reports: list[dict[str, Any]] = []
    consumer.run(stop, sleep=lambda s: reports.append(health.snapshot()[1]))

    (report,) = reports
    queue = report["components"]["queue"]
    assert queue["ok"] is False
    assert QUEUE_URL in queue["detail"]
    assert "EndpointConnectionError" in queue["detail"]
    assert health.snapshot()[0]


def test_one_failing_queue_is_not_hidden_by_a_healthy_one(
    store: SqliteStore, clock: FakeClock
) -> None:
    """With two queues, the healthy one's success neither turns health green nor resets
    the failing one's backoff."""
    stop = threading.Event()
    failing_url = QUEUE_URL.replace("mlpulse-events", "throttled")
    failing, failing_stub = stubbed_sqs()
    for _ in range(3):
        failing_stub.add_client_error("receive_message", service_error_code="ThrottlingException")
    healthy, healthy_stub = stubbed_sqs()
    for _ in range(3):
        healthy_stub.add_response("receive_message", {"Messages": []})
    queues = {failing_url: failing, QUEUE_URL: StopAfter(healthy, 3, stop)}
    consumer, _, health = consumer_for(queues, store, clock)
    pauses: list[float] = []

    with failing_stub, healthy_stub:
        consumer.run(stop, sleep=pauses.append)

    assert len(pauses) == 3
    assert pauses[0] < pauses[1] < pauses[2]  # the healthy queue does not reset it
    healthy_now, report = health.snapshot()
    assert not healthy_now
    assert failing_url in report["components"]["queue"]["detail"]
    assert "ThrottlingException" in report["components"]["queue"]["detail"]
