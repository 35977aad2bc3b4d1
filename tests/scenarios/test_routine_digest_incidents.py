"""Incidents whose runs pass through the channel's digest of the day (`routine: digest`),
end to end through a started App (its incident scheduler, its slash commands) into the
fake Slack: a run that recovers the series while it is a digest line still resolves the
incident on the incident's own message; another run failing after its start was a digest
line is a repeat, told on the incident and on its own message; a member that left the
digest is reminded of and silenced like any alert.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.core.incident import State
from tests.goldens import readable
from tests.scenarios.conftest import MakeApp, sample
from tests.scenarios.test_incidents_support import ADMIN, CHANNEL, Harness, incident_line

ROUTES = [{"match": {"kind": "stepfunctions"}, "routine": "digest"}]


def run(name: str, status: str, hour: int, minute: int = 0) -> dict[str, Any]:
    """Execution `name` of the state machine `etl` at `status` at HH:MM."""
    arn = f"arn:aws:states:us-east-1:123456789012:execution:etl:{name}"
    return sample(
        "stepfunctions-execution-status-change-failed",
        {
            "id": f"sfn-{name}-{status}",
            "time": f"2026-11-25T{hour:02d}:{minute:02d}:00Z",
            "resources": [arn],
            "detail.executionArn": arn,
            "detail.stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:etl",
            "detail.name": name,
            "detail.status": status,
        },
    )


@pytest.fixture
def h(make_app: MakeApp) -> Harness:
    """etl/a started (a digest line), then failed: incident #1 on a message of its own."""
    harness = make_app(routes=ROUTES)
    arrive(harness, run("a", "RUNNING", 2))
    arrive(harness, run("a", "FAILED", 2, 5))
    return harness


def arrive(h: Harness, *documents: dict[str, Any]) -> None:
    for document in documents:
        assert h.submit(document) == 1
        h.deliver()
        h.clock.advance(11)  # past a digest's 10 s between edits
        h.deliver()


def key(h: Harness, document: dict[str, Any]) -> str:
    (event,) = h.events(document)
    return event.key


def thread(h: Harness, document: dict[str, Any]) -> list[str]:
    return [readable(m.text or "") for m in h.thread(key(h, document))]


def digest_text(h: Harness) -> str:
    (digest,) = [m for m in h.fake.roots(CHANNEL) if "grouped in one message" in m.all_text()]
    return digest.all_text()


def test_a_run_that_recovers_while_a_digest_line_resolves_the_incident_on_its_message(
    h: Harness,
) -> None:
    arrive(h, run("b", "RUNNING", 3), run("b", "SUCCEEDED", 3, 5))

    assert h.incident(1).state == State.RESOLVED
    opener = h.root_message(key(h, run("a", "FAILED", 2, 5)))
    line = incident_line(opener)
    assert line is not None and line.startswith(":white_check_mark: *Incident #1* · resolved")
    assert thread(h, run("a", "FAILED", 2, 5)) == [
        ":white_check_mark: Resolved automatically: recovered: etl/b is Succeeded."
    ]
    assert "`etl/b` — Succeeded" in digest_text(h)  # the recovering run: still a line
    assert len(h.fake.roots(CHANNEL)) == 2  # the digest and the incident's message


def test_a_run_that_started_as_a_digest_line_and_fails_is_a_repeat_of_the_incident(
    h: Harness,
) -> None:
    arrive(h, run("b", "RUNNING", 3), run("b", "FAILED", 3, 5))

    incident = h.incident(1)
    assert (incident.failures, incident.state) == (2, State.OPEN)
    again = thread(h, run("a", "FAILED", 2, 5))
    assert len(again) == 1 and again[0].startswith(":rotating_light: Failed again: etl/b")
    joiner = h.root_message(key(h, run("b", "FAILED", 3, 5)))
    line = incident_line(joiner)
    assert line is not None and line.startswith(":link: Part of *incident #1*")
    assert "etl/b" not in digest_text(h)  # it left the digest for its message
    assert len(h.fake.roots(CHANNEL)) == 3


def test_a_member_that_left_the_digest_is_reminded_on_its_own_message(h: Harness) -> None:
    h.clock.advance(30 * 60)
    assert h.app.incidents.tick() == 1
    h.deliver()

    (reminder,) = thread(h, run("a", "FAILED", 2, 5))
    assert reminder.startswith(":rotating_light: Still unacknowledged (reminder 1 of 3)")
    assert "etl/a" not in digest_text(h)


def test_a_silenced_later_failure_of_a_digest_member_opens_nothing_and_posts_nothing(
    make_app: MakeApp,
) -> None:
    h = make_app(routes=ROUTES)
    arrive(h, run("a", "RUNNING", 2))
    h.command("silence etl/* 2h", user=ADMIN)
    h.deliver()
    posts = len(h.fake.roots(CHANNEL))
    assert h.submit(run("a", "FAILED", 2, 5)) == 1
    h.deliver()

    assert h.store.unresolved_incidents() == []
    assert len(h.fake.roots(CHANNEL)) == posts  # the silence's announcement, the digest
    assert "`etl/a` — Running" in digest_text(h)  # held back, as its message would be
