"""CloudWatch alarms (bot/kinds/alarm.py, alarm_terms.py): operators and statistics in the
words people read, composite alarms' rule, children and suppressor whichever envelope they
came in, and headlines a person would say."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import botocore.session
import pytest

from bot.core.events import Event, Kind
from bot.ingress.ingest import events_from, parse_document
from bot.kinds import alarm_terms, status_phrase
from tests.conftest import FIXTURES, REPO

REAL = REPO / "tests" / "fixtures" / "real" / "events"
RECEIVED = datetime(2026, 1, 1, tzinfo=UTC)


def only(document: Any) -> Event:
    (event,) = events_from(document, RECEIVED)
    return event


def from_file(path: str) -> Event:
    (document,) = parse_document(path_of(path).read_bytes(), path)
    return only(document)


def path_of(name: str) -> Path:
    return REAL / name if (REAL / name).exists() else FIXTURES / name


def facts(event: Event) -> dict[str, str]:
    return {fact.label: fact.value for fact in event.facts}


# --- words


def test_every_comparison_operator_cloudwatch_has_is_known() -> None:
    model = botocore.session.get_session().get_service_model("cloudwatch")
    assert sorted(model.shape_for("ComparisonOperator").enum) == sorted(alarm_terms.OPERATOR_NAMES)


@pytest.mark.parametrize(
    ("operator", "threshold", "band", "shown"),
    [
        ("GreaterThanOrEqualToThreshold", 10.0, None, "≥ 10"),
        ("GreaterThanThreshold", 1000, None, "> 1000"),
        ("LessThanThreshold", 0.5, None, "< 0.5"),
        ("LessThanOrEqualToThreshold", "3", None, "≤ 3"),
        ("LessThanLowerOrGreaterThanUpperThreshold", None, "ad1", "outside the band ad1"),
        ("LessThanLowerThreshold", None, "ad1", "below the band ad1"),
        ("GreaterThanUpperThreshold", None, None, "above the band"),
        ("GREATER_THAN_OR_EQUAL_TO_THRESHOLD", 5, None, "≥ 5"),  # CDK's spelling
        ("SomethingNew", 5, None, "SomethingNew 5"),  # shown as it came, never lost
        (None, 0.0, None, "0"),
        ("GreaterThanThreshold", None, None, None),
    ],
)
def test_comparisons_read_as_people_write_them(
    operator: Any, threshold: Any, band: Any, shown: str | None
) -> None:
    assert alarm_terms.comparison(operator, threshold, band) == shown


@pytest.mark.parametrize(
    ("raw", "shown"),
    [("AVERAGE", "Average"), ("SUM", "Sum"), ("SampleCount", "SampleCount"), ("p99", "p99")],
)
def test_statistics_as_the_console_spells_them(raw: str, shown: str) -> None:
    assert alarm_terms.statistic(raw) == shown


@pytest.mark.parametrize(
    ("seconds", "shown"), [(60, "1 min"), (300, "5 min"), (3600, "1 h"), (10, "10 s"), (90, "90 s")]
)
def test_periods(seconds: int, shown: str) -> None:
    assert alarm_terms.period(seconds) == shown


@pytest.mark.parametrize(
    ("by", "shown"),
    [
        ("Alarm", "Maintenance (in ALARM)"),
        (
            "WaitPeriod",
            "Maintenance (waiting up to 2 min for it to go into ALARM, then actions run)",
        ),
        ("ExtensionPeriod", "Maintenance (it left ALARM; actions stay suppressed for up to 3 min)"),
    ],
)
def test_suppression_names_the_suppressor_alarm(by: str, shown: str) -> None:
    said = f"Actions suppressed by {by}"
    assert alarm_terms.suppression(by, "Maintenance", 120, 180, said) == shown
    assert alarm_terms.suppression(by, None, 120, 180, said) == said


# --- facts, whichever envelope the alarm came in


def test_a_classic_composite_alarm_shows_its_rule_and_the_children_that_triggered_it() -> None:
    event = from_file("003-alarm-sns-lambda-composite-triggering-children.json")
    shown = facts(event)
    assert shown["Rule"] == 'ALARM("Alarm1") AND ALARM("Alarm2")'
    assert shown["Triggered by"] == "Alarm1 (ALARM), Alarm2 (ALARM)"


def test_a_suppressed_composite_alarm_names_its_suppressor() -> None:
    event = from_file("008-alarm-eventbridge-composite-suppressor-alarmdata.json")
    suppressed = facts(event)["Actions suppressed by"]
    assert suppressed.startswith("ServiceMaintenanceAlarm (waiting up to 2 min")
    # the EventBridge envelope around `alarmData` keeps its own id and account
    assert event.id == "d3dfc86d-384d-24c8-0345-9f7986db0b80"
    assert event.account == "123456789012"


def test_a_composite_alarm_no_longer_suppressed_names_its_suppressor_only() -> None:
    event = from_file("007-alarm-lambda-action-composite-malformed-times.json")
    shown = facts(event)
    assert "Actions suppressed by" not in shown  # that was the previous state
    assert shown["Suppressor alarm"] == "CompositeDemo.ActionsSuppressor"


def test_a_classic_composite_alarm_with_a_suppressor_keeps_it() -> None:
    document = json.loads(
        path_of("003-alarm-sns-lambda-composite-triggering-children.json").read_text()
    )
    message = json.loads(document["Records"][0]["Sns"]["Message"])
    message |= {"ActionsSuppressor": "Maintenance", "ActionsSuppressorWaitPeriod": 60}
    assert facts(only(message))["Suppressor alarm"] == "Maintenance"


def test_metric_math_names_each_metric_by_the_id_its_expression_uses() -> None:
    event = from_file("004-alarm-sns-lambda-metric-math-expression.json")
    assert facts(event)["Metric"].splitlines() == [
        "e2 = m1*100*m2 - MIN(m1) (Expression2)",
        "m1: AWS/EC2 CPUUtilization [InstanceId=i-0a5c8ea70646e7b05], Average over 1 min",
        "m2: AWS/EC2 NetworkOut [InstanceId=i-0a5c8ea70646e7b05], Average over 1 min",
    ]
    assert facts(event)["Threshold"] == "> 1000"


def test_a_classic_metric_alarm_reads_its_statistic_and_threshold() -> None:
    event = from_file("001-alarm-sns-lambda-rds-db-connections.json")
    assert facts(event)["Metric"] == (
        "AWS/RDS DatabaseConnections [DBInstanceIdentifier=app], Average over 5 min"
    )
    assert facts(event)["Threshold"] == "≥ 10"


def test_an_anomaly_detection_alarm_shows_its_band() -> None:
    event = from_file("cloudwatch-alarm-state-change-anomaly-detection.json")
    assert facts(event)["Expected band"] == "0.0206 – 0.301"
    assert facts(event)["Recent values"] == "0"

    classic = {
        "AlarmName": "latency-anomaly",
        "NewStateValue": "ALARM",
        "OldStateValue": "OK",
        "Trigger": {
            "ComparisonOperator": "LessThanLowerOrGreaterThanUpperThreshold",
            "ThresholdMetricId": "ad1",
            "Metrics": [
                {"Id": "ad1", "Expression": "ANOMALY_DETECTION_BAND(m1, 2)"},
                {
                    "Id": "m1",
                    "MetricStat": {
                        "Metric": {"Namespace": "AWS/SageMaker", "MetricName": "ModelLatency"},
                        "Period": 300,
                        "Stat": "p99",
                    },
                },
            ],
        },
    }
    shown = facts(only(classic))
    assert shown["Threshold"] == "outside the band ad1"
    assert shown["Metric"].splitlines()[1] == "m1: AWS/SageMaker ModelLatency, p99 over 5 min"


def test_a_metrics_insights_alarm_says_its_data_was_partial() -> None:
    event = from_file("009-alarm-eventbridge-metrics-insights-partial-data.json")
    assert facts(event)["Evaluation"] == "Partial data"


# --- headlines


@pytest.mark.parametrize(
    ("status", "previous", "said"),
    [
        ("ALARM", "OK", "firing"),
        ("ALARM", None, "firing"),
        ("ALARM", "ALARM", "still firing"),
        ("OK", "ALARM", "back to OK"),
        ("OK", "INSUFFICIENT_DATA", "OK"),
        ("INSUFFICIENT_DATA", "OK", "has insufficient data"),
    ],
)
def test_an_alarm_headline_says_its_state_as_a_person_would(
    status: str, previous: str | None, said: str
) -> None:
    assert status_phrase(Kind.ALARM, status, previous) == said


def test_other_kinds_keep_their_status_in_words() -> None:
    assert status_phrase(Kind.ENDPOINT, "IN_SERVICE") == "In service"
    assert status_phrase(Kind.TRAINING_JOB, "Failed", "InProgress") == "Failed"


def test_an_event_with_no_status_of_its_own_is_named_without_one() -> None:
    assert status_phrase(Kind.UNKNOWN, "unknown") == ""
    assert status_phrase(Kind.UNKNOWN, "Completed") == "Completed"
    assert status_phrase(Kind.TRAINING_JOB, "unknown") == "Unknown"


@pytest.mark.parametrize(
    ("namespace", "metric", "shown"),
    [
        ("AWS/SageMaker", "ModelLatency", "≥ 500000 µs (500 ms)"),
        ("/aws/sagemaker/Endpoints", "CPUUtilization", "≥ 500000%"),
        ("AWS/EC2", "CPUUtilization", "≥ 500000"),  # no unit we are sure of: none shown
    ],
)
def test_a_threshold_says_its_unit_where_the_raw_figure_misleads(
    namespace: str, metric: str, shown: str
) -> None:
    document = json.loads(path_of("cloudwatch-alarm-state-change-single-metric.json").read_text())
    config = document["detail"]["configuration"]
    config["metrics"][0]["metricStat"]["metric"].update(namespace=namespace, name=metric)
    config.update(threshold=500000, comparisonOperator="GreaterThanOrEqualToThreshold")
    assert facts(only(document))["Threshold"] == shown
