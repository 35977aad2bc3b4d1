"""The Model Monitor alert carries its violations summary, read from the report on S3."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from bot.aws.errors import RoleRefused
from bot.core.events import Event
from bot.drift.enrich import monitor_enricher
from bot.ingress.ingest import events_from
from tests.conftest import FIXTURES

REPORT = "s3://ml-monitoring/fraud-prod/data-quality/2026/11/25/06"


class FakeS3:
    def __init__(self, objects: dict[str, bytes]) -> None:
        self.objects = objects
        self.calls: list[str] = []

    def get_object(self, Bucket: str, Key: str) -> dict[str, Any]:
        self.calls.append(f"s3://{Bucket}/{Key}")
        if f"s3://{Bucket}/{Key}" not in self.objects:
            raise ClientError({"Error": {"Code": "NoSuchKey", "Message": "gone"}}, "GetObject")
        return {"Body": io.BytesIO(self.objects[f"s3://{Bucket}/{Key}"])}


def monitor_event(exit_message: str) -> Event:
    raw = {
        "id": "e1",
        "detail-type": "SageMaker Processing Job State Change",
        "source": "aws.sagemaker",
        "account": "123456789012",
        "region": "eu-west-1",
        "time": "2026-11-25T06:10:00Z",
        "resources": [],
        "detail": {
            "ProcessingJobName": "model-monitoring-202611250600-a1b2c3",
            "ProcessingJobStatus": "Completed",
            "ExitMessage": exit_message,
            "Environment": {"sagemaker_monitoring_schedule_name": "fraud-prod-data-quality"},
            "ProcessingOutputConfig": {"Outputs": [{"S3Output": {"S3Uri": REPORT}}]},
        },
    }
    (event,) = events_from(raw, datetime(2026, 11, 25, tzinfo=UTC))
    return event


def test_violations_are_summarised_into_the_alert() -> None:
    violations = (FIXTURES / "model-monitor-data-quality-constraint-violations.json").read_bytes()
    s3 = FakeS3({f"{REPORT}/constraint_violations.json": violations})
    event = monitor_event("CompletedWithViolations: Job completed successfully with 3 violations.")
    enriched = monitor_enricher(lambda: s3)(event)
    facts = {fact.label: fact.value for fact in enriched.facts}
    assert facts["Report"] == REPORT
    listed = json.loads(violations)["violations"]
    assert facts["Violations"].startswith(f"{len(listed)} violations")
    assert any(v["feature_name"] in facts["Violations"] for v in listed)


def test_a_clean_execution_reads_nothing() -> None:
    s3 = FakeS3({})
    event = monitor_event("Completed: Job completed successfully with no violations.")
    assert monitor_enricher(lambda: s3)(event) is event
    assert s3.calls == []


def test_an_unreadable_report_leaves_the_alert_as_it_was() -> None:
    s3 = FakeS3({f"{REPORT}/constraint_violations.json": b"{not json"})
    event = monitor_event("CompletedWithViolations: Job completed successfully with 3 violations.")
    assert monitor_enricher(lambda: s3)(event) == event
    missing = FakeS3({})
    assert monitor_enricher(lambda: missing)(event) == event
    assert missing.calls == [f"{REPORT}/constraint_violations.json"]


def test_a_member_accounts_report_is_read_with_that_accounts_client() -> None:
    violations = (FIXTURES / "model-monitor-data-quality-constraint-violations.json").read_bytes()
    own, member = FakeS3({}), FakeS3({f"{REPORT}/constraint_violations.json": violations})
    event = monitor_event("CompletedWithViolations: Job completed successfully with 3 violations.")
    enriched = monitor_enricher(lambda: own, lambda _: member)(event)
    assert "Violations" in {fact.label for fact in enriched.facts}
    assert own.calls == []


def test_a_refused_role_leaves_the_alert_as_it_was() -> None:
    def refused(_: object) -> None:
        raise RoleRefused("arn:aws:iam::222222222222:role/r", "prod", "AccessDenied")

    event = monitor_event("CompletedWithViolations: Job completed successfully with 3 violations.")
    assert monitor_enricher(lambda: FakeS3({}), refused)(event) == event
