"""Issue 13, item 1, done when: "1 poison + 30 good events on one SQS queue: 30 good posted and
1 unreadable alert, 0 in the DLQ, within normal time; the same over /sns."

Two poisons, each with 30 good failed training jobs:
- `surrogate`: the one measured, a lone surrogate escape (`"\\ud800"`) in the kept fields
  (name, failure reason, id). The reader scrubs it, so it is posted as the training job it
  is, with U+FFFD where the bad code point was.
- `unstorable`: an event that still cannot be stored after reading. Nothing in the reader
  makes one any more, so the pipeline's own enrichment step (`Pipeline.enrich`) is made to
  return the poison with a lone surrogate, and the real store genuinely fails on it. It is
  posted as an unreadable-event alert.

Either way: 31 root posts, nothing in the dead-letter queue, no backoff, every message
received once (SQS: a moto server queue with a redrive policy, the real consumer, the fake
Slack); over /sns, 31 signed notifications to a started App, all answered 200.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.core.clock import FakeClock
from bot.core.events import Event
from bot.ingress.normalize import UNREADABLE
from bot.ingress.sns.certs import CertificateCache
from bot.ingress.sqs import QueueConsumer
from tests.fakes.moto import aws_client, messages_left, moto_server, moto_url
from tests.fakes.slack_api import FakeSlack, Message
from tests.fakes.sns_signing import TOPIC, SnsSigner, body
from tests.scenarios.conftest import Bot, MakeBot, sample
from tests.scenarios.test_incidents_support import UNPACED, Harness, started_app

__all__ = ["moto_server", "moto_url"]  # fixtures used by name

CHANNEL = "C0MLPULSE"  # the fake's id for #mlpulse, the default channel
GOOD = 30
POISON_AT = 4  # in the first receive, among good neighbours
LONE = "\ud800"
POISONS = ["surrogate", "unstorable"]


def failed_job(name: str, reason: str = "ClientError: out of memory") -> dict[str, Any]:
    return sample(
        "sagemaker-training-job-state-change-completed",
        {
            "id": f"id-{name}",
            "detail.TrainingJobName": name,
            "detail.TrainingJobStatus": "Failed",
            "detail.SecondaryStatus": "Failed",
            "detail.FailureReason": reason,
        },
    )


def documents(poison: str) -> list[dict[str, Any]]:
    """The 31 events, the poison among them."""
    good = [failed_job(f"train-{n:02d}") for n in range(GOOD)]
    if poison == "surrogate":
        bad = failed_job(f"train-poison{LONE}", f"ClientError: {LONE} bad")
        bad["id"] = f"id-poison{LONE}"
    else:
        bad = failed_job("train-poison")
    return [*good[:POISON_AT], bad, *good[POISON_AT:]]


def enrich_for(poison: str) -> Callable[[Event], Event] | None:
    """For `unstorable`: a step after reading that hands the store an event it cannot take."""
    if poison != "unstorable":
        return None

    def spoil(event: Event) -> Event:
        if event.name == "train-poison":
            return event.model_copy(update={"name": f"train-poison{LONE}"})
        return event

    return spoil


def check_posts(fake: FakeSlack, poison: str) -> None:
    roots = fake.roots(CHANNEL)
    assert len(roots) == GOOD + 1, [r.all_text()[:80] for r in roots]
    texts = [root.all_text() for root in roots]
    for n in range(GOOD):
        assert sum(f"train-{n:02d}" in text for text in texts) == 1, n
    (shown,) = [root for root in roots if "train-poison" in root.all_text()]
    if poison == "surrogate":
        assert "train-poison\ufffd" in shown.all_text()
        assert not any(UNREADABLE in text for text in texts)
    else:
        assert UNREADABLE in shown.all_text()
        assert "could not store this training_job event" in shown.all_text()
    for root in roots:
        json.dumps(root.content()).encode("utf-8")  # everything Slack got is valid UTF-8


# --- over SQS: a moto queue with a dead-letter queue, the real consumer -------------------


class Receiving:
    """The moto SQS client, recording every message handed out, and stopping the consumer
    when a receive comes back empty (the queue is drained) or after `most` receives."""

    def __init__(self, client: Any, stop: threading.Event, most: int = 40) -> None:
        self.client, self.stop, self.most = client, stop, most
        self.received: list[str] = []
        self.calls = 0

    def receive_message(self, **kwargs: Any) -> Any:
        self.calls += 1
        answer = self.client.receive_message(**kwargs)
        messages = answer.get("Messages") or []
        self.received += [m["MessageId"] for m in messages]
        if not messages or self.calls >= self.most:
            self.stop.set()
        return answer

    def delete_message_batch(self, **kwargs: Any) -> Any:
        return self.client.delete_message_batch(**kwargs)


def queue_with_dlq(sqs: Any) -> tuple[str, str]:
    """A queue whose messages go to a dead-letter queue after 2 receives; a message kept
    (not deleted) is visible again at once, as the worst case for its neighbours."""
    dlq = sqs.create_queue(QueueName="poison-test-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "2"})
    queue = sqs.create_queue(
        QueueName="poison-test-events",
        Attributes={"VisibilityTimeout": "0", "RedrivePolicy": redrive},
    )["QueueUrl"]
    return str(queue), str(dlq)


def unreadable_count(bot: Bot) -> float:
    value = bot.metrics.registry.get_sample_value("mlpulse_messages_unreadable_total")
    return value or 0.0


@pytest.mark.parametrize("poison", POISONS)
def test_one_poison_among_thirty_good_on_sqs(
    moto_url: str, make_bot: MakeBot, clock: FakeClock, poison: str
) -> None:
    bot = make_bot(**UNPACED)
    bot.pipeline.enrich = enrich_for(poison)
    sqs = aws_client("sqs", moto_url)
    queue, dlq = queue_with_dlq(sqs)
    for document in documents(poison):
        sqs.send_message(QueueUrl=queue, MessageBody=json.dumps(document))
    stop = threading.Event()
    client = Receiving(sqs, stop)
    consumer = QueueConsumer({queue: client}, bot.pipeline, clock, bot.metrics, bot.health, 0)
    backoffs: list[float] = []

    consumer.run(stop, sleep=backoffs.append)

    assert backoffs == []  # nothing waited on the poison
    assert len(client.received) == GOOD + 1  # each message received once: none kept
    assert len(set(client.received)) == GOOD + 1
    assert messages_left(sqs, queue) == 0
    assert messages_left(sqs, dlq) == 0
    assert bot.deliver() == GOOD + 1  # at the instant of receipt: nothing delayed
    check_posts(bot.fake, poison)
    assert unreadable_count(bot) == (1 if poison == "unstorable" else 0)
    assert bot.health.snapshot()[0]


# --- over /sns: 31 signed notifications to a started App -----------------------------------


@pytest.fixture
def app(
    tmp_path: Path, fake_slack: FakeSlack, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Harness]:
    config = {"sns": {"topic_arns": [TOPIC]}}
    with started_app(tmp_path, fake_slack, clock, monkeypatch, config) as harness:
        yield harness


def post_sns(harness: Harness, document: dict[str, Any]) -> int:
    assert harness.app.http is not None
    request = urllib.request.Request(
        f"http://127.0.0.1:{harness.app.http.port}/sns",
        data=body(document),
        headers={"Content-Type": "text/plain; charset=UTF-8"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


@pytest.mark.parametrize("poison", POISONS)
def test_one_poison_among_thirty_good_over_sns(
    app: Harness, fake_slack: FakeSlack, clock: FakeClock, poison: str
) -> None:
    signer = SnsSigner(clock.now())
    app.app.sns.certs = CertificateCache(signer.fetcher(), clock)
    app.app.pipeline.enrich = enrich_for(poison)

    answers = [post_sns(app, signer.notification(d)) for d in documents(poison)]

    assert answers == [200] * (GOOD + 1)  # the poison too: never a 500, nor a 503
    assert app.deliver() == GOOD + 1
    check_posts(fake_slack, poison)
    value = app.app.metrics.registry.get_sample_value("mlpulse_messages_unreadable_total")
    assert (value or 0.0) == (1 if poison == "unstorable" else 0)


def test_the_posts_are_only_roots(make_bot: MakeBot) -> None:
    """`check_posts` counts roots: make sure a root is what one alert makes here."""
    bot = make_bot(**UNPACED)
    bot.submit(failed_job("train-solo"))
    assert bot.deliver() == 1
    roots: list[Message] = bot.fake.roots(CHANNEL)
    assert len(roots) == 1 and len(bot.fake.messages(CHANNEL)) == 1
