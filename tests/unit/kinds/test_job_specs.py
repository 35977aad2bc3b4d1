"""The alerts about SageMaker jobs and the commands read one table: each row of
bot/kinds/jobs.py is the alert spec bot/kinds/sagemaker.py builds, and gives the same links."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.kinds import sagemaker, spec_for
from bot.kinds.jobs import KINDS, PROCESSING, JobKind
from bot.kinds.links import job_links
from bot.kinds.spec import KindSpec
from tests.conftest import FIXTURES

# The published AWS sample of each job kind's state-change event.
SAMPLES = {
    "training": "sagemaker-training-job-state-change-completed",
    "tuning": "sagemaker-hyperparameter-tuning-job-state-change",
    "processing": "sagemaker-processing-job-state-change-failed",
    "transform": "sagemaker-transform-job-state-change",
    "labeling": "sagemaker-ground-truth-labeling-job-state-change-completed",
}
SPECS = {
    "training": sagemaker.TRAINING,
    "tuning": sagemaker.TUNING,
    "processing": sagemaker.PROCESSING,
    "transform": sagemaker.TRANSFORM,
    "labeling": sagemaker.LABELING,
}


def sample(kind: JobKind) -> dict[str, Any]:
    found = json.loads((FIXTURES / f"{SAMPLES[kind.key]}.json").read_text(encoding="utf-8"))
    assert isinstance(found, dict)
    return found


def test_every_row_has_a_sample_and_a_spec() -> None:
    assert sorted(SAMPLES) == sorted(SPECS) == sorted(kind.key for kind in KINDS)


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.key)
def test_the_alert_spec_is_the_row(kind: JobKind) -> None:
    spec = SPECS[kind.key]
    assert (spec.kind, spec.title, spec.detail_types) == (
        kind.event_kind,
        kind.title,
        (kind.detail_type,),
    )
    assert spec.facts is kind.event_facts


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.key)
def test_its_sample_event_finds_that_spec(kind: JobKind) -> None:
    event = sample(kind)
    assert event["detail-type"] == kind.detail_type
    assert spec_for(event) is SPECS[kind.key]


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.key)
def test_alert_and_command_give_the_same_links(kind: JobKind) -> None:
    event = sample(kind)
    spec: KindSpec = SPECS[kind.key]
    name = spec.name(event)  # the detail's `<Prefix>Name`, else the resource ARN's tail
    assert isinstance(name, str) and name
    assert spec.links(event, "eu-west-1") == job_links(kind, name, "eu-west-1")
    labels = [link.label for link in spec.links(event, "eu-west-1")]
    assert labels == (["Console", "Logs"] if kind.log_group else ["Console"])


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.key)
def test_the_alert_reads_the_rows_fields(kind: JobKind) -> None:
    """Name, status, times and instances come from the row's prefix, phase and resources."""
    detail: dict[str, Any] = {
        f"{kind.prefix}Name": "job-1",
        f"{kind.prefix}Status": "Failed",
        "FailureReason": "OOM",
        "CreationTime": "2026-11-25T10:00:00Z",
    }
    if kind.phase:
        detail[f"{kind.phase}EndTime"] = "2026-11-25T11:00:00Z"
    if kind.resources:
        first, *rest = kind.resources.split(".")
        node = detail.setdefault(first, {})
        for step in rest:
            node = node.setdefault(step, {})
        node.update(InstanceType="ml.m5.xlarge", InstanceCount=2)
    spec = SPECS[kind.key]
    event = {"detail-type": kind.detail_type, "detail": detail}
    assert (spec.name(event), spec.status(event), spec.reason(event)) == ("job-1", "Failed", "OOM")
    assert spec.started(event) == "2026-11-25T10:00:00Z"
    assert spec.ended(event) == ("2026-11-25T11:00:00Z" if kind.phase else None)
    expected = ("ml.m5.xlarge", 2) if kind.resources else (None, None)
    assert (spec.instance_type(event), spec.instance_count(event)) == expected


def test_a_model_monitor_execution_links_like_its_processing_job() -> None:
    event = sample(PROCESSING)
    event["detail"]["MonitoringScheduleArn"] = "arn:aws:sagemaker:us-east-1:1:monitoring-schedule/s"
    spec = spec_for(event)
    assert spec.kind == "model_monitor"
    name = event["detail"]["ProcessingJobName"]
    assert spec.links(event, "us-east-1") == job_links(PROCESSING, name, "us-east-1")
