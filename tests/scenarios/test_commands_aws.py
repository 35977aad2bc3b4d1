"""`/mlpulse` AWS commands end to end: signed slash commands over real HTTP into the started
App, AWS emulated by a moto server seeded with the demo's platform (bot.demo.platform:
training jobs with metric curves and logs, a tuning job, processing jobs, endpoints with
figures and alarms, a CodePipeline and a SageMaker pipeline), answers read back from the
fake Slack: the acknowledgement, the answer posted to `response_url`, and charts uploaded
with files_upload_v2.

The App's AwsClients is the tests' PlatformAws: the demo's clients (tests.unit.commands.
platform), with a botocore Stubber only for the errors a test asks for."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.core.clock import FakeClock
from bot.demo.cicd import CODEPIPELINE
from bot.demo.jobs import COMPLETED, FAILED, RUNNING
from bot.demo.serving import CHURN, FRAUD
from notifiers.limits import problems
from tests.fakes.moto import moto_server  # noqa: F401 (fixture)
from tests.fakes.slack_api import FakeSlack, Upload
from tests.scenarios.test_incidents_support import CHANNEL, Harness, started_app
from tests.unit.commands.platform import NOW, PlatformAws, platform  # noqa: F401 (fixture)

PNG = b"\x89PNG\r\n\x1a\n"
WORKING = "Looking that up"


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
    with started_app(tmp_path, fake_slack, clock, monkeypatch) as harness:
        yield harness


def ask(h: Harness, text: str) -> tuple[str, dict[str, Any]]:
    """`/mlpulse TEXT`, signed, over HTTP: (the acknowledgement, the answer at response_url)."""
    token = h.new_token()
    answer = h.post(h.command_body(text, token=token))
    assert answer.status == 200, answer.text
    [posted] = h.wait_for(lambda: h.fake.responses(token), f"an answer to {text}")
    assert problems(posted) == [], problems(posted)
    return answer.text, posted


def everything(payload: dict[str, Any]) -> str:
    from tests.fakes.slack_api import all_text

    return all_text(payload)


def uploads(h: Harness, count: int) -> list[Upload]:
    return h.wait_for(
        lambda: (
            (done := [u for u in h.fake.uploads() if u.completed]) and len(done) >= count and done
        )
    )


def test_status_is_acknowledged_at_once_and_answered_through_response_url(h: Harness) -> None:
    acknowledgement, answer = ask(h, "status")
    assert WORKING in acknowledgement
    assert answer["response_type"] == "ephemeral"
    text = everything(answer)
    assert f"`{RUNNING}`" in text and f"`{FAILED}`" in text
    assert f"In service `{CHURN}`" in text
    assert f"CodePipeline `{CODEPIPELINE}`" in text


def test_metrics_answer_and_chart_upload(h: Harness) -> None:
    _, answer = ask(h, f"metrics {COMPLETED} --public")
    assert answer["response_type"] == "in_channel"
    assert "`validation:auc` (algo-1): first 0.6322" in everything(answer)
    [upload] = uploads(h, 1)
    assert upload.filename == f"{COMPLETED}-metrics.png"
    assert upload.channel == CHANNEL
    assert upload.data is not None and upload.data.startswith(PNG)


def test_endpoint_health_with_chart(h: Harness, platform: PlatformAws) -> None:  # noqa: F811
    _, answer = ask(h, f"endpoint {FRAUD}")
    text = everything(answer)
    assert "ModelLatency p50 15.56 ms · p99 212 ms" in text
    assert "error rate 0.071%" in text
    assert "fraud-prod-5xx-errors" in text
    [upload] = uploads(h, 1)
    assert upload.filename == "fraud-prod-health.png"
    assert len(platform.calls("GetMetricData")) == 1


def test_job_with_hostile_aws_text_stays_escaped(h: Harness) -> None:
    _, answer = ask(h, f"job {FAILED}")
    text = everything(answer)
    assert "&lt;!channel&gt;" in text
    assert "<!channel>" not in str(answer)


def test_pipeline(h: Harness) -> None:
    _, answer = ask(h, f"pipeline {CODEPIPELINE}")
    assert ":red_circle: Failed" in everything(answer)
    assert "failed at `Evaluate / ModelQualityGate`" in everything(answer)


def test_unknown_resource_is_a_short_answer_naming_it(h: Harness) -> None:
    _, answer = ask(h, "job churn-nope-1")
    assert answer["response_type"] == "ephemeral"
    assert answer["text"].startswith("could not find a job named churn-nope-1")
    assert "Try `/mlpulse help`" in answer["text"]


def test_access_denied_names_the_missing_permission(h: Harness, platform: PlatformAws) -> None:  # noqa: F811
    platform.stub(
        "sagemaker",
        "describe_endpoint",
        error="AccessDeniedException",
        message="User: arn:aws:sts::123456789012:assumed-role/mlpulse/x is not authorized to perform: sagemaker:DescribeEndpoint on resource: x",
    )
    _, answer = ask(h, f"endpoint {CHURN}")
    assert answer["text"].startswith("missing permission sagemaker:DescribeEndpoint")


def test_help_lists_every_aws_command_with_an_example(h: Harness) -> None:
    answer = h.command("help")
    text = answer["text"]
    for name in (
        "status",
        "jobs",
        "job NAME",
        "metrics JOB [METRIC]",
        "endpoint NAME",
        "pipeline NAME",
    ):
        assert f"`{name}" in text
    assert "e.g. `/mlpulse metrics churn-xgb-2026-11-25 validation:auc`" in text


def test_malformed_arguments_get_short_help(h: Harness) -> None:
    _, answer = ask(h, "jobs --since forever")
    assert answer["text"].startswith("`--since`: 'forever' is not a duration")
