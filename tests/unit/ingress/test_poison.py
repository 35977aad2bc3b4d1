"""Issue 13, item 1 at the reader: JSON may carry what UTF-8 storage and Slack refuse (a lone
surrogate escape `"\\ud800"`, NUL, non-characters) in any kept field, in any envelope. Every
document is scrubbed where reading starts, so the event is stored and posted like any other,
with U+FFFD where the bad code point was."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic_core import PydanticSerializationError

from bot.config.models import Config
from bot.core.clock import FakeClock
from bot.core.events import Event, Kind
from bot.ingress.ingest import events_from, events_from_text, parse_document
from bot.intake.accept import Pipeline
from bot.intake.routing import route
from bot.ops.telemetry import Metrics
from bot.store.sqlite.store import SqliteStore
from notifiers.render import render_alert
from tests.conftest import FIXTURES

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
LONE = "\ud800"
BAD = {"lone surrogate": "\ud800", "NUL": "\x00", "non-character": "\ufdd0", "U+FFFF": "\uffff"}


def fixture(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return loaded


def processing_job(field: str, bad: str) -> dict[str, Any]:
    document = fixture("sagemaker-processing-job-state-change-failed.json")
    if field in ("id", "detail-type"):
        document[field] = f"{document[field]}{bad}"
    else:
        document["detail"][field] = f"{document['detail'].get(field, '')}{bad}"
    return document


def classic_alarm(bad: str) -> dict[str, Any]:
    document = fixture("cloudwatch-alarm-sns-message-single-metric.json")
    document["AlarmName"] = f"cpu-high{bad}"
    return document


def eventbridge_alarm(bad: str) -> dict[str, Any]:
    document = fixture("cloudwatch-alarm-state-change-single-metric.json")
    document["detail"]["alarmName"] = f"ServerCpuTooHigh{bad}"
    return document


# The kept fields the issue measured: name, failure reason, detail-type, id, alarm name.
POISONED: dict[str, tuple[Callable[[str], dict[str, Any]], Callable[[Event], str | None]]] = {
    "name": (lambda bad: processing_job("ProcessingJobName", bad), lambda e: e.name),
    "failure reason": (lambda bad: processing_job("FailureReason", bad), lambda e: e.reason),
    "detail-type": (lambda bad: processing_job("detail-type", bad), lambda e: e.detail_type),
    "id": (lambda bad: processing_job("id", bad), lambda e: e.id),
    "classic alarm name": (classic_alarm, lambda e: e.name),
    "EventBridge alarm name": (eventbridge_alarm, lambda e: e.name),
}


def as_sent(document: dict[str, Any]) -> str:
    """The document as JSON text: a lone surrogate goes out as the escape `\\ud800`."""
    return json.dumps(document)


def in_sns(document: dict[str, Any]) -> str:
    """SNS to SQS without raw delivery: the event is a JSON string inside the envelope, so the
    escape only becomes a surrogate at the second parse."""
    return json.dumps({"Type": "Notification", "MessageId": "m-1", "Message": as_sent(document)})


def in_lambda_sqs(document: dict[str, Any]) -> str:
    return json.dumps({"Records": [{"messageId": "q-1", "body": in_sns(document)}]})


ENVELOPES: dict[str, Callable[[dict[str, Any]], list[Event]]] = {
    "raw": lambda d: events_from_text(as_sent(d), NOW),
    "sns": lambda d: events_from_text(in_sns(d), NOW),
    "lambda sqs": lambda d: events_from_text(in_lambda_sqs(d), NOW),
    "file": lambda d: [e for doc in parse_document(as_sent(d)) for e in events_from(doc, NOW)],
    "parsed": lambda d: events_from(d, NOW),
}


def stored_and_rendered(events: list[Event], store: SqliteStore) -> None:
    """What failed before: the store serialises the event, Slack gets its payload."""
    pipeline = Pipeline(Config(), store, FakeClock(NOW), Metrics())
    assert pipeline.submit(events).accepted == len(events)
    for event in events:
        json.dumps(render_alert(event, route(event, Config())), ensure_ascii=False).encode()
    assert [item.event for item in store.due(NOW, 100)] == events


def test_the_premise_an_event_holding_a_lone_surrogate_cannot_be_serialised() -> None:
    (event,) = events_from(processing_job("ProcessingJobName", ""), NOW)
    poisoned = event.model_copy(update={"name": LONE})
    with pytest.raises(PydanticSerializationError, match="surrogates not allowed"):
        poisoned.model_dump_json()


@pytest.mark.parametrize("envelope", ENVELOPES)
@pytest.mark.parametrize("field", POISONED)
def test_a_lone_surrogate_in_a_kept_field_is_replaced_in_every_envelope(
    field: str, envelope: str, store: SqliteStore
) -> None:
    make, kept = POISONED[field]
    (event,) = ENVELOPES[envelope](make(LONE))
    value = kept(event)
    assert value is not None and value.endswith("\ufffd"), value
    if field != "detail-type":  # the detail-type says what kind it is; mangled, it is generic
        assert event.kind != Kind.UNKNOWN
    stored_and_rendered([event], store)


@pytest.mark.parametrize("bad", BAD.values(), ids=BAD.keys())
def test_every_unstorable_class_in_a_name_is_made_storable(bad: str, store: SqliteStore) -> None:
    (event,) = events_from_text(as_sent(processing_job("ProcessingJobName", bad)), NOW)
    event.model_dump_json().encode("utf-8")
    assert bad not in event.name
    stored_and_rendered([event], store)


def test_keys_are_scrubbed_too(store: SqliteStore) -> None:
    document = processing_job("ProcessingJobName", "")
    document["detail"]["Tags"] = {f"team{LONE}": f"ml{LONE}", "owner\x00": "ana"}
    (event,) = events_from_text(as_sent(document), NOW)
    assert event.tags == {"team\ufffd": "ml\ufffd", "owner": "ana"}
    stored_and_rendered([event], store)


def test_an_unknown_event_full_of_bad_code_points_is_shown_generically(
    store: SqliteStore,
) -> None:
    document = {f"k{LONE}": [f"v{LONE}", {"\x00": "\uffff"}], "detail-type": LONE, "source": LONE}
    (event,) = events_from_text(as_sent(document), NOW)
    assert event.kind == Kind.UNKNOWN and event.detail_type == "\ufffd"
    stored_and_rendered([event], store)


@pytest.mark.parametrize(
    "body",
    ["plain text \x00 with NUL", "non-character \ufdd0\U0001ffff", f"lone {LONE} surrogate"],
)
def test_a_text_body_is_scrubbed_too(body: str, store: SqliteStore) -> None:
    (event,) = events_from_text(body, NOW)
    assert event.title == "Message" and event.reason is not None
    event.reason.encode("utf-8")
    stored_and_rendered([event], store)


def test_an_sns_message_that_is_text_with_a_lone_surrogate_is_a_text_alert(
    store: SqliteStore,
) -> None:
    envelope = {"Type": "Notification", "MessageId": "m-2", "Message": f"disk {LONE} full"}
    (event,) = events_from_text(json.dumps(envelope), NOW)
    assert event.reason == "disk \ufffd full"
    stored_and_rendered([event], store)
