"""The job-kind table (bot/kinds/jobs.py) names real SageMaker operations, events and
fields, and reads any kind's answer. (Moved from tests/unit/aws/test_jobkinds.py.)"""

from __future__ import annotations

from datetime import UTC, datetime

import boto3
import pytest

from bot.core.errors import InputError
from bot.kinds.jobs import KINDS, LABELING, TRAINING, TUNING, Job, kinds_named, status_named


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.key)
def test_every_kind_names_real_operations_and_fields(kind) -> None:  # type: ignore[no-untyped-def]
    client = boto3.client(
        "sagemaker", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"
    )
    model = client.meta.service_model
    assert hasattr(client, kind.describe)
    assert client.can_paginate(kind.listing)
    listing = model.operation_model(f"List{kind.prefix}s")
    assert kind.summaries in listing.output_shape.members
    describe = model.operation_model(f"Describe{kind.prefix}")
    assert f"{kind.prefix}Name" in describe.input_shape.members
    assert f"{kind.prefix}Status" in describe.output_shape.members
    if kind.phase:  # (a tuning job has no start time of its own: its CreationTime stands in)
        assert f"{kind.phase}EndTime" in describe.output_shape.members
    if kind.resources:
        first, *rest = kind.resources.split(".")
        shape = describe.output_shape.members[first]
        for step in rest:
            shape = shape.members[step]
        assert {"InstanceType", "InstanceCount"} <= set(shape.members)


def test_every_kind_has_its_own_event_kind_and_detail_type() -> None:
    assert [kind.event_kind.value for kind in KINDS] == [f"{kind.key}_job" for kind in KINDS]
    assert len({kind.detail_type for kind in KINDS}) == len(KINDS)
    assert all(kind.detail_type.startswith("SageMaker ") for kind in KINDS)


def test_log_streams_start_with_the_job_name() -> None:
    """Training, processing and transform jobs write `<job>/<host>...` streams; a labeling
    job writes one stream named as the job (SageMaker's CloudWatch Logs table)."""
    assert TRAINING.log_prefix("churn-1") == "churn-1/"
    assert LABELING.log_prefix("faces") == "faces"
    assert [kind.key for kind in KINDS if kind.log_group is None] == ["tuning"]


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        (None, KINDS),
        ("training", (TRAINING,)),
        ("training_job", (TRAINING,)),
        ("HPO", (TUNING,)),
        ("labeling-job", (LABELING,)),
    ],
)
def test_kinds_named(word: str | None, expected: tuple[object, ...]) -> None:
    assert kinds_named(word) == expected


def test_unknown_kind_lists_the_known_ones() -> None:
    with pytest.raises(InputError, match="training, processing, transform, tuning, labeling"):
        kinds_named("<!channel>")


@pytest.mark.parametrize(
    ("word", "expected"),
    [("failed", "Failed"), ("RUNNING", "InProgress"), ("in_progress", "InProgress"), (None, None)],
)
def test_status_named(word: str | None, expected: str | None) -> None:
    assert status_named(word) == expected


def test_unknown_status_is_refused() -> None:
    with pytest.raises(InputError, match="Completed, Failed, InProgress"):
        status_named("exploded")


def test_job_reads_summaries_and_describe_answers_alike() -> None:
    naive = datetime(2026, 11, 25, 10, 0)
    job = Job(
        TRAINING,
        {
            "TrainingJobName": "churn-1",
            "TrainingJobStatus": "Failed",
            "CreationTime": naive,
            "TrainingStartTime": datetime(2026, 11, 25, 10, 2, tzinfo=UTC),
            "FailureReason": "OOM",
            "ResourceConfig": {"InstanceType": "ml.p3.2xlarge", "InstanceCount": 4},
        },
    )
    assert (job.name, job.status, job.failure) == ("churn-1", "Failed", "OOM")
    assert job.created == datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    assert job.ended is None
    assert job.instances == "4 × ml.p3.2xlarge"
    assert job.instance_count == 4
    bare = Job(LABELING, {"LabelingJobName": "faces"})
    assert (bare.status, bare.instances, bare.started, bare.instance_count) == (
        "Unknown",
        None,
        None,
        1,
    )
