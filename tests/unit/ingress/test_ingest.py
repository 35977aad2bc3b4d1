"""bot.ingress.ingest: every envelope unwrapped into normalized events."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.core.errors import InputError, UserError
from bot.core.events import Event, Kind, Outcome
from bot.ingress.ingest import (
    events_from,
    events_from_text,
    is_alarm_action,
    is_classic_alarm,
    is_eventbridge,
    is_records_batch,
    is_sns_control,
    is_sns_notification,
    is_sqs_message,
    parse_document,
)
from bot.ingress.normalize import Origin
from tests.conftest import FIXTURES

RECEIVED = datetime(2026, 1, 1, tzinfo=UTC)
LATER = RECEIVED + timedelta(minutes=7)
TOPIC = "arn:aws:sns:us-east-1:123456789012:ml-events"


def load(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def training() -> dict[str, Any]:
    event: dict[str, Any] = load("sagemaker-training-job-state-change-completed")
    return event


def one(document: Any, received: datetime = RECEIVED) -> Event:
    events = events_from(document, received)
    assert len(events) == 1, events
    return events[0]


def sns(message: Any, message_id: str = "sns-msg-1", subject: str | None = None) -> dict[str, Any]:
    envelope: dict[str, Any] = {
        "Type": "Notification",
        "MessageId": message_id,
        "TopicArn": TOPIC,
        "Message": message if isinstance(message, str) else json.dumps(message),
        "Timestamp": "2026-01-01T00:00:00.000Z",
        "SignatureVersion": "1",
        "Signature": "EXAMPLE",
    }
    if subject is not None:
        envelope["Subject"] = subject
    return envelope


def sqs(body: Any, message_id: str) -> dict[str, Any]:
    """A message as boto3's ReceiveMessage or a Lambda SQS record gives it."""
    return {
        "messageId": message_id,
        "receiptHandle": f"handle-{message_id}",
        "body": body if isinstance(body, str) else json.dumps(body),
        "attributes": {"ApproximateReceiveCount": "1"},
        "eventSource": "aws:sqs",
    }


# --- Envelopes


def test_eventbridge_event() -> None:
    event = one(training())
    assert event.kind == Kind.TRAINING_JOB
    assert event.envelope == "eventbridge"
    assert event.id == training()["id"]
    assert event.name == "89c96cc8-dded-4739-afcc-6f1dc936701d"
    assert event.status == "Completed"
    assert event.outcome == Outcome.SUCCEEDED
    assert (event.account, event.region) == ("123456789012", "us-east-1")
    assert event.key == "training_job:123456789012:us-east-1:89c96cc8-dded-4739-afcc-6f1dc936701d"


def test_sns_notification_with_json_message() -> None:
    event = one(sns(training()))
    assert event.kind == Kind.TRAINING_JOB
    assert event.envelope == "sns/eventbridge"
    assert event.status == "Completed"


def test_sns_notification_with_text_message_is_a_plain_text_event() -> None:
    event = one(sns("Disk almost full on host-7", subject="Ops notice"))
    assert event.kind == Kind.UNKNOWN
    assert event.title == "Message"
    assert event.name == "Ops notice"
    assert event.reason == "Disk almost full on host-7"
    assert event.outcome == Outcome.UNKNOWN
    assert event.id == "sns-msg-1"
    assert event.envelope == "sns"
    assert event.source == TOPIC


def test_sns_text_message_without_subject_is_named_after_its_topic() -> None:
    event = one(sns("hello"))
    assert event.name == "ml-events"


@pytest.mark.parametrize("message", ["", "   ", "42", '"a json string"', "null", "true"])
def test_sns_message_that_is_not_an_object_is_shown_as_text(message: str) -> None:
    event = one(sns(message))
    assert event.kind == Kind.UNKNOWN
    assert event.reason  # never empty: "(empty message)" at worst


@pytest.mark.parametrize("message", ["[]", "[[]]", "{}"])
def test_sns_message_holding_no_event_is_still_shown(message: str) -> None:
    (event,) = events_from(sns(message), RECEIVED)
    assert event.kind == Kind.UNKNOWN
    assert event.id == "sns-msg-1"


