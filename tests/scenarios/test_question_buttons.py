"""The question buttons on alerts (notifiers.questions, bot.ingress.slack.asks) end to end: an
alert delivered to the fake Slack carries "Details" and "Metrics"; a signed click over HTTP
runs the line the button carries as the clicker, answers privately through the click's
response_url without replacing the alert, and obeys the command's permissions (a refusal
is audited). AWS is the moto server seeded with the demo's platform, as in
test_commands_aws."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.core.clock import FakeClock
from bot.demo.jobs import FAILED
from tests.fakes.moto import moto_server  # noqa: F401 (fixture)
from tests.fakes.slack_api import FakeSlack
from tests.scenarios.conftest import sample
from tests.scenarios.test_incidents_support import (
    ADMIN,
    CHANNEL,
    Harness,
    blocks_of,
    started_app,
)
from tests.unit.commands.platform import NOW, PlatformAws, platform  # noqa: F401 (fixture)

REGION = "eu-west-1"  # the demo platform's
ARN = f"arn:aws:sagemaker:{REGION}:123456789012:training-job/{FAILED}"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture
def h(
    tmp_path: Path,
    fake_slack: FakeSlack,
    clock: FakeClock,
    platform: PlatformAws,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Harness]:
    monkeypatch.setattr("bot.app.AwsClients", lambda: platform)
    config = {"permissions": {"admins": [ADMIN], "commands": {"metrics": "admins"}}}
    with started_app(tmp_path, fake_slack, clock, monkeypatch, config) as harness:
        yield harness


def failed_job() -> dict[str, Any]:
    return sample(
        "sagemaker-training-job-state-change-completed",
        {
            "id": "evt-question-buttons",
            "region": REGION,
            "resources": [ARN],
            "detail.TrainingJobName": FAILED,
            "detail.TrainingJobArn": ARN,
            "detail.TrainingJobStatus": "Failed",
            "detail.SecondaryStatus": "Failed",
            "detail.FailureReason": "AlgorithmError: out of memory",
        },
    )


def questions(h: Harness) -> dict[str, tuple[str, str]]:
    """The alert's question buttons: text -> (action id, the line it carries)."""
    h.submit(failed_job())
    h.deliver()
    (root,) = h.fake.roots(CHANNEL)
    return {
        element["text"]["text"]: (element["action_id"], element["value"])
        for block in blocks_of(root)
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"].startswith("ask-")
    }


def test_an_alert_asks_about_its_own_resource_where_it_lives(h: Harness) -> None:
    assert questions(h) == {
        "Details": ("ask-0", f"job {FAILED} --region {REGION}"),
        "Metrics": ("ask-1", f"metrics {FAILED} --region {REGION}"),
    }


def test_a_click_is_answered_privately_as_the_command_would_be(h: Harness) -> None:
    action_id, line = questions(h)["Details"]
    (root,) = h.fake.roots(CHANNEL)
    token = h.click(action_id, line, message_ts=root.ts)
    answer = h.answer_to(token)
    assert answer["replace_original"] is False  # the alert stays as it is
    assert answer["response_type"] == "ephemeral"
    assert FAILED in answer["text"]
    assert "ExecuteUserScriptError" in answer["text"]  # DescribeTrainingJob's, not the event's
    assert h.fake.roots(CHANNEL) == [root]  # nothing posted to the channel


def test_a_click_obeys_the_commands_permissions(h: Harness) -> None:
    action_id, line = questions(h)["Metrics"]
    refused = h.answer_to(h.click(action_id, line, user="U0SOMEONE"))
    assert "You may not run `metrics`" in refused["text"]
    allowed = h.answer_to(h.click(action_id, line, user=ADMIN))
    assert "You may not" not in allowed["text"]


def test_a_button_carrying_no_line_of_ours_runs_nothing(h: Harness) -> None:
    answer = h.answer_to(h.click("ask-0", "rm -rf --everything"))
    assert answer["text"] == "That button is not valid."
