"""The /sns handler called directly: answers, durability, dedup, metrics and logs."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import pytest

from bot.config.models import Config
from bot.core.clock import FakeClock
from bot.core.errors import StoreError
from bot.core.events import Event, Kind
from bot.ingress.http import Request, Response
from bot.ingress.sns.certs import CertificateCache
from bot.ingress.sns.errors import Retryable
from bot.ingress.sns.receiver import SnsEndpoint
from bot.intake.accept import Pipeline
from bot.ops.telemetry import Metrics
from bot.store.sqlite.store import SqliteStore
from tests.fakes.sns_signing import (
    FOREIGN_TOPIC,
    SECOND_TOPIC,
    TOKEN,
    TOPIC,
    FakeFetcher,
    SnsSigner,
    body,
)


class FakeConfirmer:
    def __init__(self, fail: bool = False) -> None:
        self.calls: list[tuple[str, str]] = []
        self.fail = fail

    def confirm(self, topic_arn: str, token: str) -> str:
        self.calls.append((topic_arn, token))
        if self.fail:
            raise Retryable("confirm_failed", f"ConfirmSubscription {topic_arn}: Throttling")
        return f"{topic_arn}:sub-1"


class Wired:
    def __init__(self, store: SqliteStore, clock: FakeClock, signer: SnsSigner) -> None:
        self.store, self.metrics = store, Metrics()
        self.pipeline = Pipeline(Config(), store, clock, self.metrics)
        self.fetcher: FakeFetcher = signer.fetcher()
        self.confirmer = FakeConfirmer()
        self.endpoint = SnsEndpoint(
            [TOPIC, SECOND_TOPIC],
            self.pipeline,
            clock,
            self.metrics.registry,
            certs=CertificateCache(self.fetcher, clock),
            confirmer=self.confirmer,
        )

    def post(self, document: Any) -> Response:
        raw = document if isinstance(document, bytes) else body(document)
        return self.endpoint.handle(Request("POST", "/sns", {"content-type": "text/plain"}, raw))

    def rejected(self, reason: str) -> float:
        value = self.metrics.registry.get_sample_value(
            "mlpulse_sns_rejected_total", {"reason": reason}
        )
        return value or 0.0

    def outbox(self, now: Any) -> list[Event]:
        return [item.event for item in self.store.due(now, 100)]


@pytest.fixture
def wired(store: SqliteStore, clock: FakeClock, signer: SnsSigner) -> Wired:
    return Wired(store, clock, signer)


@pytest.mark.parametrize("version", ["1", "2"])
def test_a_notification_is_stored_before_200(
    wired: Wired, signer: SnsSigner, clock: FakeClock, version: str
) -> None:
    event = {
        "version": "0",
        "id": "eb-1",
        "detail-type": "SageMaker Training Job State Change",
        "source": "aws.sagemaker",
        "account": "123456789012",
        "time": "2026-11-25T02:59:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": {"TrainingJobName": "churn-7", "TrainingJobStatus": "Failed"},
    }
    answer = wired.post(signer.notification(event, version=version))
    assert (answer.status, answer.body) == (200, b"accepted 1\n")
    (stored,) = wired.outbox(clock.now())
    assert (stored.kind, stored.name, stored.envelope) == (
        Kind.TRAINING_JOB,
        "churn-7",
        "sns/eventbridge",
    )


# A10
def test_a_plain_text_message_becomes_a_text_alert(
    wired: Wired, signer: SnsSigner, clock: FakeClock
) -> None:
    answer = wired.post(signer.notification("Disk almost full on host 7", subject="Ops"))
    assert answer.status == 200
    (stored,) = wired.outbox(clock.now())
    assert stored.kind == Kind.UNKNOWN
    assert stored.reason == "Disk almost full on host 7"
    assert stored.name == "Ops"


# A11
def test_the_same_message_id_twice_is_one_outbox_item(
    wired: Wired, signer: SnsSigner, clock: FakeClock
) -> None:
    document = signer.notification("the same text", message_id="same-id")
    assert wired.post(document).body == b"accepted 1\n"
    assert wired.post(document).body == b"accepted 0\n"
    assert wired.store.pending_count() == 1


@pytest.mark.parametrize("version", ["1", "2"])
def test_a_subscription_is_confirmed_through_the_api(
    wired: Wired, signer: SnsSigner, version: str
) -> None:
    answer = wired.post(signer.confirmation(version=version))
    assert answer.status == 200
    assert wired.confirmer.calls == [(TOPIC, TOKEN)]
    assert wired.store.pending_count() == 0


def test_a_subscription_for_another_topic_is_ignored_and_logged(
    wired: Wired, signer: SnsSigner, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="bot.ingress.sns"):
        answer = wired.post(signer.confirmation(topic=FOREIGN_TOPIC))
    assert answer.status == 403
    assert wired.confirmer.calls == []
    assert wired.fetcher.calls == []
    assert f"SubscriptionConfirmation for topic '{FOREIGN_TOPIC}' ignored" in caplog.text
    assert TOKEN not in caplog.text


def test_an_unsubscribe_confirmation_is_noted_not_resubscribed(
    wired: Wired, signer: SnsSigner, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="bot.ingress.sns"):
        answer = wired.post(signer.confirmation("UnsubscribeConfirmation"))
    assert answer.status == 200
    assert wired.confirmer.calls == []
    assert "UnsubscribeConfirmation" in caplog.text and "not re-subscribing" in caplog.text


def test_confirmation_failure_is_retryable(wired: Wired, signer: SnsSigner) -> None:
    wired.confirmer.fail = True
    answer = wired.post(signer.confirmation())
    assert answer.status == 503
    assert answer.headers["Retry-After"]
    assert wired.rejected("confirm_failed") == 1


# A6
def test_certificate_fetch_failure_is_503_then_the_retry_succeeds(
    wired: Wired, signer: SnsSigner, clock: FakeClock
) -> None:
    document = signer.notification("x")
    wired.fetcher.fail(1)
    first = wired.post(document)
    assert first.status == 503
    assert wired.store.pending_count() == 0  # not accepted
    assert wired.post(document).status == 503  # at once: the failure is remembered
    assert len(wired.fetcher.calls) == 1
    clock.advance(20)  # SNS's default delay between HTTP retries
    assert wired.post(document).status == 200
    assert wired.post(signer.notification("y")).status == 200
    assert len(wired.fetcher.calls) == 2  # the failure, then one fetch for both messages


def test_store_failure_is_retryable_not_acceptance(
    store: SqliteStore, clock: FakeClock, signer: SnsSigner
) -> None:
    class DownPipeline:
        def submit(self, events: Sequence[Event]) -> Any:
            raise StoreError("database is locked")

    wired = Wired(store, clock, signer)
    wired.endpoint.pipeline = DownPipeline()  # type: ignore[assignment]
    answer = wired.post(signer.notification("x"))
    assert answer.status == 503
    assert wired.rejected("store_unavailable") == 1


def spoiling(name: str) -> Any:
    """An enrichment step that hands the store an event it cannot serialise."""

    def spoil(event: Event) -> Event:
        return event.model_copy(update={"name": "\ud800"}) if event.name == name else event

    return spoil


def test_content_the_store_cannot_take_is_200_and_shown_unreadable(
    wired: Wired, signer: SnsSigner, clock: FakeClock
) -> None:
    wired.pipeline.enrich = spoiling("poison")
    message = {"detail-type": "x", "source": "aws.x", "detail": {"name": "poison"}}
    answer = wired.post(signer.notification(message, message_id="m-poison"))
    assert (answer.status, answer.body) == (200, b"accepted 1\n")
    (shown,) = wired.outbox(clock.now())
    assert shown.name == "Unreadable event" and shown.id.startswith("unreadable:")
    assert shown.reason is not None and '"name": "poison"' in shown.reason  # as received
    unreadable = wired.metrics.registry.get_sample_value("mlpulse_messages_unreadable_total")
    assert unreadable == 1


def test_content_not_storable_in_any_form_is_retryable_never_500(
    wired: Wired, signer: SnsSigner
) -> None:
    def refuse_all(event: Event) -> Event:
        raise ValueError("no form of this event can be kept")

    wired.pipeline.enrich = refuse_all
    answer = wired.post(signer.notification({"detail-type": "x", "source": "aws.x"}))
    assert answer.status == 503
    assert wired.rejected("unstorable") == 1


def test_refusals_are_counted_by_reason_and_say_little(wired: Wired, signer: SnsSigner) -> None:
    tampered = signer.notification("x")
    tampered["Message"] = "y"
    answers = [
        wired.post(b"not json"),
        wired.post(b"{}"),
        wired.post(tampered),
        wired.post(signer.notification("x", topic=FOREIGN_TOPIC)),
    ]
    assert [a.status for a in answers] == [400, 400, 403, 403]
    assert answers[0].body == b"bad request: not_json\n"
    assert answers[2].body == answers[3].body == b"forbidden\n"
    for reason in ("not_json", "no_type", "signature", "topic_not_allowed"):
        assert wired.rejected(reason) == 1


def test_no_allowed_topic_refuses_everything(
    store: SqliteStore, clock: FakeClock, signer: SnsSigner
) -> None:
    metrics = Metrics()
    endpoint = SnsEndpoint([], Pipeline(Config(), store, clock, metrics), clock, metrics.registry)
    raw = body(signer.notification("x"))
    assert endpoint.handle(Request("POST", "/sns", {}, raw)).status == 403


HOSTILE = [
    b"",
    b"\x00" * 64,
    b"\xc3\x28",
    b"[" * 50_000 + b"]" * 50_000,
    b'{"Type": "Notification", "Message": {"nested": true}}',
    b'{"Type": "Notification", "Message": "x", "MessageId": "1", "Timestamp": "2026-11-25T03:00:00Z", "TopicArn": "arn", "SignatureVersion": "1", "Signature": "x", "SigningCertURL": "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0123456789abcdef.pem"}',
    b'{"Type": "SubscriptionConfirmation", "Token": null}',
    b'{"Type": "Notification", "Timestamp": "9999-99-99T99:99:99Z"}',
    b'{"Type": "__proto__"}',
    b'{"Type": "Notification", "Type": "Bogus"}',
    b"1e999999",
    b'"\\ud800"',
]


@pytest.mark.parametrize("raw", HOSTILE)
def test_hostile_bodies_get_4xx_never_500(wired: Wired, raw: bytes) -> None:
    assert 400 <= wired.post(raw).status < 500
    assert wired.store.pending_count() == 0
    assert wired.fetcher.calls == []