@pytest.mark.parametrize("body", ["[]", "[[], []]", [], {}])
def test_sqs_body_holding_no_event_is_still_shown(body: Any) -> None:
    message = sqs("", "sqs-1")
    message["body"] = body
    (event,) = events_from(message, RECEIVED)
    assert event.kind == Kind.UNKNOWN
    assert event.id == "sqs-1"


def test_sns_message_holding_a_json_array_yields_each_event() -> None:
    second = copy.deepcopy(training())
    second["id"] = "another-id"
    second["detail"]["TrainingJobStatus"] = "Failed"
    events = events_from(sns([training(), second]), RECEIVED)
    assert [e.status for e in events] == ["Completed", "Failed"]


def test_sns_in_sqs_body() -> None:
    event = one(sqs(sns(training()), "sqs-1"))
    assert event.kind == Kind.TRAINING_JOB
    assert event.envelope == "sqs/sns/eventbridge"


def test_sqs_body_with_raw_delivery_holds_the_event_itself() -> None:
    event = one(sqs(training(), "sqs-1"))
    assert event.kind == Kind.TRAINING_JOB
    assert event.envelope == "sqs/eventbridge"


def test_sqs_body_already_parsed_as_dict() -> None:
    message = sqs(training(), "sqs-1")
    message["body"] = training()
    assert one(message).kind == Kind.TRAINING_JOB


def test_sqs_body_that_is_not_json_is_a_text_event() -> None:
    event = one(sqs("plain words, not JSON", "sqs-9"))
    assert event.kind == Kind.UNKNOWN
    assert event.reason == "plain words, not JSON"
    assert event.id == "sqs-9"
    assert event.envelope == "sqs/text"


def test_sqs_message_as_boto3_receive_message_spells_it() -> None:
    """boto3's ReceiveMessage capitalises the keys: `MessageId`, `Body`."""
    message = {"MessageId": "sqs-1", "ReceiptHandle": "h", "body": json.dumps(training())}
    assert one(message).kind == Kind.TRAINING_JOB


def test_lambda_sns_records_batch() -> None:
    events = events_from(load("cloudwatch-alarm-sns-lambda-event-single-metric"), RECEIVED)
    assert [e.kind for e in events] == [Kind.ALARM]
    assert events[0].envelope == "sns/alarm"
    assert events[0].id == "95df01b4-ee98-5cb9-9903-4c221d41eb5e"


def test_lambda_sqs_records_batch_with_sns_bodies() -> None:
    first, second = copy.deepcopy(training()), copy.deepcopy(training())
    second["id"] = "second-id"
    second["detail"]["TrainingJobStatus"] = "Failed"
    batch = {
        "Records": [
            sqs(sns(first, "sns-a"), "sqs-a"),
            sqs(sns(second, "sns-b"), "sqs-b"),
            sqs("not json at all", "sqs-c"),
        ]
    }
    events = events_from(batch, RECEIVED)
    assert [(e.kind, e.status) for e in events] == [
        (Kind.TRAINING_JOB, "Completed"),
        (Kind.TRAINING_JOB, "Failed"),
        (Kind.UNKNOWN, "received"),
    ]
    assert [e.envelope for e in events] == ["sqs/sns/eventbridge"] * 2 + ["sqs/text"]


def test_published_lambda_sqs_sample() -> None:
    event = one(load("sqs-lambda-event-with-sns-envelope-body"))
    assert event.envelope == "sqs/sns/json"
    assert event.id == "d88d4479-6ec0-54fe-b63f-1cf9df4bb16e"  # the SNS id, not the SQS one


def test_records_batch_with_garbage_records_never_raises() -> None:
    events = events_from({"Records": [None, 3, "x", {}, {"Sns": None}]}, RECEIVED)
    assert len(events) == 5
    assert all(e.kind == Kind.UNKNOWN for e in events)
    assert events_from({"Records": [[]]}, RECEIVED) == []  # an empty list holds no event


def test_sqs_redelivery_of_a_text_message_is_one_event() -> None:
    """After a visibility timeout SQS delivers the same message (same id) again, later."""
    message = sqs("disk full", "sqs-1")
    assert one(message, RECEIVED).dedup_ids == one(copy.deepcopy(message), LATER).dedup_ids


