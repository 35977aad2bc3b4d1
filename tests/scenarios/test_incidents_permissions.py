"""The incident controls obey `permissions` like the commands they stand for, over real
HTTP with real signatures into the started app (SPEC §6; issue 13: until then a non-admin
acknowledged, resolved and snoozed through the buttons what the commands refused them).

The config gives `ack`, `resolve` and `snooze` to admins, and `resolve` to U3 besides."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.core.clock import FakeClock
from bot.core.errors import StoreError
from bot.core.incident import State
from bot.ingress.slack.replies import CLICK_FAILED
from tests.fakes.slack_api import FakeSlack
from tests.scenarios.test_incidents_support import (
    ACK,
    ADMIN,
    CHANNEL,
    RESOLVE,
    SNOOZE,
    Harness,
    failed_training_job,
    incident_controls,
    started_app,
)

PERMISSIONS = {
    "admins": [ADMIN],
    "commands": {"ack": "admins", "resolve": ["U3"], "snooze": "admins"},
}
NAMES = {ACK: "ack", RESOLVE: "resolve", SNOOZE: "snooze"}


@pytest.fixture
def h(
    tmp_path: Path, fake_slack: FakeSlack, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Harness]:
    config = {"permissions": PERMISSIONS}
    with started_app(tmp_path, fake_slack, clock, monkeypatch, config) as harness:
        assert harness.submit(failed_training_job()) == 1
        harness.deliver()
        yield harness


def controls(h: Harness) -> list[tuple[str, str]]:
    """Every (control, value) on incident #1's alert: both buttons, each snooze length."""
    found = incident_controls(h.root_message(h.incident(1).key))
    return [(action_id, value) for action_id, values in found.items() for value in values]


def press(h: Harness, action_id: str, value: str, user: str) -> str:
    return h.click(action_id, value, key=h.incident(1).key, user=user, select=action_id == SNOOZE)


def refusals(h: Harness) -> list[tuple[str, str, str]]:
    rows = h.store._db.execute(
        "SELECT actor, source, note FROM audit WHERE action = 'refused' ORDER BY id"
    ).fetchall()
    return [tuple(row) for row in rows]


def test_every_control_refuses_a_user_its_command_refuses_and_audits_it(h: Harness) -> None:
    shown = h.root_message(h.incident(1).key)
    pressed = controls(h)
    assert [action_id for action_id, _ in pressed][:2] == [ACK, RESOLVE]
    assert len(pressed) > 3  # the snooze menu's lengths too

    for action_id, value in pressed:
        answer = h.answer_to(press(h, action_id, value, user="U2"))
        name = NAMES[action_id]
        assert answer["text"].startswith(f"You may not run `{name}`: it is for "), answer
        assert answer["text"].endswith(f"Admins: <@{ADMIN}>.")
        assert (answer["response_type"], answer["replace_original"]) == ("ephemeral", False)

    assert refusals(h) == [("U2", "button", f"{NAMES[a]} incident #1") for a, _ in pressed]
    assert h.incident(1).state == State.OPEN
    assert [entry["action"] for entry in h.store.audit(1)] == ["open"]
    assert h.deliver() == 0
    assert h.root_message(h.incident(1).key) == shown
    assert [m.text for m in h.fake.messages(CHANNEL)] == [shown.text]


def test_a_button_and_its_command_give_the_same_refusal(h: Harness) -> None:
    typed = h.command("ack 1", user="U2")
    clicked = h.answer_to(press(h, ACK, "1", user="U2"))
    assert typed["text"] == clicked["text"]
    assert typed["response_type"] == "ephemeral"
    assert refusals(h) == [("U2", "command", "/mlpulse ack"), ("U2", "button", "ack incident #1")]
    assert h.incident(1).state == State.OPEN


def test_an_admin_snoozes_acknowledges_and_resolves_through_the_controls(h: Harness) -> None:
    snooze_value = dict(controls(h))[SNOOZE]
    for action_id, value, state in (
        (SNOOZE, snooze_value, State.SNOOZED),
        (ACK, "1", State.ACKNOWLEDGED),
        (RESOLVE, "1", State.RESOLVED),
    ):
        token = press(h, action_id, value, user=ADMIN)
        h.wait_for(lambda state=state: h.incident(1).state == state, f"{action_id} -> {state}")
        assert h.fake.responses(token) == []
    audit = [(e["actor"], e["source"], e["action"]) for e in h.store.audit(1)]
    assert audit[1:] == [
        (ADMIN, "button", "snooze"),
        (ADMIN, "button", "ack"),
        (ADMIN, "button", "resolve"),
    ]
    assert refusals(h) == []


def test_a_user_listed_for_one_command_gets_that_control_only(h: Harness) -> None:
    answer = h.answer_to(press(h, ACK, "1", user="U3"))
    assert answer["text"].startswith("You may not run `ack`")
    press(h, RESOLVE, "1", user="U3")
    h.wait_for(lambda: h.incident(1).state == State.RESOLVED)
    assert refusals(h) == [("U3", "button", "ack incident #1")]


def test_a_refusal_the_audit_cannot_take_is_answered_politely(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    def locked(*args: object, **kwargs: object) -> None:
        raise StoreError("SQLite store mlpulse.db: database is locked")

    monkeypatch.setattr(h.app.store, "record_refusal", locked)
    answer = h.answer_to(press(h, RESOLVE, "1", user="U2"))
    assert answer["text"] == CLICK_FAILED
    assert h.incident(1).state == State.OPEN
