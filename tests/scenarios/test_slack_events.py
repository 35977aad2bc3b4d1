"""`POST /slack/events` against hostile and broken requests, over real HTTP into the started
App: nobody unverified gets in, nothing is a 500, and nothing changes (RELIABILITY C1-C4)."""

from __future__ import annotations

import json
import types
from urllib.parse import urlencode

import pytest

from bot.core.incident import State
from commands import REGISTRY
from commands.base import Args, Chart, Context, Reply
from tests.fakes.slack_api import SlackError
from tests.scenarios.test_incidents_support import (
    ACK,
    CHANNEL,
    SECRET,
    Harness,
    signature,
)


def ack_body(h: Harness) -> bytes:
    """A genuine click on incident #1's Acknowledge: what an attacker would replay."""
    (incident,) = h.store.unresolved_incidents()
    return h.click_body(ACK, "1", message_ts=h.root(incident.key).ts, token="attack")


def assert_untouched(h: Harness) -> None:
    assert h.incident(1).state == State.OPEN
    assert [a["action"] for a in h.store.audit(1)] == ["open"]
    assert h.fake.responses() == []


def now(h: Harness) -> int:
    return int(h.clock.now().timestamp())


def test_a_signed_click_gets_in(h: Harness) -> None:
    answer = h.post(ack_body(h))
    assert (answer.status, answer.body) == (200, b"")
    h.wait_for(lambda: h.incident(1).state == State.ACKNOWLEDGED)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Slack-Request-Timestamp": "{ts}"},
        {"X-Slack-Signature": "{sig}"},
        {"X-Slack-Request-Timestamp": "{ts}", "X-Slack-Signature": ""},
        {"X-Slack-Request-Timestamp": "", "X-Slack-Signature": "{sig}"},
        {"X-Slack-Request-Timestamp": "{ts}", "X-Slack-Signature": "v0=" + "0" * 64},
        {"X-Slack-Request-Timestamp": "{ts}", "X-Slack-Signature": "{sig_other_secret}"},
        {"X-Slack-Request-Timestamp": "{ts}", "X-Slack-Signature": "{sig_v1}"},
        {"X-Slack-Request-Timestamp": "{ts}", "X-Slack-Signature": "{sig_upper}"},
        {"X-Slack-Request-Timestamp": "{ts}", "X-Slack-Signature": "{sig_other_body}"},
        {"X-Slack-Request-Timestamp": "{ts_plus_one}", "X-Slack-Signature": "{sig}"},
        {"X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": "{sig}"},
        {"X-Slack-Request-Timestamp": "-{ts}", "X-Slack-Signature": "{sig}"},
        {"X-Slack-Request-Timestamp": "{ts}.5", "X-Slack-Signature": "{sig}"},
        {"X-Slack-Request-Timestamp": "1e9", "X-Slack-Signature": "{sig}"},
        {"X-Slack-Request-Timestamp": "\u00b2", "X-Slack-Signature": "{sig}"},
        {"X-Slack-Request-Timestamp": "9" * 5000, "X-Slack-Signature": "{sig}"},
    ],
    ids=[
        "no-headers",
        "no-signature",
        "no-timestamp",
        "empty-signature",
        "empty-timestamp",
        "zero-signature",
        "other-secret",
        "v1-scheme",
        "upper-case-hex",
        "other-body",
        "timestamp-not-signed",
        "timestamp-letters",
        "timestamp-negative",
        "timestamp-fraction",
        "timestamp-exponent",
        "timestamp-superscript-digit",
        "timestamp-5000-digits",
    ],
)
def test_unverified_requests_are_refused_with_401(h: Harness, headers: dict[str, str]) -> None:
    body = ack_body(h)
    ts = str(now(h))
    good = signature(body, ts)
    values = {
        "ts": ts,
        "ts_plus_one": str(now(h) + 1),
        "sig": good,
        "sig_other_secret": signature(body, ts, secret=SECRET + "x"),
        "sig_v1": "v1=" + good.removeprefix("v0="),
        "sig_upper": "v0=" + good.removeprefix("v0=").upper(),
        "sig_other_body": signature(body + b"&x=1", ts),
    }
    sent = {"Content-Type": "application/x-www-form-urlencoded"}
    sent |= {name: value.format(**values) for name, value in headers.items()}
    answer = h.raw_post(body, sent)
    assert answer.status == 401, answer
    assert_untouched(h)