def test_classic_cloudwatch_alarm() -> None:
    event = one(load("cloudwatch-alarm-sns-message-single-metric"))
    assert event.kind == Kind.ALARM
    assert event.envelope == "alarm"
    assert event.name == "EXAMPLE"
    assert event.status == "ALARM"
    assert event.previous_status == "INSUFFICIENT_DATA"
    assert event.outcome == Outcome.FAILED
    assert event.reason and event.reason.startswith("Threshold Crossed")
    assert event.time == datetime(2015, 6, 3, 17, 43, 27, 123000, tzinfo=UTC)
    assert event.time_known
    metric = next(f for f in event.facts if f.label == "Metric")
    assert "AWS/EC2 NetworkOut [InstanceId=TestInstance]" in metric.value


def test_classic_alarm_region_and_account_from_its_arn() -> None:
    alarm = load("cloudwatch-alarm-sns-message-real-world")
    alarm["AlarmArn"] = "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:DBMigrationRequired"
    event = one(alarm)
    assert (event.account, event.region) == ("123456789012", "eu-west-1")
    assert event.key == "alarm:123456789012:eu-west-1:DBMigrationRequired"
    assert event.outcome == Outcome.SUCCEEDED  # OK


def test_classic_alarm_with_wrong_trigger_type() -> None:
    alarm = load("cloudwatch-alarm-sns-message-single-metric")
    alarm["Trigger"] = "not an object"
    assert one(alarm).kind == Kind.ALARM


def test_alarm_lambda_action_payload() -> None:
    event = one(load("cloudwatch-alarm-lambda-action-single-metric"))
    assert event.kind == Kind.ALARM
    assert event.envelope == "alarm-action"
    assert event.name == "Test alert"
    assert (event.status, event.previous_status) == ("ALARM", "OK")
    assert (event.account, event.region) == ("123456789012", "eu-west-1")


def test_eventbridge_alarm_state_change() -> None:
    event = one(load("cloudwatch-alarm-state-change-single-metric"))
    assert event.kind == Kind.ALARM
    assert event.envelope == "eventbridge"
    assert event.name == "ServerCpuTooHigh"


def test_codestar_notification_detail_type_form() -> None:
    document = load("codepipeline-pipeline-execution-state-change-failed-notification-processed")
    assert "detailType" in document and "detail-type" not in document
    event = one(document)
    assert event.kind == Kind.CODEPIPELINE
    assert event.detail_type == "CodePipeline Pipeline Execution State Change"
    assert event.status == "FAILED"
    assert event.key == (
        "codepipeline:123456789012:us-west-2:myPipeline/12345678-1234-5678-abcd-12345678abcd"
    )
    facts = {f.label: f.value for f in event.facts}
    assert facts["Failed stage"] == "Deploy"
    assert "Failed actions" not in facts  # what failed is the reason, shown as such
    assert event.reason == "Deploy: Deployment <ID> failed"


def test_sns_subscription_confirmation_is_shown_not_confirmed() -> None:
    event = one(load("sns-http-subscription-confirmation"))
    assert event.kind == Kind.UNKNOWN
    assert event.reason and "SubscriptionConfirmation" in event.reason


def test_other_json_object_is_shown_generically() -> None:
    event = one({"jobName": "nightly-etl", "jobStatus": "FAILED", "extra": {"a": 1}})
    assert event.kind == Kind.UNKNOWN
    assert event.envelope == "json"
    assert (event.name, event.status, event.outcome) == ("nightly-etl", "FAILED", Outcome.FAILED)


@pytest.mark.parametrize("scalar", [None, 0, 1.5, True, "text"])
def test_scalar_documents_become_text_events(scalar: Any) -> None:
    assert one(scalar).kind == Kind.UNKNOWN


def test_deep_nesting_stops_with_a_visible_event() -> None:
    document: Any = training()
    for _ in range(20):
        document = [document]
    event = one(document)
    assert event.kind == Kind.UNKNOWN
    assert event.name == "Too deeply nested"


def test_events_from_text() -> None:
    assert events_from_text(json.dumps(training()), RECEIVED)[0].kind == Kind.TRAINING_JOB
    (text,) = events_from_text("{broken json", RECEIVED)
    assert text.kind == Kind.UNKNOWN and text.reason == "{broken json"


# --- Predicates


