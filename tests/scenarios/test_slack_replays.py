"""A signed Slack request captured and replayed byte for byte, within the five minutes its
signature is good for, over real HTTP into the started app: the second time changes nothing
(issue 13: until then only `X-Slack-Retry-Num` retries were held back)."""

from __future__ import annotations

from bot.core.incident import State
from tests.scenarios.test_incidents_support import (
    ACK,
    ADMIN,
    SNOOZE,
    Answer,
    Harness,
    signature,
)

FORM = "application/x-www-form-urlencoded"


def captured(h: Harness, body: bytes) -> dict[str, str]:
    """The headers of a genuine request, as someone on the path would copy them."""
    stamp = str(int(h.clock.now().timestamp()))
    return {
        "Content-Type": FORM,
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature(body, stamp),
    }


def replay(h: Harness, body: bytes, headers: dict[str, str]) -> Answer:
    """The same bytes four minutes later, when the signature still verifies."""
    h.clock.advance(240)
    return h.raw_post(body, headers)


def snooze_by_someone_else(h: Harness) -> None:
    """From SNOOZED, an acknowledgement is allowed again: a replayed ack would change it."""
    token = h.click(SNOOZE, "1:3600", key=h.store.incident(1).key, user="U2", select=True)
    h.wait_for(lambda: h.incident(1).state == State.SNOOZED)
    assert h.fake.responses(token) == []


def test_a_replayed_ack_command_changes_nothing(h: Harness) -> None:
    body = h.command_body("ack 1", user="U1", token="typed")
    headers = captured(h, body)
    assert h.raw_post(body, headers).status == 200
    assert h.answer_to("typed")["text"] == "You acknowledged incident #1."
    snooze_by_someone_else(h)
    audit = h.store.audit(1)

    again = replay(h, body, headers)

    assert (again.status, again.body) == (200, b"")
    assert h.store.audit(1) == audit  # [open, ack, snooze]: no second ack
    assert h.incident(1).state == State.SNOOZED
    assert len(h.fake.responses("typed")) == 1
    # The app is not stuck: the same words typed again are a new request, and run.
    assert h.command("ack 1", user="U1")["text"] == "You acknowledged incident #1."


def test_a_replayed_click_changes_nothing(h: Harness) -> None:
    body = h.click_body(ACK, "1", message_ts=h.root(h.incident(1).key).ts, token="clicked")
    headers = captured(h, body)
    assert h.raw_post(body, headers).status == 200
    h.wait_for(lambda: h.incident(1).state == State.ACKNOWLEDGED)
    snooze_by_someone_else(h)
    audit = h.store.audit(1)

    again = replay(h, body, headers)

    assert (again.status, again.body) == (200, b"")
    # A later click runs: had the replay been queued, it would have run first.
    probe = h.click(ACK, "999", key=h.incident(1).key)
    assert h.answer_to(probe)["text"] == "There is no incident #999."
    assert h.store.audit(1) == audit
    assert h.incident(1).state == State.SNOOZED
    assert h.fake.responses("clicked") == []


def test_a_replayed_silence_adds_no_second_silence(h: Harness) -> None:
    body = h.command_body("silence churn-* 2h", user=ADMIN, token="typed")
    headers = captured(h, body)
    assert h.raw_post(body, headers).status == 200
    assert h.answer_to("typed")["text"].startswith("Silenced `churn-*`")

    assert replay(h, body, headers).status == 200

    probe = h.command("silences")  # answered after anything queued before it
    assert probe["text"].startswith("*1 silence(s) in force:*")
    assert len(h.store.active_silences(h.clock.now())) == 1


def test_a_replay_after_five_minutes_is_refused_as_stale(h: Harness) -> None:
    body = h.command_body("ack 1", user="U1", token="typed")
    headers = captured(h, body)
    assert h.raw_post(body, headers).status == 200
    h.answer_to("typed")
    h.clock.advance(301)
    assert h.raw_post(body, headers).status == 401
