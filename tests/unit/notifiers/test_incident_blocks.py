"""The incident part of a root message, per state, against golden files.

Each `tests/golden/incidents/<case>.json` holds the incident blocks and the whole root
message (`render_alert` with the incident) for one state. Review them by eye after
regenerating:

    MLPULSE_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/unit
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.core.decision import Decision
from bot.core.durations import short_duration
from bot.core.events import Event, Fact, Kind, Link, Outcome, Severity
from bot.core.incident import ALLOWED, Action, Incident, State
from bot.ingress.slack.buttons import parse_value as _parse_value
from notifiers import limits
from notifiers.incident_blocks import (
    ACK_ACTION,
    RESOLVE_ACTION,
    SNOOZE_ACTION,
    incident_blocks,
    state_line,
)
from notifiers.render import render_alert
from tests.goldens import Goldens, readable

GOLDENS = Goldens("incidents")
AT = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
CHOICES = (timedelta(hours=1), timedelta(hours=4), timedelta(days=1))
EVENT = Event(
    id="evt-1",
    kind=Kind.TRAINING_JOB,
    key="training_job:123456789012:us-east-1:churn-xgb-1",
    name="churn-xgb-1",
    title="Training job",
    status="Failed",
    outcome=Outcome.FAILED,
    time=AT - timedelta(minutes=2),
    reason="ClientError: Please ensure the training data is in s3://bucket/train",
    account="123456789012",
    region="us-east-1",
    source="aws.sagemaker",
    detail_type="SageMaker Training Job State Change",
    facts=(Fact(label="Instances", value="2 × ml.m5.xlarge"),),
    links=(Link(label="Console", url="https://console.aws.amazon.com/sagemaker/home"),),
)
DECISION = Decision(channel="#mlpulse", severity=Severity.CRITICAL, incident=True)
OPENED = Incident(
    id=12,
    series=EVENT.key,
    key=EVENT.key,
    title="churn-xgb-1",
    state=State.OPEN,
    opened_at=AT,
    updated_at=AT,
    actor="mlpulse",
    next_renotify_at=AT + timedelta(minutes=30),
)
LATER = AT + timedelta(minutes=17)
CASES: dict[str, Incident] = {
    "open": OPENED,
    "open-reminded": replace(OPENED, renotify_count=2, updated_at=AT + timedelta(hours=1)),
    "acknowledged": replace(
        OPENED, state=State.ACKNOWLEDGED, actor="U0ALICE", updated_at=LATER, last_action=Action.ACK
    ),
    "snoozed": replace(
        OPENED,
        state=State.SNOOZED,
        actor="U0BOB",
        updated_at=LATER,
        snoozed_until=LATER + timedelta(hours=4),
        last_action=Action.SNOOZE,
    ),
    "resolved-by-user": replace(
        OPENED, state=State.RESOLVED, actor="U0ALICE", updated_at=LATER, note="ignored"
    ),
    "resolved-automatically": replace(
        OPENED,
        state=State.RESOLVED,
        actor="mlpulse",
        updated_at=LATER,
        last_action=Action.AUTO_RESOLVE,
        note="recovered: churn-xgb-1 is Completed",
    ),
    # Another run of its series failed twice more; the second repeat was a reminder.
    "open-failed-again": replace(
        OPENED,
        renotify_count=1,
        failures=3,
        since=AT - timedelta(minutes=2),
        last_failure_at=AT + timedelta(hours=2, minutes=40),
    ),
    "acknowledged-failed-again": replace(
        OPENED,
        state=State.ACKNOWLEDGED,
        actor="U0ALICE",
        updated_at=LATER,
        last_action=Action.ACK,
        failures=2,
        since=AT - timedelta(minutes=2),
        last_failure_at=AT + timedelta(hours=1),
    ),
    # The root of a later run whose failure joined the incident an earlier run opened.
    "member": replace(
        OPENED,
        key="training_job:123456789012:us-east-1:churn-xgb-0",
        opened_at=AT - timedelta(hours=1),
        failures=2,
        since=AT - timedelta(hours=1),
        last_failure_at=EVENT.time,
    ),
    "hostile": replace(
        OPENED,
        id=2**62,
        state=State.RESOLVED,
        actor="mlpulse",
        updated_at=LATER,
        # The longest note there can be: a resource name and a status of 512 characters each.
        note="recovered: " + ("<!channel>&" * 47)[:512] + " is " + "&" * 512,
    ),
}


def rendered(incident: Incident) -> dict[str, Any]:
    return {
        "incident_blocks": incident_blocks(incident, CHOICES, EVENT.key),
        "message": render_alert(EVENT, DECISION, incident, CHOICES),
    }


@pytest.mark.parametrize("case", sorted(CASES))
def test_render_matches_golden(case: str) -> None:
    GOLDENS.check(case, rendered(CASES[case]))


def test_no_orphan_golden_files() -> None:
    assert GOLDENS.orphans(CASES) == []


@pytest.mark.parametrize("path", sorted(GOLDENS.folder.glob("*.json")), ids=lambda p: p.stem)
def test_every_golden_payload_keeps_to_slacks_limits(path: Path) -> None:
    stored = json.loads(path.read_text(encoding="utf-8"))
    assert limits.problems(stored["message"]) == []
    assert limits.problems({"blocks": stored["incident_blocks"]}) == []


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_controls_are_what_the_state_allows(case: str) -> None:
    incident = CASES[case]
    blocks = incident_blocks(incident, CHOICES, incident.key)
    shown = {e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]}
    allowed = {
        ACK_ACTION: Action.ACK,
        RESOLVE_ACTION: Action.RESOLVE,
        SNOOZE_ACTION: Action.SNOOZE,
    }
    assert shown == {name for name, action in allowed.items() if incident.state in ALLOWED[action]}
    if incident.state == State.RESOLVED:
        assert [b["type"] for b in blocks] == ["section"]


def test_every_control_sends_what_the_click_handler_reads() -> None:
    blocks = incident_blocks(OPENED, CHOICES)
    (actions,) = [b for b in blocks if b["type"] == "actions"]
    values = {}
    for element in actions["elements"]:
        if element["type"] == "static_select":
            values[element["action_id"]] = [o["value"] for o in element["options"]]
        else:
            values[element["action_id"]] = [element["value"]]
    assert [_parse_value(v) for v in values[ACK_ACTION] + values[RESOLVE_ACTION]] == [
        (12, None),
        (12, None),
    ]
    assert [_parse_value(v) for v in values[SNOOZE_ACTION]] == [(12, c) for c in CHOICES]


def test_snooze_choices_are_capped_and_optional() -> None:
    many = [timedelta(minutes=m) for m in range(1, 31)]
    (_, actions) = incident_blocks(OPENED, many)
    (select,) = [e for e in actions["elements"] if e["type"] == "static_select"]
    assert len(select["options"]) == 10
    blocks = incident_blocks(OPENED, [])
    assert [e["action_id"] for e in blocks[1]["elements"]] == [ACK_ACTION, RESOLVE_ACTION]


def test_the_state_line_escapes_what_it_shows() -> None:
    acked = replace(CASES["acknowledged"], actor="U1><!channel>")
    assert "<!channel>" not in state_line(acked)
    assert "&lt;!channel&gt;" in state_line(acked)
    line = state_line(CASES["hostile"])
    assert "<!channel>" not in line
    assert len(line) <= limits.SECTION_TEXT


@pytest.mark.parametrize(
    ("length", "shown"),
    [
        (timedelta(minutes=1), "1m"),
        (timedelta(minutes=90), "90m"),
        (timedelta(hours=1), "1h"),
        (timedelta(hours=36), "36h"),
        (timedelta(days=1), "1d"),
        (timedelta(days=30), "30d"),
        (timedelta(seconds=59), "0m"),
        (timedelta(seconds=150), "2m"),
    ],
)
def test_short_duration(length: timedelta, shown: str) -> None:
    assert short_duration(length) == shown


def test_a_repeat_failure_shows_on_the_incident_and_on_the_run_that_joined_it() -> None:
    assert readable(state_line(CASES["open-failed-again"])) == (
        ":rotating_light: *Incident #12* · open since 03:00 UTC, reminded 1× · "
        "failed 3 times, last at 05:40 UTC"
    )
    assert "failed 2 times, last at 04:00 UTC" in readable(
        state_line(CASES["acknowledged-failed-again"])
    )
    assert "failed" not in state_line(OPENED)  # once is no repeat

    member = CASES["member"]
    (line,) = incident_blocks(member, CHOICES, EVENT.key)
    assert line["block_id"] == "incident-12-member"
    assert readable(line["text"]["text"]) == (
        ":link: Part of *incident #12*, opened 02:00 UTC · its state and buttons are on its first"
        " message"
    )
    # Its controls stay on the incident's own root, the one message that acts for it.
    assert [b["type"] for b in incident_blocks(member, CHOICES, member.key)] == [
        "section",
        "actions",
    ]
    assert [b["type"] for b in incident_blocks(member, CHOICES)] == ["section", "actions"]