def test_predicates_classify_by_shape() -> None:
    assert is_records_batch({"Records": []})
    assert not is_records_batch({"Records": "x"})
    assert is_sns_notification(sns("x"))
    assert not is_sns_notification({"Type": "Notification"})
    assert is_sns_control(load("sns-http-unsubscribe-confirmation"))
    assert is_sqs_message(sqs("x", "1"))
    assert not is_sqs_message({"body": "x"})
    assert is_eventbridge(training())
    assert is_eventbridge({"source": "aws.codepipeline", "detailType": "X"})
    assert is_alarm_action(load("cloudwatch-alarm-lambda-action-composite"))
    assert is_classic_alarm(load("cloudwatch-alarm-sns-message-real-world"))
    assert not is_classic_alarm(training())


# --- Identity and duplicates


def test_eventbridge_id_is_preferred_to_the_sns_message_id() -> None:
    event = one(sns(training(), "sns-xyz"))
    assert event.id == training()["id"]


def test_sns_message_id_is_used_when_the_event_has_no_id() -> None:
    alarm = load("cloudwatch-alarm-sns-message-single-metric")
    assert one(sns(alarm, "sns-xyz")).id == "sns-xyz"


def test_event_without_any_id_gets_a_stable_content_hash() -> None:
    alarm = load("cloudwatch-alarm-sns-message-single-metric")
    first, second = one(alarm).id, one(copy.deepcopy(alarm), LATER).id
    assert first == second and first.startswith("sha256:")


@pytest.mark.parametrize(
    "message",
    [
        pytest.param(training(), id="eventbridge"),
        pytest.param(load("cloudwatch-alarm-sns-message-single-metric"), id="classic-alarm"),
        pytest.param("plain text, no time of its own", id="text"),
        pytest.param({"hello": "world"}, id="json-without-time"),
    ],
)
def test_one_sns_message_in_two_sqs_messages_is_one_event(message: Any) -> None:
    """SNS may hand the same message to SQS twice; each copy gets its own SQS id and is
    received at its own time, but they are one event."""
    envelope = sns(message, "sns-same")
    first = one(sqs(envelope, "sqs-first"), RECEIVED)
    second = one(sqs(copy.deepcopy(envelope), "sqs-second"), LATER)
    assert first.id == second.id
    assert first.dedup_ids == second.dedup_ids


def test_the_same_sns_message_id_through_lambda_and_http_is_one_event() -> None:
    envelope = sns("a text alert", "sns-same")
    over_http = one(envelope, RECEIVED)
    through_lambda = one({"Records": [{"EventSource": "aws:sns", "Sns": envelope}]}, LATER)
    assert over_http.dedup_ids == through_lambda.dedup_ids


def test_different_sns_messages_are_different_events() -> None:
    first = one(sns("same text", "sns-1"))
    second = one(sns("same text", "sns-2"))
    assert set(first.dedup_ids).isdisjoint(second.dedup_ids)


def test_consumer_origin_message_id_is_overridden_by_the_inner_sns_id() -> None:
    body = json.dumps(sns("text alert", "sns-inner"))
    (event,) = events_from_text(body, RECEIVED, Origin(envelope="sqs", message_id="sqs-outer"))
    assert event.id == "sns-inner"
    assert event.envelope == "sqs/sns"


def test_two_states_of_one_resource_are_different_events() -> None:
    failed = copy.deepcopy(training())
    failed["detail"]["TrainingJobStatus"] = "Failed"
    completed = one(training())
    failed_event = one(failed)
    assert completed.key == failed_event.key
    assert set(completed.dedup_ids).isdisjoint(failed_event.dedup_ids)


# --- Model Monitor executions


def monitoring_execution(exit_message: str | None, status: str = "Completed") -> dict[str, Any]:
    event: dict[str, Any] = load("sagemaker-processing-job-state-change-failed")
    body = event["detail"]
    body["ProcessingJobName"] = "model-monitoring-202601010000-abc"
    body["ProcessingJobStatus"] = status
    body.pop("FailureReason")
    if exit_message is not None:
        body["ExitMessage"] = exit_message
    body["Environment"] = {
        "sagemaker_monitoring_schedule_name": "churn-data-quality",
        "sagemaker_endpoint_name": "churn-endpoint",
        "output_path": "s3://bucket/monitoring/churn",
    }
    return event


