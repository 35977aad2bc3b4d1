"""The started app for the incident and Slack-ingress scenarios (this module holds no tests).

`start_app(...)` builds `bot.app.App` for real: SQLite store in a temporary folder, the
SlackNotifier and Bolt's WebClient both pointed at the fake Slack, the fake clock, no SQS.
Its HTTP server listens on a free port and every request is sent over real HTTP with a real
v0 signature. Two things are held back so the test decides when they happen: the delivery
thread (a test calls `deliver()`, which runs `app.deliverer.run_once`) and the scheduler's
wall-clock tick (a test calls `app.incidents.tick()` after moving the fake clock).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import http.client
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from bot.app import App
from bot.aws.clients import AwsClients
from bot.config.models import Config
from bot.config.settings import Settings
from bot.core.clock import FakeClock
from bot.core.events import Event
from bot.core.incident import Incident
from bot.ingress.ingest import events_from
from bot.store import RootMessage
from notifiers.slack import SlackNotifier
from tests.fakes.slack_api import DEFAULT_TOKEN, FakeSlack, Message
from tests.goldens import readable
from tests.scenarios.conftest import sample

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
ADMIN = "UADMIN"
CHANNEL = "C0MLPULSE"  # #mlpulse on the fake: where every alert goes by default
TEAM = "T0MLPULSE"
ACK, RESOLVE, SNOOZE = "incident_ack", "incident_resolve", "incident_snooze"
# Enough posts a second that pacing never holds a scenario back; pacing has its own tests.
UNPACED = {"slack": {"posts_per_second": 50, "burst": 50}}
WAIT_S = 5.0  # the longest a scenario waits for the work queue (bot.ingress.slack.work)


def signature(body: bytes, timestamp: str, secret: str = SECRET) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]  # lower-cased names
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        return json.loads(self.body)


def failed_training_job(name: str = "churn-xgb-1", reason: str = "ClientError: OOM") -> dict:
    return sample(
        "sagemaker-training-job-state-change-completed",
        {
            "id": f"evt-{name}-failed",
            "resources": [f"arn:aws:sagemaker:us-east-1:123456789012:training-job/{name}"],
            "detail.TrainingJobName": name,
            "detail.TrainingJobArn": f"arn:aws:sagemaker:us-east-1:123456789012:training-job/{name}",
            "detail.TrainingJobStatus": "Failed",
            "detail.SecondaryStatus": "Failed",
            "detail.FailureReason": reason,
        },
    )


class Harness:
    """A started App and the means to talk to it as Slack does."""

    def __init__(self, app: App, fake: FakeSlack, clock: FakeClock) -> None:
        self.app, self.fake, self.clock = app, fake, clock
        self._tokens = 0

    @property
    def store(self) -> Any:
        return self.app.store

    # --- AWS side

    def events(self, *documents: Any) -> list[Event]:
        return [e for document in documents for e in events_from(document, self.clock.now())]

    def submit(self, *documents: Any) -> int:
        return self.app.pipeline.submit(self.events(*documents)).accepted

    def deliver(self, max_passes: int = 50) -> int:
        """Delivery passes at the current instant until one neither delivers nor fails."""
        delivered = 0
        for _ in range(max_passes):
            result = self.app.deliverer.run_once()
            delivered += result.delivered
            if not result.delivered and not result.failed:
                return delivered
        raise AssertionError(f"delivery did not settle in {max_passes} passes")

    # --- what Slack shows

    def root(self, key: str) -> RootMessage:
        found = self.store.root(key)
        assert found is not None, f"no root message for {key}"
        return found

    def root_message(self, key: str) -> Message:
        root = self.root(key)
        return self.fake.message(root.channel, root.ts)

    def thread(self, key: str) -> list[Message]:
        root = self.root(key)
        return self.fake.replies(root.channel, root.ts)

    def incident(self, incident_id: int) -> Incident:
        found = self.store.incident(incident_id)
        assert found is not None, f"no incident #{incident_id}"
        return found

    # --- Slack side: requests to POST /slack/events

    def post(
        self,
        body: bytes,
        headers: dict[str, str] | None = None,
        *,
        timestamp: str | None = None,
        sign: bool = True,
        content_type: str = "application/x-www-form-urlencoded",
    ) -> Answer:
        """POST /slack/events over HTTP, signed for the fake clock's now unless told."""
        stamp = str(int(self.clock.now().timestamp())) if timestamp is None else timestamp
        sent = {"Content-Type": content_type}
        if sign:
            sent["X-Slack-Request-Timestamp"] = stamp
            sent["X-Slack-Signature"] = signature(body, stamp)
        sent.update(headers or {})
        return self.raw_post(body, sent)

    def raw_post(self, body: bytes, headers: dict[str, str], path: str = "/slack/events") -> Answer:
        assert self.app.http is not None
        connection = http.client.HTTPConnection("127.0.0.1", self.app.http.port, timeout=10)
        try:
            connection.putrequest("POST", path)
            for name, value in headers.items():
                connection.putheader(name, value)
            connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body)
            response = connection.getresponse()
            return Answer(
                response.status,
                {k.lower(): v for k, v in response.getheaders()},
                response.read(),
            )
        finally:
            connection.close()

    def new_token(self) -> str:
        self._tokens += 1
        return f"r{self._tokens}"

    def click_body(
        self,
        action_id: str,
        value: str,
        *,
        user: str = "U1",
        channel: str | None = CHANNEL,
        message_ts: str | None = None,
        token: str = "r0",
        select: bool = False,
    ) -> bytes:
        action: dict[str, Any] = {
            "action_id": action_id,
            "block_id": "incident-actions",
            "action_ts": f"{self.clock.now().timestamp():.6f}",
        }
        if select:
            action |= {"type": "static_select", "selected_option": {"value": value}}
        else:
            action |= {"type": "button", "value": value}
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": {"id": user, "username": user.lower(), "team_id": TEAM},
            "api_app_id": "A0MLPULSE",
            "token": "verification-token-unused",
            "trigger_id": f"{self._tokens}.{time.monotonic_ns()}",
            "team": {"id": TEAM, "domain": "mlpulse-test"},
            "response_url": self.fake.response_url(token),
            "actions": [action],
        }
        if channel is not None:
            payload["channel"] = {"id": channel, "name": "mlpulse"}
        if message_ts is not None:
            payload["container"] = {
                "type": "message",
                "message_ts": message_ts,
                "channel_id": channel,
                "is_ephemeral": False,
            }
            payload["message"] = {"type": "message", "ts": message_ts, "text": "an alert"}
        return urlencode({"payload": json.dumps(payload)}).encode()

    def click(
        self,
        action_id: str,
        value: str,
        *,
        key: str | None = None,
        user: str = "U1",
        channel: str | None = CHANNEL,
        message_ts: str | None = None,
        select: bool = False,
    ) -> str:
        """Press a button (or pick a snooze length) on the root message of `key`; returns
        the token of the click's response_url, to read any ephemeral answer back."""
        if key is not None and message_ts is None:
            message_ts = self.root(key).ts
        token = self.new_token()
        body = self.click_body(
            action_id,
            value,
            user=user,
            channel=channel,
            message_ts=message_ts,
            token=token,
            select=select,
        )
        answer = self.post(body)
        assert answer.status == 200, (answer.status, answer.text)
        return token

    def command_body(
        self, text: str, *, user: str = "U1", channel: str = CHANNEL, token: str = "r0"
    ) -> bytes:
        return urlencode(
            {
                "token": "verification-token-unused",
                "team_id": TEAM,
                "team_domain": "mlpulse-test",
                "channel_id": channel,
                "channel_name": "mlpulse",
                "user_id": user,
                "user_name": user.lower(),
                "command": "/mlpulse",
                "text": text,
                "api_app_id": "A0MLPULSE",
                "response_url": self.fake.response_url(token),
                "trigger_id": f"{self._tokens}.{time.monotonic_ns()}",
            }
        ).encode()

    def command(self, text: str, *, user: str = "U1", channel: str = CHANNEL) -> dict[str, Any]:
        """`/mlpulse TEXT` over HTTP; its answer: the acknowledgement's JSON when the answer
        is in it (a malformed line's short help, "busy"), else the one posted to the
        command's response_url by mlpulse's work queue."""
        token = self.new_token()
        answer = self.post(self.command_body(text, user=user, channel=channel, token=token))
        assert answer.status == 200, (answer.status, answer.text)
        if answer.headers.get("content-type", "").startswith("application/json"):
            found: dict[str, Any] = answer.json()
            if isinstance(found.get("text"), str):
                found["text"] = readable(found["text"])
            return found
        return self.answer_to(token)

    def wait_for(self, what: Callable[[], Any], message: str = "") -> Any:
        """A request's work runs on mlpulse's work queue after the acknowledgement: wait
        (wall clock, briefly) for what it does to show."""
        deadline = time.monotonic() + WAIT_S
        while True:
            found = what()
            if found:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"gave up waiting: {message or what}")
            time.sleep(0.005)

    def answer_to(self, token: str) -> dict[str, Any]:
        """The one ephemeral answer posted to a click's response_url."""
        answers = self.wait_for(lambda: self.fake.responses(token), f"an answer on {token}")
        assert len(answers) == 1, answers
        found: dict[str, Any] = answers[0]
        return found

    def close(self) -> None:
        """Shut the app down. Its HTTP server looks for the shutdown only between requests
        or every half second, so a connection is made to wake it instead of waiting."""
        if self.app.stop.is_set():
            return
        assert self.app.http is not None
        port = self.app.http.port
        stopper = threading.Thread(target=self.app.shutdown, name="shutdown")
        stopper.start()
        while stopper.is_alive():
            with contextlib.suppress(OSError):
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            stopper.join(0.01)


