"""Where a failure's logs are (bot.delivery.logsources), from the alert's event alone: a
failed training, processing or transform job's group and streams (a trial's too), a failed
build's group and stream from its event or CodeBuild's defaults; nothing for the rest."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.core.events import Event
from bot.delivery.logsources import log_source
from bot.ingress.ingest import events_from_text
from bot.ingress.normalize import Origin, normalize
from tests.conftest import FIXTURES, REPO

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
REAL = REPO / "tests" / "fixtures" / "real" / "events"


def raw(name: str, real: bool = False) -> dict[str, Any]:
    found = json.loads(((REAL if real else FIXTURES) / f"{name}.json").read_text("utf-8"))
    assert isinstance(found, dict)
    return found


def failed(event: dict[str, Any], status_field: str, status: str = "Failed") -> Event:
    event["detail"][status_field] = status
    return normalize(event, Origin(), NOW)


@pytest.mark.parametrize(
    ("sample", "field", "group"),
    [
        ("sagemaker-training-job-state-change-completed", "TrainingJobStatus", "TrainingJobs"),
        ("sagemaker-processing-job-state-change-failed", "ProcessingJobStatus", "ProcessingJobs"),
        ("sagemaker-transform-job-state-change", "TransformJobStatus", "TransformJobs"),
    ],
)
def test_a_failed_job_logs_under_its_name_in_its_kind_s_group(
    sample: str, field: str, group: str
) -> None:
    event = failed(raw(sample), field)
    source = log_source(event)
    assert source is not None
    assert (source.group, source.prefix) == (f"/aws/sagemaker/{group}", f"{event.name}/")
    assert (source.name, source.region, source.account) == (event.name, event.region, event.account)
    assert source.noun.endswith(" job") and not source.one_stream
    assert source.link.label == "Logs" and "prefix=" in source.link.url


def test_a_failed_trial_logs_as_the_training_job_it_is() -> None:
    event = failed(
        raw("028-sagemaker-training-job-in-progress-hpo-child", real=True), "TrainingJobStatus"
    )
    source = log_source(event)
    assert source is not None
    assert (source.group, source.prefix) == ("/aws/sagemaker/TrainingJobs", "UnitTestTrainingJob/")


def test_a_failed_build_logs_where_its_event_says() -> None:
    event = normalize(raw("024-codebuild-build-failed-yaml-file-error", real=True), Origin(), NOW)
    source = log_source(event)
    assert source is not None
    project = "functionci-thestackshack-serverless-demo-master-code-build"
    assert source.group == f"/aws/codebuild/{project}"
    assert source.prefix == "845a17d1-3901-40aa-a169-15f7545eca60" and source.one_stream
    assert source.link.label == "Build logs" and source.noun == "build"


def test_a_failed_build_without_its_logs_in_the_event_logs_where_codebuild_puts_them() -> None:
    document = raw("024-codebuild-build-failed-yaml-file-error", real=True)
    del document["detail"]["additional-information"]["logs"]
    source = log_source(normalize(document, Origin(), NOW))
    assert source is not None
    assert source.group.endswith("/functionci-thestackshack-serverless-demo-master-code-build")
    assert source.prefix == "845a17d1-3901-40aa-a169-15f7545eca60"
    assert source.link.label == "Logs"


@pytest.mark.parametrize(
    ("sample", "field", "status"),
    [
        ("sagemaker-training-job-state-change-completed", "TrainingJobStatus", "Completed"),
        ("sagemaker-training-job-state-change-completed", "TrainingJobStatus", "Stopped"),
        (
            "sagemaker-ground-truth-labeling-job-state-change-completed",
            "LabelingJobStatus",
            "Failed",
        ),
        ("sagemaker-endpoint-state-change-in-service", "EndpointStatus", "FAILED"),
        ("codebuild-build-phase-change", "completed-phase-status", "FAILED"),
        ("stepfunctions-execution-status-change-failed", "status", "FAILED"),
    ],
)
def test_no_logs_for_anything_else(sample: str, field: str, status: str) -> None:
    assert log_source(failed(raw(sample), field, status)) is None


def test_no_event_no_logs() -> None:
    assert log_source(None) is None


def action_failed(provider: str = "CodeBuild") -> list[Event]:
    """The published notification-rule form of a failed CodeBuild action, as ingest reads it."""
    document = raw("017-codepipeline-action-failed-codebuild-notification-rule", real=True)
    document["detail"]["type"]["provider"] = provider
    return events_from_text(json.dumps(document), NOW)


def test_a_failed_codebuild_action_logs_where_codebuild_puts_its_build() -> None:
    """The pipeline's alert carries the tail of the build its action ran (`<project>:<uuid>`
    from the action's external id): the build itself opens no incident of its own."""
    (event,) = action_failed()
    assert event.fact("Build") == "sin-dev:86a1cd00-9509-4929-ac8b-7d3a8c10c2bc"
    source = log_source(event)
    assert source is not None
    assert (source.noun, source.name, source.group) == (
        "build",
        "sin-dev",
        "/aws/codebuild/sin-dev",
    )
    assert source.prefix == "86a1cd00-9509-4929-ac8b-7d3a8c10c2bc" and source.one_stream
    assert source.region == "ap-northeast-2" and source.link.label == "Logs"


def test_a_failed_action_of_another_provider_has_no_build_logs() -> None:
    (event,) = action_failed(provider="CodeDeploy")
    assert event.fact("Build") is None and log_source(event) is None
