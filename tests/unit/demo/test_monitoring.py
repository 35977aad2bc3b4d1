"""The demo's Model Monitor: seeded on moto, answered by `/mlpulse drift`'s own code."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bot.demo.monitoring import ENDPOINT, SCHEDULE, seed_monitoring, statistics_document
from bot.drift.monitors import endpoint_drift
from bot.drift.parse import feature_statistics
from bot.drift.summary import violation_summary
from notifiers import limits
from tests.fakes.moto import aws_client, moto_server, moto_url  # noqa: F401

WHEN = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)


def test_the_demo_endpoint_answers_with_its_three_violations(moto_url: str) -> None:  # noqa: F811
    s3, real = aws_client("s3", moto_url), aws_client("sagemaker", moto_url)
    sagemaker = seed_monitoring(s3, real, WHEN)
    seed_monitoring(s3, real, WHEN)  # seeding twice is harmless
    drift = endpoint_drift(sagemaker, s3, ENDPOINT)
    (result,) = drift.results
    assert (result.schedule, result.status, result.scheduled) == (
        SCHEDULE,
        "CompletedWithViolations",
        WHEN,
    )
    assert result.report is not None and result.problem is None
    assert [f.subject for f in result.report.findings] == [
        "card_age_days",
        "amount",
        "merchant_country",
    ]
    assert limits.problems(drift.payload) == []
    # the chart is of the most drifted feature (amount, shifted), not the first violation
    assert drift.chart is not None and drift.chart[0] == "amount"
    figures = {f.name: f for f in result.report.findings[0].figures}
    assert figures["missing"].baseline == "0.0%" and figures["missing"].current.startswith("1")
    assert sagemaker.list_training_jobs()["TrainingJobSummaries"] == []  # the rest is moto
    key = "fraud-prod/data-quality/2026/11/25/06/constraint_violations.json"
    violations = json.loads(s3.get_object(Bucket="ml-monitoring", Key=key)["Body"].read())
    assert violation_summary(violations).startswith("3 violations (1 critical): card_age_days")


def test_statistics_in_model_monitors_format() -> None:
    document = statistics_document({"x": [1.0, 2.0, float("nan")], "c": ["a", "b", "a"]})
    features = feature_statistics(document)
    assert (
        features["x"].missing == 1
        and features["x"].mean == 1.5
        and len(features["x"].buckets) == 10
    )
    assert features["c"].categories == (("a", 2.0), ("b", 1.0))
    assert document["dataset"] == {"item_count": 3}