def build_app(
    tmp_path: Path,
    fake: FakeSlack,
    clock: FakeClock,
    config: Config,
    name: str = "mlpulse.db",
    aws: AwsClients | None = None,
) -> App:
    settings = Settings(
        store=f"sqlite:///{tmp_path / name}",
        port=0,
        slack_bot_token=DEFAULT_TOKEN,
        slack_signing_secret=SECRET,
        slack_api_url=fake.url,
    )
    notifier = SlackNotifier(DEFAULT_TOKEN, base_url=fake.url)
    return App(settings, config, notifier=notifier, clock=clock, sqs_clients={}, aws=aws)


@contextmanager
def started_app(
    tmp_path: Path,
    fake: FakeSlack,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    config: dict[str, Any] | None = None,
    aws: AwsClients | None = None,
) -> Iterator[Harness]:
    settings = {**UNPACED, "permissions": {"admins": [ADMIN]}, **(config or {})}
    # The scheduler is started for real; only its wall-clock interval is pushed out of
    # reach, so ticks happen when a test calls them, on the fake clock.
    monkeypatch.setattr("bot.incidents.scheduler.TICK_SECONDS", 3600)
    app = build_app(tmp_path, fake, clock, Config.model_validate(settings), aws=aws)
    # Delivery is driven by the test (Harness.deliver) instead of a thread of its own.
    monkeypatch.setattr(app.deliverer, "run", lambda stop: stop.wait())
    app.start(port=0)
    harness = Harness(app, fake, clock)
    try:
        yield harness
    finally:
        harness.close()


# --- reading an incident off a Slack message


def blocks_of(message: Message) -> list[dict[str, Any]]:
    found = list(message.blocks or [])
    for attachment in message.attachments or []:
        found += attachment.get("blocks") or []
    return found


def incident_line(message: Message) -> str | None:
    """The text of the message's incident section (`:eyes: *Incident #1* · ...`)."""
    for block in blocks_of(message):
        if str(block.get("block_id", "")).startswith("incident-") and block["type"] == "section":
            text: str = block["text"]["text"]
            return readable(text)  # date tokens as their UTC fallback
    return None


def incident_controls(message: Message) -> dict[str, list[str]]:
    """The incident's controls on the message: action_id -> the values they send."""
    controls: dict[str, list[str]] = {}
    for block in blocks_of(message):
        if not str(block.get("block_id", "")).startswith("incident-actions-"):
            continue
        for element in block["elements"]:
            if element["type"] == "static_select":
                values = [option["value"] for option in element["options"]]
            else:
                values = [element["value"]]
            controls[element["action_id"]] = values
    return controls
