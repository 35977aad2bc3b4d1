"""`POST /sns` over real HTTP against a started App (RELIABILITY A1-A11), plus the proofs
that hostile URLs are never requested and that no secret leaks into logs, /healthz or /readyz.

The App is the real one (`App.start`), on the shared fake clock; only the certificate
fetcher (serving the test's own certificate) and, where said, the confirmer are injected.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import secrets
import socket
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.app import App
from bot.config.models import Config, Topics
from bot.config.settings import Settings
from bot.core.clock import FakeClock
from bot.ingress.server import HttpServer, Listener
from bot.ingress.sns import SnsEndpoint
from bot.ingress.sns.certs import FETCH_BUDGET, CertificateCache
from bot.ingress.sns.confirm import ApiConfirmer
from notifiers.console import ConsoleNotifier
from tests.fakes.moto import aws_client, moto_server, moto_url
from tests.fakes.slack_api import FakeSlack
from tests.fakes.sns_signing import (
    FOREIGN_TOPIC,
    SECOND_TOPIC,
    TOKEN,
    TOPIC,
    FakeFetcher,
    SnsSigner,
    UrlTrap,
    body,
)
from tests.scenarios.conftest import MakeBot

BOT_TOKEN = "xoxb-0000-SECRET-bot-token-do-not-log"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5-SECRET"
HEX = "0123456789abcdef0123456789abcdef"

__all__ = ["moto_server", "moto_url"]  # fixtures used by name


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def confirm(self, topic_arn: str, token: str) -> str:
        self.calls.append((topic_arn, token))
        return f"{topic_arn}:sub"


class Running:
    def __init__(self, app: App, signer: SnsSigner, fetcher: FakeFetcher) -> None:
        self.app, self.signer, self.fetcher = app, signer, fetcher
        self.confirmer = Recorder()
        app.sns.confirmer = self.confirmer

    def url(self, path: str) -> str:
        assert self.app.http is not None
        return f"http://127.0.0.1:{self.app.http.port}{path}"

    def post(self, document: Any, kind: str = "Notification") -> tuple[int, bytes]:
        raw = document if isinstance(document, bytes) else body(document)
        headers = {"Content-Type": "text/plain; charset=UTF-8", "x-amz-sns-message-type": kind}
        request = urllib.request.Request(self.url("/sns"), data=raw, headers=headers)
        return _send(request)

    def get(self, path: str) -> tuple[int, bytes]:
        return _send(urllib.request.Request(self.url(path)))


def _send(request: urllib.request.Request) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture
def running(
    tmp_path: Path,
    clock: FakeClock,
    fake_slack: FakeSlack,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> Iterator[Running]:
    """The whole App with its Slack credentials set (Slack itself is the fake); every log
    record from start-up on is captured, at DEBUG."""
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    monkeypatch.delenv("SLACK_APP_TOKEN", raising=False)
    fake_slack.token = BOT_TOKEN
    settings = Settings(
        store=f"sqlite:///{tmp_path / 'sns.db'}", port=0, slack_api_url=fake_slack.url
    )
    config = Config(sns=Topics(topic_arns=[TOPIC, SECOND_TOPIC]))
    app = App(
        settings, config, notifier=ConsoleNotifier(io.StringIO()), clock=clock, sqs_clients={}
    )
    signer = SnsSigner(clock.now())
    fetcher = signer.fetcher()
    app.sns.certs = CertificateCache(fetcher, clock)
    app.start(port=0)
    yield Running(app, signer, fetcher)
    app.shutdown()


@pytest.fixture
def counting() -> Iterator[UrlTrap]:
    with UrlTrap() as trap:
        yield trap


# --- the main paths


@pytest.mark.parametrize("version", ["1", "2"])
def test_a_notification_is_accepted_after_it_is_stored(running: Running, version: str) -> None:
    document = running.signer.notification({"detail-type": "x", "source": "aws.x"}, version=version)
    assert running.post(document) == (200, b"accepted 1\n")


def test_subscription_confirmed_with_the_token_on_moto_never_via_subscribe_url(
    running: Running, moto_url: str, counting: UrlTrap
) -> None:
    topic = aws_client("sns", moto_url).create_topic(Name="mlpulse-events")["TopicArn"]
    assert topic == TOPIC
    sent: list[str] = []

    def client(region: str) -> Any:
        sns = aws_client("sns", moto_url, region)
        sns.meta.events.register(
            "before-send.sns.ConfirmSubscription",
            lambda request, **_: sent.append(str(request.body)),
        )
        return sns

    running.app.sns.confirmer = ApiConfirmer(client)
    trap = f"http://127.0.0.1:{counting.port}/?Action=ConfirmSubscription&Token={TOKEN}"
    document = running.signer.confirmation(subscribe_url=trap, version="2")
    assert running.post(document, "SubscriptionConfirmation")[0] == 200
    (request,) = sent
    assert f"Token={TOKEN}" in request and "Action=ConfirmSubscription" in request
    assert counting.connections == 0


def test_an_unsubscribe_confirmation_is_answered_200(running: Running) -> None:
    document = running.signer.confirmation("UnsubscribeConfirmation")
    assert running.post(document, "UnsubscribeConfirmation")[0] == 200
    assert running.confirmer.calls == []


# --- A1, A2


@pytest.mark.parametrize(
    "raw",
    [b"not json", b"", b"\xff\xfe{\x00", b"[" * 200_000, b"[1]"],
    ids=["not-json", "empty", "not-utf8", "deep", "not-object"],
)
def test_a1_unreadable_bodies_are_400(running: Running, raw: bytes) -> None:
    assert running.post(raw)[0] == 400


def test_a1_ten_megabytes_is_refused_and_the_server_lives_on(running: Running) -> None:
    assert running.app.http is not None
    big = json.dumps({"Type": "Notification", "Message": "x" * 10_000_000}).encode()
    head = f"POST /sns HTTP/1.1\r\nHost: x\r\nContent-Length: {len(big)}\r\n\r\n"
    with socket.create_connection(("127.0.0.1", running.app.http.port), timeout=10) as client:
        client.sendall(head.encode() + big[:65536])  # the rest is never read
        answer = client.recv(1024)
    assert answer.split(b" ")[1] == b"413"  # Payload Too Large, refused unread
    assert running.get("/healthz")[0] == 200


@pytest.mark.parametrize("raw", [b"{}", b'{"Type": "Subscribe"}', b'{"Type": null}'])
def test_a2_no_type_or_an_unknown_type_is_400(running: Running, raw: bytes) -> None:
    assert running.post(raw)[0] == 400


# --- A3, A4, A7, A9


@pytest.mark.parametrize("version", ["3", "", "SHA1", 1])
def test_a3_other_signature_versions_are_403(running: Running, version: object) -> None:
    document = running.signer.notification("x")
    document["SignatureVersion"] = version
    assert running.post(document)[0] == 403


@pytest.mark.parametrize("field", ["Message", "Subject", "Timestamp", "TopicArn"])
def test_a4_one_changed_byte_is_403(running: Running, field: str) -> None:
    document = running.signer.notification('{"a": 1}', subject="Job failed", version="2")
    if field == "TopicArn":
        document[field] = SECOND_TOPIC
    elif field == "Timestamp":
        document[field] = document[field].replace(".000Z", ".001Z")
    else:
        document[field] = document[field][:-1] + chr(ord(document[field][-1]) ^ 1)
    assert running.post(document)[0] == 403


def test_a7_a_valid_signature_from_another_topic_is_403(running: Running) -> None:
    assert running.post(running.signer.notification("x", topic=FOREIGN_TOPIC))[0] == 403
    assert running.fetcher.calls == []


@pytest.mark.parametrize("hours", [-2.0, -24 * 30, 0.5])
def test_a9_replays_and_future_stamps_are_403(running: Running, hours: float) -> None:
    from datetime import timedelta

    at = running.signer.now + timedelta(hours=hours)
    assert running.post(running.signer.notification("x", at=at))[0] == 403


# --- A5, A8: no request ever reaches a URL named in a message


def _hostile_cert_urls(port: int) -> list[str]:
    pem = f"SimpleNotificationService-{HEX}.pem"
    return [
        f"http://127.0.0.1:{port}/{pem}",
        f"https://127.0.0.1:{port}/{pem}",
        f"http://localhost:{port}/{pem}",
        f"https://sns.us-east-1.amazonaws.com@127.0.0.1:{port}/{pem}",
        f"http://sns.us-east-1.amazonaws.com@127.0.0.1:{port}/{pem}",
        f"https://127.0.0.1:{port}/sns.us-east-1.amazonaws.com/{pem}",
        f"https://sns.us-east-1.amazonaws.com:{port}/{pem}",
        f"https://sns.us-east-1.amazonaws.com.evil.example/{pem}",
        f"https://evil.example/sns.us-east-1.amazonaws.com/{pem}",
        f"https://sns.us-east-1.amazonaws.com/{pem}?u=http://127.0.0.1:{port}/",
        f"https://sns.us-east-1.amazonaws.com/{pem}#127.0.0.1:{port}",
        f"https://sns.us-east-1.amazonaws.com/x/../{pem}",
    ]


def test_a5_a_hostile_signing_cert_url_is_403_and_never_requested(
    running: Running, counting: UrlTrap
) -> None:
    running.app.sns.certs = CertificateCache()  # the real HTTPS fetcher: it would connect
    for url in _hostile_cert_urls(counting.port):
        document = running.signer.notification("x")
        document["SigningCertURL"] = url  # not a signed field: the signature still holds
        assert running.post(document)[0] == 403, url
    assert counting.connections == 0


def test_a6_certificate_fetched_once_failure_is_503(running: Running, clock: FakeClock) -> None:
    running.fetcher.fail(1)
    first = running.signer.notification("one")
    assert running.post(first)[0] == 503
    assert running.post(first)[0] == 503  # at once: the failure is remembered, not refetched
    clock.advance(20)  # SNS retries an HTTP delivery 20 s later by default
    assert running.post(first)[0] == 200
    for text in ("two", "three"):
        assert running.post(running.signer.notification(text))[0] == 200
    assert running.fetcher.calls == [running.signer.cert_url] * 2


def test_forged_posts_with_random_certificate_paths_cost_a_handful_of_fetches(
    running: Running,
) -> None:
    """Issue 13: unsigned posts naming an allowed topic and 40 random certificate paths on
    the AWS host each caused a fetch. Now new URLs are fetched within a budget (5 a minute)
    and failures are remembered; the rest are answered 503 without a request. A genuine
    message on the certificate already known is not held up."""
    assert running.post(running.signer.notification("before"))[0] == 200
    answers = []
    for _ in range(40):
        document = running.signer.notification("forged")
        document["Signature"] = base64.b64encode(secrets.token_bytes(256)).decode()
        document["SigningCertURL"] = (
            f"https://sns.us-east-1.amazonaws.com/SimpleNotificationService-"
            f"{secrets.token_hex(16)}.pem"
        )
        answers.append(running.post(document)[0])
        document["Signature"] = "not even base64"
        answers.append(running.post(document)[0])  # the same URL again: remembered
    assert answers == [503] * 80  # undecidable, so retryable; never accepted
    assert len(running.fetcher.calls) == FETCH_BUDGET  # the genuine one spent one of them
    assert running.post(running.signer.notification("after"))[0] == 200
    assert len(running.fetcher.calls) == FETCH_BUDGET


def test_a8_another_topics_confirmation_is_ignored_its_url_untouched(
    running: Running, counting: UrlTrap
) -> None:
    trap = f"http://127.0.0.1:{counting.port}/?Action=ConfirmSubscription"
    document = running.signer.confirmation(topic=FOREIGN_TOPIC, subscribe_url=trap)
    assert running.post(document, "SubscriptionConfirmation")[0] == 403
    allowed = running.signer.confirmation(subscribe_url=trap)
    assert running.post(allowed, "SubscriptionConfirmation")[0] == 200
    assert running.confirmer.calls == [(TOPIC, TOKEN)]
    assert counting.connections == 0


# --- A10, A11 end to end: into the fake Slack


def test_a10_a11_text_alert_posted_once_for_a_redelivered_message(
    make_bot: MakeBot, clock: FakeClock
) -> None:
    bot = make_bot()
    signer = SnsSigner(clock.now())
    endpoint = SnsEndpoint(
        [TOPIC],
        bot.pipeline,
        clock,
        bot.metrics.registry,
        certs=CertificateCache(signer.fetcher()),
    )
    server = HttpServer(Listener({("POST", "/sns"): endpoint.handle}, 0, "127.0.0.1"))
    server.start()
    try:
        document = signer.notification("GPU quota nearly exhausted & <!channel>", subject="Ops")
        url = f"http://127.0.0.1:{server.port}/sns"
        for _ in range(2):  # SNS redelivers: same MessageId
            assert _send(urllib.request.Request(url, data=body(document)))[0] == 200
    finally:
        server.stop()
    bot.deliver()
    (post,) = bot.fake.calls("chat.postMessage")
    text = json.dumps(post.args)
    assert "GPU quota nearly exhausted" in text
    assert "<!channel>" not in text


# --- secrets


def test_no_secret_in_logs_health_or_metrics(
    running: Running, caplog: pytest.LogCaptureFixture
) -> None:
    running.post(running.signer.notification("x"))
    running.post(running.signer.confirmation())
    running.post(running.signer.confirmation(topic=FOREIGN_TOPIC))
    running.post(running.signer.confirmation("UnsubscribeConfirmation"))
    bad = running.signer.confirmation()
    bad["Token"] = bad["Token"][::-1]
    running.post(bad)
    running.post(b"garbage")
    health = running.get("/healthz")
    ready = running.get("/readyz")
    metrics = running.get("/metrics")
    assert health[0] == 200
    formatter = logging.Formatter("%(name)s %(message)s")
    logged = "\n".join(
        formatter.format(record)
        for phase in ("setup", "call")
        for record in caplog.get_records(phase)
    )
    assert "mlpulse listening on" in logged and "SNS post refused" in logged
    exposed = logged + health[1].decode() + ready[1].decode() + metrics[1].decode()
    for secret in (BOT_TOKEN, SIGNING_SECRET, TOKEN, TOKEN[::-1]):
        assert secret not in exposed
    assert 'mlpulse_sns_rejected_total{reason="topic_not_allowed"} 1.0' in metrics[1].decode()
