"""Finding each monitor's latest results on an endpoint. moto has no monitoring-schedule
API, so SageMaker is a botocore Stubber here (see tests/unit/drift/monitoring.py)."""

from __future__ import annotations

import pytest

from bot.aws.errors import MissingPermission
from bot.core.errors import InputError
from bot.drift.schedules import latest_executions
from tests.unit.drift.monitoring import (
    WHEN,
    execution,
    expect_executions,
    expect_job,
    expect_schedules,
    processing_job,
    schedule,
    stubbed_sagemaker,
)

ENDPOINT = "churn-prod"


def test_the_latest_finished_execution_and_its_locations() -> None:
    client, stubber = stubbed_sagemaker()
    expect_schedules(stubber, ENDPOINT, [schedule("churn-dq", ENDPOINT, "DataQuality")])
    expect_executions(
        stubber,
        "churn-dq",
        [
            execution("churn-dq", "InProgress", "churn-dq-2026-11-25-0400", hour=4),
            execution("churn-dq", "CompletedWithViolations", "churn-dq-2026-11-25-0300", hour=3),
        ],
    )
    expect_job(
        stubber,
        processing_job(
            "churn-dq-2026-11-25-0300",
            "s3://ml-monitoring/reports/churn-prod/churn-dq/2026/11/25/03",
            {
                "constraints": "s3://ml-monitoring/baseline/constraints.json",
                "statistics": "s3://ml-monitoring/baseline/",
            },
        ),
    )
    (found,) = latest_executions(client, ENDPOINT)
    stubber.assert_no_pending_responses()
    assert (found.schedule, found.monitor, found.status) == (
        "churn-dq",
        "DataQuality",
        "CompletedWithViolations",
    )
    assert found.scheduled == WHEN and found.job == "churn-dq-2026-11-25-0300"
    assert found.output == "s3://ml-monitoring/reports/churn-prod/churn-dq/2026/11/25/03"
    assert found.baseline == (
        ("constraints.json", "s3://ml-monitoring/baseline/constraints.json"),
        ("statistics.json", "s3://ml-monitoring/baseline/"),
    )


def test_a_schedule_without_executions_and_a_failed_one() -> None:
    client, stubber = stubbed_sagemaker()
    expect_schedules(
        stubber,
        ENDPOINT,
        [
            schedule("churn-mq", ENDPOINT, "ModelQuality"),
            schedule("churn-bias", ENDPOINT, "ModelBias"),
        ],
    )
    expect_executions(stubber, "churn-bias", [])
    reason = "AlgorithmError: <!channel> ground truth missing"
    expect_executions(
        stubber, "churn-mq", [execution("churn-mq", "Failed", None, FailureReason=reason)]
    )
    bias, quality = latest_executions(client, ENDPOINT)
    assert (bias.schedule, bias.status, bias.output) == ("churn-bias", "no execution yet", None)
    assert (quality.status, quality.failure, quality.job) == ("Failed", reason, None)


def test_a_job_that_cannot_be_described_is_a_problem_not_a_failure() -> None:
    client, stubber = stubbed_sagemaker()
    expect_schedules(stubber, ENDPOINT, [schedule("churn-dq", ENDPOINT, "DataQuality")])
    expect_executions(stubber, "churn-dq", [execution("churn-dq", "Completed", "gone-job")])
    stubber.add_client_error(
        "describe_processing_job",
        "ValidationException",
        "Could not find requested job with name gone-job",
    )
    (found,) = latest_executions(client, ENDPOINT)
    assert found.output is None and found.problem == "could not find processing job gone-job"


def test_no_schedule_on_the_endpoint() -> None:
    client, stubber = stubbed_sagemaker()
    expect_schedules(stubber, ENDPOINT, [])
    with pytest.raises(InputError, match="no Model Monitor schedule watches endpoint `churn-prod`"):
        latest_executions(client, ENDPOINT)


def test_a_refusal_names_the_permission() -> None:
    client, stubber = stubbed_sagemaker()
    stubber.add_client_error("list_monitoring_schedules", "AccessDeniedException", "not authorized")
    with pytest.raises(MissingPermission, match="sagemaker:ListMonitoringSchedules"):
        latest_executions(client, ENDPOINT)
