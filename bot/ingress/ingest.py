"""Every envelope the platform's events arrive in, unwrapped into normalized `Event`s.

Accepted, detected by shape (pure `is_*` predicates, checked in order):
  Lambda-style `{"Records": [...]}` batches of SNS or SQS records;
  an SNS notification `{"Type": "Notification", "Message": "<json or text>"}`;
  an SNS subscription control message (shown, so someone confirms it);
  an SQS message `{"body": ..., "messageId": ...}` whose body is any of these;
  an EventBridge event (`detail-type`, or `detailType` from notification rules);
  a CloudWatch alarm's Lambda-action payload (`alarmData`);
  a classic CloudWatch alarm notification (`AlarmName`, `NewStateValue`);
  a CodePipeline manual approval notification (`approval`: bot.ingress.approval_shapes);
  (both alarm forms are put in the EventBridge alarm's shape by bot.ingress.alarm_shapes)
  and any other JSON object, shown generically.

Every document is scrubbed (`bot.core.text.scrub_json`) where reading starts, in
`events_from`, and so is the one document parsed inside another (an SNS Message): no lone
surrogate, NUL or non-character reaches an `Event`, the store or Slack.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from typing import Any

from bot.core.errors import InputError
from bot.core.events import Event
from bot.core.text import scrub_json
from bot.ingress.alarm_shapes import alarm_action_as_event, classic_alarm_as_event
from bot.ingress.approval_shapes import approval_as_event, is_codepipeline_approval
from bot.ingress.normalize import UNREADABLE, Origin, normalize, text_event
from bot.kinds.paths import Raw

log = logging.getLogger(__name__)
_MAX_DEPTH = 6


def parse_document(data: bytes | str, where: str = "input") -> list[Any]:
    """A JSON object, a JSON array, or JSON lines, as a list of documents."""
    body = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    stripped = body.strip()
    if not stripped:
        raise InputError(f"{where} is empty: expected a JSON event, array or JSON lines")
    try:
        document = json.loads(stripped)
    except RecursionError:
        raise InputError(f"{where} is nested too deeply to be an event") from None
    except ValueError as whole_error:
        lines = [line for line in stripped.splitlines() if line.strip()]
        if len(lines) < 2:
            raise InputError(f"{where} is not JSON: {whole_error}") from None
        documents = []
        for number, line in enumerate(lines, 1):
            try:
                documents.append(json.loads(line))
            except (ValueError, RecursionError) as error:
                raise InputError(f"{where}, JSON line {number}: {error}") from None
        return documents
    return document if isinstance(document, list) else [document]


def events_from(document: Any, received: datetime, origin: Origin | None = None) -> list[Event]:
    """All events inside one document, whatever envelopes wrap them. Never raises: a
    document whose shape defeats every reader is shown as text, not lost."""
    origin = origin or Origin(envelope="")
    document = scrub_json(document)
    try:
        return list(_unwrap(document, origin, received, 0))
    except Exception:
        log.warning("could not read an event; shown as text", exc_info=True)
        return [text_event(_preview(document), UNREADABLE, None, origin, received)]


def events_from_text(body: str, received: datetime, origin: Origin | None = None) -> list[Event]:
    """A message body from a queue or an HTTP post: JSON if it is JSON, text otherwise."""
    origin = origin or Origin(envelope="")
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        pass
    else:
        events = events_from(document, received, origin)
        if events:
            return events
    # Text, or JSON holding no event (`[]`): shown as it is, never dropped.
    return [text_event(body, None, None, _through(origin, "text"), received)]


def is_records_batch(obj: Raw) -> bool:
    return isinstance(obj.get("Records"), list)


def is_sns_notification(obj: Raw) -> bool:
    return obj.get("Type") == "Notification" and "Message" in obj


def is_sns_control(obj: Raw) -> bool:
    return obj.get("Type") in ("SubscriptionConfirmation", "UnsubscribeConfirmation")


def is_sqs_message(obj: Raw) -> bool:
    return "body" in obj and any(k in obj for k in ("messageId", "MessageId", "receiptHandle"))


def is_eventbridge(obj: Raw) -> bool:
    return "source" in obj and ("detail-type" in obj or "detailType" in obj)


def is_alarm_action(obj: Raw) -> bool:
    return obj.get("source") == "aws.cloudwatch" and isinstance(obj.get("alarmData"), dict)


def is_classic_alarm(obj: Raw) -> bool:
    return "AlarmName" in obj and "NewStateValue" in obj


def _unwrap(document: Any, origin: Origin, received: datetime, depth: int) -> Iterator[Event]:
    if depth > _MAX_DEPTH:
        yield text_event(_preview(document), "Too deeply nested", None, origin, received)
    elif isinstance(document, list):
        for item in document:
            yield from _unwrap(item, origin, received, depth + 1)
    elif not isinstance(document, dict):
        yield text_event(_preview(document), None, None, _through(origin, "text"), received)
    elif is_records_batch(document):
        for record in document["Records"]:
            inner = record.get("Sns", record) if isinstance(record, dict) else record
            yield from _unwrap(inner, origin, received, depth + 1)
    elif is_sns_notification(document):
        yield from _from_sns(document, origin, received, depth)
    elif is_sns_control(document):
        yield _sns_control_event(document, origin, received)
    elif is_sqs_message(document):
        sqs_origin = _through(origin, "sqs", text_or_none(document, "messageId"))
        body = document["body"]
        text = body if isinstance(body, str) else json.dumps(body, default=str)
        yield from events_from_text(text, received, sqs_origin)
    else:
        yield _from_event_object(document, origin, received)


def _from_sns(document: Raw, origin: Origin, received: datetime, depth: int) -> Iterator[Event]:
    sns_origin = _through(origin, "sns", text_or_none(document, "MessageId"))
    message = document.get("Message")
    try:
        inner = scrub_json(json.loads(message)) if isinstance(message, str) else message
    except (ValueError, RecursionError):
        inner = None
    inner_events = (
        list(_unwrap(inner, sns_origin, received, depth + 1))
        if isinstance(inner, dict | list)
        else []
    )
    if inner_events:
        yield from inner_events
    else:  # text, or JSON holding no event (`[]`): shown as it is, never dropped
        yield text_event(
            str(message) if message is not None else "",
            text_or_none(document, "Subject"),
            text_or_none(document, "TopicArn"),
            sns_origin,
            received,
            sent=document.get("Timestamp"),
        )


def _sns_control_event(document: Raw, origin: Origin, received: datetime) -> Event:
    topic = text_or_none(document, "TopicArn")
    kind = document.get("Type")
    message = (
        f"SNS sent a {kind} for topic {topic or '?'}. mlpulse confirms subscriptions only on "
        "its /sns endpoint for allow-listed topics; confirm this one in the SNS console if "
        "it is expected."
    )
    origin = _through(origin, "sns", text_or_none(document, "MessageId"))
    return text_event(message, f"SNS {kind}", topic, origin, received)


def _from_event_object(document: Raw, origin: Origin, received: datetime) -> Event:
    if is_alarm_action(document):
        event, envelope = alarm_action_as_event(document), "alarm-action"
    elif is_classic_alarm(document):
        event, envelope = classic_alarm_as_event(document), "alarm"
    elif is_codepipeline_approval(document):
        event, envelope = approval_as_event(document), "approval"
    elif is_eventbridge(document):
        event, envelope = dict(document), "eventbridge"
        event.setdefault("detail-type", document.get("detailType"))
    else:
        event, envelope = {"detail-type": None, "detail": document}, "json"
    return normalize(event, _through(origin, envelope), received)


def _through(origin: Origin, envelope: str, message_id: str | None = None) -> Origin:
    """One more envelope on the chain; the innermost message id wins, because SNS may hand
    one message to SQS twice, under two SQS ids but one SNS MessageId."""
    chain = f"{origin.envelope}/{envelope}" if origin.envelope else envelope
    return replace(origin, envelope=chain, message_id=message_id or origin.message_id)


def text_or_none(obj: Raw, key: str) -> str | None:
    value = obj.get(key)
    return value if isinstance(value, str) and value else None


def _preview(value: Any) -> str:
    try:
        return json.dumps(value, default=str)[:2000]
    except (ValueError, RecursionError):
        return repr(value)[:2000]
