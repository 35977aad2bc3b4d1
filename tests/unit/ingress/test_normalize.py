"""bot.ingress.normalize: whose time an event carries, and what its `reason` is called."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.core.events import Event
from bot.ingress.ingest import events_from
from tests.conftest import FIXTURES

RECEIVED = datetime(2026, 1, 1, tzinfo=UTC)


def only(document: Any) -> Event:
    (event,) = events_from(document, RECEIVED)
    return event


def load(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return document


def alarm_action(time: Any) -> dict[str, Any]:
    return {
        "source": "aws.cloudwatch",
        "alarmArn": "arn:aws:cloudwatch:us-east-1:444455556666:alarm:cpu",
        "accountId": "444455556666",
        "time": time,
        "region": "us-east-1",
        "alarmData": {"alarmName": "cpu", "state": {"value": "ALARM", "timestamp": time}},
    }


def test_a_time_spaced_out_after_its_colons_is_read() -> None:
    event = only(alarm_action("2023-08-04T12: 36: 15.490+0000"))
    assert event.time == datetime(2023, 8, 4, 12, 36, 15, 490000, tzinfo=UTC)
    assert (event.time_known, event.time_source) == (True, "event")


@pytest.mark.parametrize("time", ["Friday, late", "2023-13-45T99:00:00Z", None, 12.5e20])
def test_an_unreadable_time_is_the_receipt_time_and_says_so(time: Any) -> None:
    event = only(alarm_action(time))
    assert event.time == RECEIVED
    assert (event.time_known, event.time_source) == (False, "received")


def test_a_text_message_carries_the_time_sns_sent_it() -> None:
    sent = only({"Type": "Notification", "Message": "hello", "Timestamp": "2016-08-11T07:24:05Z"})
    assert (sent.time, sent.time_source) == (datetime(2016, 8, 11, 7, 24, 5, tzinfo=UTC), "sent")
    unsent = only({"Type": "Notification", "Message": "hello"})
    assert (unsent.time, unsent.time_source) == (RECEIVED, "received")


# --- a reason is a failure's; anything else is called what it is


def with_status(document: dict[str, Any], path: str, status: str) -> dict[str, Any]:
    copy = json.loads(json.dumps(document))
    target = copy["detail"]
    *parents, last = path.split(".")
    for step in parents:
        target = target[step]
    target[last] = status
    return copy


@pytest.mark.parametrize(
    ("fixture", "label"),
    [
        # a source action's summary is the commit's message
        ("codepipeline-action-execution-state-change-succeeded-source", "Commit message"),
        ("sagemaker-transform-job-state-change", "Failure reason"),  # an odd status
        ("cloudwatch-alarm-state-change-single-metric", "Reason"),  # any alarm state's reason
    ],
)
def test_what_a_non_failure_shows_is_labelled_by_what_it_is(fixture: str, label: str) -> None:
    event = only(load(fixture))
    assert event.reason is not None
    assert event.reason_label == label


def test_a_failure_shows_its_reason() -> None:
    document = with_status(
        load("codepipeline-action-execution-state-change-succeeded-source"), "state", "FAILED"
    )
    assert only(document).reason_label == "Reason"


def test_a_non_source_actions_summary_is_a_summary() -> None:
    document = load("codepipeline-action-execution-state-change-succeeded-source")
    document["detail"]["type"] = {"category": "Build", "provider": "CodeBuild"}
    assert only(document).reason_label == "Summary"
    document["detail"]["type"] = {"category": "Source", "provider": "S3"}
    assert only(document).reason_label == "Summary"