def test_monitoring_execution_with_violations() -> None:
    event = one(
        monitoring_execution(
            "CompletedWithViolations: Job completed successfully with 3 violations."
        )
    )
    assert event.kind == Kind.MODEL_MONITOR
    assert event.status == "CompletedWithViolations"
    assert event.outcome == Outcome.DEGRADED
    assert event.name == "churn-data-quality"
    assert event.key == "model_monitor:123456789012:us-east-1:churn-data-quality"
    assert event.reason and "3 violations" in event.reason
    facts = {f.label: f.value for f in event.facts}
    assert facts["Endpoint"] == "churn-endpoint"
    assert facts["Execution"] == "model-monitoring-202601010000-abc"


def test_monitoring_execution_without_violations() -> None:
    event = one(monitoring_execution("Completed: Job completed successfully with no violations."))
    assert event.kind == Kind.MODEL_MONITOR
    assert (event.status, event.outcome) == ("Completed", Outcome.SUCCEEDED)


def test_monitoring_execution_that_failed() -> None:
    event = one(monitoring_execution(None, status="Failed"))
    assert (event.kind, event.outcome) == (Kind.MODEL_MONITOR, Outcome.FAILED)


def test_monitoring_execution_recognised_by_schedule_arn_or_image() -> None:
    by_arn = monitoring_execution(None)
    del by_arn["detail"]["Environment"]
    by_arn["detail"]["MonitoringScheduleArn"] = (
        "arn:aws:sagemaker:us-east-1:123456789012:monitoring-schedule/churn-model-quality"
    )
    event = one(by_arn)
    assert (event.kind, event.name) == (Kind.MODEL_MONITOR, "churn-model-quality")

    by_image = monitoring_execution(None)
    del by_image["detail"]["Environment"]
    by_image["detail"]["AppSpecification"]["ImageUri"] = (
        "156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer"
    )
    assert one(by_image).kind == Kind.MODEL_MONITOR


def test_ordinary_processing_job_is_not_a_monitor() -> None:
    assert one(load("sagemaker-processing-job-state-change-failed")).kind == Kind.PROCESSING_JOB


def test_monitoring_execution_inside_sns_inside_sqs() -> None:
    inner = monitoring_execution("CompletedWithViolations: 1 violation")
    event = one(sqs(sns(inner), "sqs-1"))
    assert (event.kind, event.status) == (Kind.MODEL_MONITOR, "CompletedWithViolations")


# --- parse_document


def test_parse_single_object() -> None:
    assert parse_document('{"a": 1}') == [{"a": 1}]


def test_parse_array() -> None:
    assert parse_document('[{"a": 1}, {"b": 2}]') == [{"a": 1}, {"b": 2}]


def test_parse_json_lines_skipping_blank_lines() -> None:
    assert parse_document('{"a": 1}\n\n{"b": 2}\r\n') == [{"a": 1}, {"b": 2}]


def test_parse_bytes_with_bad_utf8() -> None:
    assert parse_document(b'{"a": "x\xffy"}') == [{"a": "x\ufffdy"}]


def test_parse_fixture_through_to_events() -> None:
    text = (FIXTURES / "stepfunctions-execution-status-change-failed.json").read_text()
    lines = "\n".join(json.dumps(json.loads(text)) for _ in range(3))
    documents = parse_document(lines)
    assert len(documents) == 3
    assert all(one(d).kind == Kind.STEPFUNCTIONS for d in documents)


@pytest.mark.parametrize("data", ["", "   \n\t ", b""])
def test_parse_empty_input(data: str | bytes) -> None:
    with pytest.raises(InputError, match=r"events\.json is empty"):
        parse_document(data, "events.json")


@pytest.mark.parametrize("data", ["{not json", "hello", "{'single': 'quotes'}"])
def test_parse_not_json(data: str) -> None:
    with pytest.raises(InputError, match=r"^events\.json is not JSON: "):
        parse_document(data, "events.json")


def test_parse_bad_json_line_names_the_line() -> None:
    with pytest.raises(InputError, match=r"^events\.json, JSON line 2: "):
        parse_document('{"a": 1}\n{"b": \n{"c": 3}', "events.json")


def test_parse_errors_are_user_errors_without_chained_tracebacks() -> None:
    with pytest.raises(UserError) as caught:
        parse_document("{nope")
    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__
    assert str(caught.value).startswith("input is not JSON")
