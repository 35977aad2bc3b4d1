"""`/mlpulse drift ENDPOINT` through the command registry: SageMaker's monitoring-schedule
calls answered by a botocore Stubber (moto 5.x has no ListMonitoringSchedules or
ListMonitoringExecutions), the reports read over HTTP from S3 on a moto server."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from bot.config.models import Config
from bot.core.clock import FakeClock
from bot.core.errors import InputError
from bot.store.sqlite.store import SqliteStore
from commands import REGISTRY, help_line
from commands.base import Args, Context, Reply
from notifiers import limits
from tests.fakes.moto import aws_client, moto_server, moto_url  # noqa: F401
from tests.unit.drift.monitoring import (
    execution,
    expect_executions,
    expect_job,
    expect_schedules,
    processing_job,
    schedule,
    stubbed_sagemaker,
)
from tests.unit.drift.samples import sample, violation

ENDPOINT = "churn-prod"
BUCKET = "ml-monitoring"
PNG = b"\x89PNG\r\n\x1a\n"


@dataclass
class DriftAws:
    """What the command's `ctx.aws` needs: `.sagemaker` (stubbed) and `.s3` (moto)."""

    sagemaker: Any
    s3: Any


def put(s3: Any, key: str, document: Any) -> str:
    s3.put_object(Bucket=BUCKET, Key=key, Body=json.dumps(document).encode())
    return f"s3://{BUCKET}/{key}"


def seed_data_quality(s3: Any, violations: list[dict[str, str]]) -> tuple[str, dict[str, str]]:
    """A data quality execution whose _c0 lost a quarter of its values and _c2 moved."""
    current = sample("model-monitor-data-quality-statistics.json")
    current["features"][0]["numerical_statistics"]["common"].update(num_missing=25)
    current["features"][2]["numerical_statistics"].update(mean=4.6)
    prefix = "reports/churn-prod/churn-dq/2026/11/25/03"
    put(s3, f"{prefix}/statistics.json", current)
    put(s3, f"{prefix}/constraint_violations.json", {"violations": violations})
    baseline = {
        "statistics": put(s3, "baseline/churn-dq/statistics.json", sample("model-monitor-data-quality-statistics.json")),
        "constraints": put(s3, "baseline/churn-dq/constraints.json", sample("model-monitor-data-quality-constraints.json")),
    }  # fmt: skip
    return f"s3://{BUCKET}/{prefix}", baseline


def ask(aws: DriftAws, store: SqliteStore, clock: FakeClock, text: str) -> Reply:
    module = REGISTRY["drift"]
    assert module.SLOW is True
    ctx = Context("U1", "C1", Config(), store, clock, aws=aws)
    return module.handle(ctx, Args(words=tuple(text.split())))  # type: ignore[no-any-return]


@pytest.fixture
def s3(moto_url: str) -> Any:  # noqa: F811
    client = aws_client("s3", moto_url)
    client.create_bucket(Bucket=BUCKET)
    return client