@pytest.mark.parametrize(
    ("age", "status"),
    [(-301, 401), (-300, 200), (0, 200), (300, 200), (301, 401), (3600, 401), (-86400, 401)],
)
def test_the_signature_is_good_for_five_minutes_either_way(
    h: Harness, age: int, status: int
) -> None:
    """A correctly signed request whose timestamp is `age` seconds old (negative: ahead)."""
    body = h.command_body("incidents", token="listing")
    answer = h.post(body, timestamp=str(now(h) - age))
    assert answer.status == status
    if status == 401:
        assert_untouched(h)
    else:
        assert "Incident #1" in h.answer_to("listing")["text"]


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (
            b"payload=%7B%22type%22%3A%22block_actions%22\xff\xfe",
            "application/x-www-form-urlencoded",
        ),
        (b"\xc3\x28", "application/json"),
        (b"\x80" * 100, "application/x-www-form-urlencoded"),
    ],
    ids=["latin1-in-form", "bad-utf8-json", "binary"],
)
def test_a_body_that_is_not_utf8_is_refused_with_400(
    h: Harness, body: bytes, content_type: str
) -> None:
    assert h.post(body, content_type=content_type).status == 400
    assert_untouched(h)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"payload=%7Bnot-json", "application/x-www-form-urlencoded"),
        (b"payload=%5B1%2C2%5D", "application/x-www-form-urlencoded"),
        (b"payload=%22text%22", "application/x-www-form-urlencoded"),
        (b"payload=null", "application/x-www-form-urlencoded"),
        (b"{not json", "application/json"),
        (b"[1, 2]", "application/json"),
        (b'"a string"', "application/json"),
        (b"42", "application/json"),
        (b"{}", "text/plain"),
        (b"<xml/>", "application/xml"),
        (b"payload=%7B%7D", "multipart/form-data"),
    ],
    ids=[
        "payload-not-json",
        "payload-list",
        "payload-string",
        "payload-null",
        "json-broken",
        "json-list",
        "json-string",
        "json-number",
        "text-plain",
        "xml",
        "multipart",
    ],
)
def test_a_signed_body_that_is_neither_form_nor_json_is_a_400_never_a_500(
    h: Harness, body: bytes, content_type: str
) -> None:
    answer = h.post(body, content_type=content_type)
    assert answer.status == 400, answer
    assert_untouched(h)


@pytest.mark.parametrize(
    "payload",
    [
        {"type": "block_actions", "actions": "nope"},
        {"type": "block_actions", "actions": [], "user": {"id": "U1"}},
        {"type": "block_actions", "actions": [{"action_id": ACK}], "user": "U1"},
        {"type": "block_actions", "actions": [{"action_id": ACK, "value": 1}]},
        {"type": "event_callback", "event": "nope"},
        {"authorizations": "nope"},
        {"type": "view_submission"},
        {},
    ],
    ids=[
        "actions-string",
        "actions-empty",
        "user-string",
        "value-number",
        "event-string",
        "authorizations-string",
        "unhandled-type",
        "empty",
    ],
)
def test_signed_payloads_of_odd_shapes_never_get_a_500(h: Harness, payload: object) -> None:
    body = urlencode({"payload": json.dumps(payload)}).encode()
    answer = h.post(body)
    assert answer.status < 500, answer
    assert h.incident(1).state == State.OPEN
    assert [a["action"] for a in h.store.audit(1)] == ["open"]


def test_url_verification_is_answered_with_the_challenge(h: Harness) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "3eZbrw1aB", "token": "x"})
    answer = h.post(body.encode(), content_type="application/json")
    assert answer.status == 200
    assert answer.json() == {"challenge": "3eZbrw1aB"}


def test_a_retry_of_a_body_never_seen_is_handled(h: Harness) -> None:
    """After a restart the first attempt may never have been handled: a retry of a body
    this process has not seen runs."""
    answer = h.post(h.command_body("incidents", token="listing"), {"X-Slack-Retry-Num": "1"})
    assert answer.status == 200
    assert "Incident #1" in h.answer_to("listing")["text"]


def test_other_routes_and_methods(h: Harness) -> None:
    body = ack_body(h)
    assert h.raw_post(body, {}, path="/slack/events/").status == 404
    assert h.raw_post(body, {}, path="/slack/commands").status == 404
    assert_untouched(h)


# --- what the Slack side of a command does besides answering: slow answers, charts


def _module(handle: object, slow: bool) -> types.ModuleType:
    module = types.ModuleType("commands.fake_for_test")
    module.SLOW = slow  # type: ignore[attr-defined]
    module.handle = handle  # type: ignore[attr-defined]
    return module


PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256))


def test_a_slow_command_is_acknowledged_at_once_and_answered_by_response_url(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    def handle(ctx: Context, args: Args) -> Reply:
        return Reply(text=f"looked up {args.words[0]} for <@{ctx.user_id}>")

    monkeypatch.setitem(REGISTRY, "lookup", _module(handle, slow=True))
    answer = h.post(h.command_body("lookup churn", user="U7", token="slow"))
    assert answer.status == 200
    assert answer.text == ":hourglass_flowing_sand: Looking that up…"  # Slack shows it to the asker
    reply = h.answer_to("slow")
    assert reply["text"] == "looked up churn for <@U7>"
    assert reply["response_type"] == "ephemeral"


def _chart_command(monkeypatch: pytest.MonkeyPatch, public: bool) -> None:
    def handle(ctx: Context, args: Args) -> Reply:
        return Reply(text="loss", charts=[Chart("loss.png", "Training loss", PNG)], public=public)

    monkeypatch.setitem(REGISTRY, "chart", _module(handle, slow=False))


def _shares(h: Harness) -> list[dict[str, object]]:
    """files.completeUploadExternal calls that shared a file somewhere."""
    return [
        call.args
        for call in h.fake.calls("files.completeUploadExternal")
        if call.args.get("channel_id") or call.args.get("channels")
    ]


def test_a_public_answer_uploads_its_chart_to_the_channel(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    _chart_command(monkeypatch, public=True)
    assert h.command("chart")["text"] == "loss"
    # The upload follows the answer, on the work queue.
    (upload,) = h.wait_for(lambda: [u for u in h.fake.uploads() if u.completed], "the upload")
    assert (upload.filename, upload.title, upload.data) == ("loss.png", "Training loss", PNG)
    assert (upload.channel, upload.completed, upload.length) == (CHANNEL, True, len(PNG))


def test_a_private_answer_shows_its_chart_without_sharing_it(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 17: an ephemeral answer's chart was uploaded to the channel for everyone."""
    _chart_command(monkeypatch, public=False)
    answer = h.command("chart")
    (upload,) = h.fake.uploads()
    assert (upload.completed, upload.channel, upload.data) == (True, None, PNG)
    assert _shares(h) == []
    assert answer["response_type"] == "ephemeral"
    assert answer["blocks"][-1] == {
        "type": "image",
        "slack_file": {"id": upload.file_id},
        "alt_text": "Training loss",
        "title": {"type": "plain_text", "text": "Training loss"},
    }


def test_a_private_chart_slack_is_still_processing_is_shown_on_a_later_try(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    _chart_command(monkeypatch, public=False)
    assert h.app.slack_app is not None
    waits: list[float] = []
    monkeypatch.setattr(h.app.slack_app.command, "sleep", waits.append)
    h.fake.processing = 2  # the answer naming the file is refused twice
    answer = h.command("chart")
    assert answer["blocks"][-1]["type"] == "image"
    assert waits == [1.0, 2.0]
    assert _shares(h) == []


def test_a_private_chart_slack_will_not_show_is_explained(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    _chart_command(monkeypatch, public=False)
    assert h.app.slack_app is not None
    monkeypatch.setattr(h.app.slack_app.command, "sleep", lambda seconds: None)
    h.fake.processing = 3
    answer = h.command("chart")
    assert [b["type"] for b in answer.get("blocks") or []] == []
    assert answer["text"] == "loss\n(The chart could not be shown here: `invalid_blocks`.)"
    assert _shares(h) == []


def test_a_chart_that_cannot_be_posted_is_explained(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    _chart_command(monkeypatch, public=True)
    h.fake.fail("files.completeUploadExternal", SlackError("not_in_channel"))
    assert h.post(h.command_body("chart", token="chart")).status == 200
    answers = h.wait_for(lambda: (found := h.fake.responses("chart")) and len(found) == 2 and found)
    assert [answer["text"] for answer in answers] == [
        "loss",
        "(The chart could not be posted here: `not_in_channel`.)",
    ]
    assert [u.completed for u in h.fake.uploads()] == [False]


def test_a_private_chart_whose_upload_fails_is_explained_in_the_answer(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    _chart_command(monkeypatch, public=False)
    h.fake.revoke("files:write")
    answer = h.command("chart")
    assert answer["text"] == "loss\n(The chart could not be shown here: `missing_scope`.)"
    assert h.fake.uploads() == []
