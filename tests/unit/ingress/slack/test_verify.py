"""bot.ingress.slack.verify in process: what reaches Bolt, and what is answered before it does.
(The same over real HTTP into the started app: tests/scenarios/test_slack_events.py.)"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.core.clock import FakeClock
from bot.ingress.http import Request, Response
from bot.ingress.slack.verify import SlackIngress
from bot.store.sqlite.store import SqliteStore

SECRET = "unit-secret"
NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
FORM = "application/x-www-form-urlencoded"


class StubApp:
    """Stands for SlackApp: records what it is given, answers as told."""

    def __init__(self, answer: Response | Exception | None = None) -> None:
        self.bodies: list[str] = []
        self.answer = answer or Response(200, b"handled")

    def dispatch(self, body: str, headers: dict[str, str]) -> Response:
        self.bodies.append(body)
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def sign(body: bytes, ts: str, secret: str = SECRET) -> str:
    base = b"v0:" + ts.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def request(
    body: bytes = b"command=%2Fmlpulse&text=help",
    ts: str | None = None,
    signature: str | None = None,
    content_type: str = FORM,
    **extra: str,
) -> Request:
    stamp = str(int(NOW.timestamp())) if ts is None else ts
    headers = {
        "x-slack-request-timestamp": stamp,
        "x-slack-signature": sign(body, stamp) if signature is None else signature,
        "content-type": content_type,
        **{name.replace("_", "-"): value for name, value in extra.items()},
    }
    return Request("POST", "/slack/events", headers, body)


@pytest.fixture
def app() -> StubApp:
    return StubApp()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def ingress(app: StubApp, clock: FakeClock) -> SlackIngress:
    return SlackIngress(SECRET, clock, app, SqliteStore(":memory:"))  # type: ignore[arg-type]


def test_a_signed_request_reaches_bolt(ingress: SlackIngress, app: StubApp) -> None:
    assert ingress.handle(request()).body == b"handled"
    assert app.bodies == ["command=%2Fmlpulse&text=help"]


@pytest.mark.parametrize(
    "content_type",
    [
        FORM,
        "application/json",
        "application/x-www-form-urlencoded; charset=utf-8",
        "Application/JSON",
    ],
)
def test_form_and_json_bodies_are_accepted(
    ingress: SlackIngress, app: StubApp, content_type: str
) -> None:
    assert ingress.handle(request(content_type=content_type)).status == 200
    assert len(app.bodies) == 1


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({"ts": ""}, 401),
        ({"ts": "abc"}, 401),
        ({"ts": "²"}, 401),
        (
            {"ts": "١٧٩٥٥٧٥٦٠٠"},
            401,
        ),  # Arabic-Indic digits: int() reads them, Slack never sends them
        ({"ts": "9" * 5000}, 401),
        ({"ts": " 1795575600"}, 401),
        ({"signature": ""}, 401),
        ({"signature": "v0=deadbeef"}, 401),
        ({"signature": sign(b"other", str(int(NOW.timestamp())))}, 401),
        ({"signature": sign(b"command=%2Fmlpulse&text=help", "1795575600", "other-secret")}, 401),
        ({"content_type": "text/plain"}, 400),
        ({"content_type": ""}, 400),
        ({"content_type": "multipart/form-data; boundary=x"}, 400),
    ],
)
def test_refused_before_bolt(
    ingress: SlackIngress, app: StubApp, changes: dict[str, Any], status: int
) -> None:
    answer = ingress.handle(request(**changes))
    assert answer.status == status
    assert app.bodies == []


def test_missing_headers(ingress: SlackIngress, app: StubApp) -> None:
    for missing in ("x-slack-request-timestamp", "x-slack-signature"):
        sent = request()
        headers = {k: v for k, v in sent.headers.items() if k != missing}
        assert ingress.handle(Request("POST", sent.path, headers, sent.body)).status == 401
    assert app.bodies == []


def test_not_utf8(ingress: SlackIngress, app: StubApp) -> None:
    body = b"text=\xff\xfe"
    assert ingress.handle(request(body=body)).status == 400
    assert app.bodies == []


@pytest.mark.parametrize(("offset", "status"), [(-301, 401), (-300, 200), (300, 200), (301, 401)])
def test_five_minutes_on_the_injected_clock(
    ingress: SlackIngress, clock: FakeClock, offset: int, status: int
) -> None:
    sent = request()
    clock.advance(-offset)  # the request was signed `offset` seconds from now
    assert ingress.handle(sent).status == status


def test_a_retry_of_a_seen_body_is_answered_without_bolt(
    ingress: SlackIngress, app: StubApp
) -> None:
    assert ingress.handle(request()).status == 200
    retry = ingress.handle(request(x_slack_retry_num="1"))
    assert (retry.status, retry.body, retry.headers) == (200, b"", {"X-Slack-No-Retry": "1"})
    again = ingress.handle(request(x_slack_retry_num="2"))
    assert again.status == 200
    assert len(app.bodies) == 1


def test_a_replay_of_a_seen_body_is_not_handled_again(
    ingress: SlackIngress, app: StubApp, clock: FakeClock
) -> None:
    """The same signed bytes again with no retry header: a captured request replayed (Slack
    never sends a command or a click twice). Until issue 13 it ran again."""
    assert ingress.handle(request()).body == b"handled"
    clock.advance(299)
    replay = ingress.handle(request(ts=str(int(NOW.timestamp()))))
    assert (replay.status, replay.body, replay.headers) == (200, b"", {})
    assert len(app.bodies) == 1
    clock.advance(2)  # past the five minutes: the signature itself is refused
    assert ingress.handle(request(ts=str(int(NOW.timestamp())))).status == 401
    assert len(app.bodies) == 1


def test_the_same_body_signed_anew_is_still_not_handled_twice(
    ingress: SlackIngress, app: StubApp, clock: FakeClock
) -> None:
    """Only Slack can sign; a body it signs again is the same request, sent again."""
    ingress.handle(request())
    clock.advance(60)
    assert ingress.handle(request(ts=str(int(clock.now().timestamp())))).body == b""
    assert ingress.handle(request(body=b"command=%2Fmlpulse&text=help&trigger_id=2")).status == 200
    assert len(app.bodies) == 2


def test_a_retry_whose_body_was_never_seen_is_handled(ingress: SlackIngress, app: StubApp) -> None:
    assert ingress.handle(request(x_slack_retry_num="1")).status == 200
    assert len(app.bodies) == 1


def test_what_is_refused_before_the_memory_is_not_remembered(
    ingress: SlackIngress, app: StubApp
) -> None:
    assert ingress.handle(request(signature="v0=" + "0" * 64)).status == 401
    assert ingress.handle(request(content_type="text/plain")).status == 400
    assert ingress.handle(request()).body == b"handled"  # the same body: not recorded before


@pytest.mark.parametrize(
    "failure",
    [ValueError("Expecting value"), AttributeError("'list' object has no attribute 'get'")],
)
def test_a_body_bolt_cannot_read_is_a_400(clock: FakeClock, failure: Exception) -> None:
    ingress = SlackIngress(SECRET, clock, StubApp(failure), SqliteStore(":memory:"))  # type: ignore[arg-type]
    assert ingress.handle(request()).status == 400


def test_a_bolt_500_is_not_passed_on(clock: FakeClock) -> None:
    ingress = SlackIngress(SECRET, clock, StubApp(Response(500, b"")), SqliteStore(":memory:"))  # type: ignore[arg-type]
    assert ingress.handle(request()).status == 400
    ok = SlackIngress(SECRET, clock, StubApp(Response(404, b"")), SqliteStore(":memory:"))  # type: ignore[arg-type]
    assert ok.handle(request()).status == 404