def test_every_monitor_on_the_endpoint_with_a_chart_of_the_worst_feature(
    s3: Any, store: SqliteStore, clock: FakeClock
) -> None:
    sagemaker, stubber = stubbed_sagemaker()
    output, baseline = seed_data_quality(
        s3,
        [
            violation("_c2", "baseline_drift_check", "Baseline drift distance: 0.41 exceeds threshold: 0.1"),
            violation("_c0", "completeness_check", "Data completeness requirement is not met. Expected: 100.0%. Observed: Only 75.0% of data is present."),
        ],
    )  # fmt: skip
    expect_schedules(
        stubber,
        ENDPOINT,
        [
            schedule("churn-mq", ENDPOINT, "ModelQuality"),
            schedule("churn-dq", ENDPOINT, "DataQuality"),
        ],
    )
    expect_executions(
        stubber,
        "churn-dq",
        [execution("churn-dq", "CompletedWithViolations", "churn-dq-2026-11-25-0300")],
    )
    expect_job(stubber, processing_job("churn-dq-2026-11-25-0300", output, baseline))
    expect_executions(
        stubber,
        "churn-mq",
        [
            execution(
                "churn-mq", "Failed", None, FailureReason="ClientError: <!channel> no ground truth"
            )
        ],
    )
    reply = ask(DriftAws(sagemaker, s3), store, clock, ENDPOINT)
    stubber.assert_no_pending_responses()
    payload = {"text": reply.text, "blocks": reply.blocks}
    assert limits.problems(payload) == []
    shown = json.dumps(reply.blocks, ensure_ascii=False)
    assert (
        "churn-dq" in shown
        and "CompletedWithViolations" in shown
        and "2 violations (1 critical, 1 warning)" in shown
    )
    assert (
        "Failed" in shown
        and "&lt;!channel&gt; no ground truth" in shown
        and "<!channel>" not in shown
    )
    assert shown.index("*_c0*") < shown.index("*_c2*")  # completeness is critical, drift a warning
    assert "missing: 0.0% → 20.0%" in shown and "mean: 3.21 → 4.6" in shown
    (chart,) = reply.charts
    assert chart.filename == "drift-churn-prod-_c0.png" and chart.png.startswith(PNG)


def test_a_long_report_comes_with_the_full_text_attached(
    s3: Any, store: SqliteStore, clock: FakeClock
) -> None:
    sagemaker, stubber = stubbed_sagemaker()
    many = [
        violation(
            f"_c{i % 6}",
            "baseline_drift_check",
            f"Baseline drift distance: {i / 100} exceeds threshold: 0.1",
        )
        for i in range(60)
    ]
    output, baseline = seed_data_quality(s3, many)
    expect_schedules(stubber, ENDPOINT, [schedule("churn-dq", ENDPOINT, "DataQuality")])
    expect_executions(
        stubber, "churn-dq", [execution("churn-dq", "CompletedWithViolations", "job-1")]
    )
    expect_job(stubber, processing_job("job-1", output, baseline))
    reply = ask(DriftAws(sagemaker, s3), store, clock, ENDPOINT)
    assert limits.problems({"text": reply.text, "blocks": reply.blocks}) == []
    chart, report = reply.charts
    assert chart.png.startswith(PNG)
    assert report.filename == "drift-churn-prod.md"
    text = report.png.decode()
    assert text.startswith("# Drift: endpoint churn-prod") and text.count("WARNING  _c") == 60
    assert "the full report is attached as `drift-churn-prod.md`" in json.dumps(reply.blocks)


def test_an_execution_whose_output_is_gone_says_so(
    s3: Any, store: SqliteStore, clock: FakeClock
) -> None:
    sagemaker, stubber = stubbed_sagemaker()
    expect_schedules(stubber, ENDPOINT, [schedule("churn-bias", ENDPOINT, "ModelBias")])
    expect_executions(stubber, "churn-bias", [execution("churn-bias", "Completed", "job-2")])
    expect_job(stubber, processing_job("job-2", f"s3://{BUCKET}/reports/deleted", {}))
    reply = ask(DriftAws(sagemaker, s3), store, clock, ENDPOINT)
    shown = json.dumps(reply.blocks, ensure_ascii=False)
    assert (
        "bias drift" in shown
        and f"no constraint_violations.json or statistics.json under s3://{BUCKET}/reports/deleted"
        in shown
    )
    assert reply.charts == []


@pytest.mark.parametrize("text", ["", "a b", "bad_name!", "x" * 64])
def test_malformed_requests_get_the_usage(text: str, store: SqliteStore, clock: FakeClock) -> None:
    with pytest.raises(InputError, match="usage: `/mlpulse drift ENDPOINT`"):
        ask(DriftAws(None, None), store, clock, text)


def test_it_is_registered_with_its_help_line() -> None:
    assert help_line(REGISTRY["drift"]).startswith("drift ENDPOINT — ")
