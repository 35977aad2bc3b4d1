"""An SNS HTTP(S) post read strictly: the body, its message type, and the string SNS signed.

SNS posts a JSON object as `text/plain`. Each message type signs a fixed list of fields,
each written as `key\\nvalue\\n`, in this order (an absent `Subject` is left out):

    Notification                      Message, MessageId, Subject, Timestamp, TopicArn, Type
    SubscriptionConfirmation and
    UnsubscribeConfirmation           Message, MessageId, SubscribeURL, Timestamp, Token,
                                      TopicArn, Type

Everything here is pure: bytes in, `SnsMessage` or `Malformed` out.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeGuard

from bot.ingress.sns.errors import Malformed, TooLarge

# SNS messages are at most 256 KiB; JSON escaping inside the envelope can double or triple
# that (quotes, `\uXXXX`), so the envelope is allowed 1 MiB.
MAX_BODY = 1024 * 1024

NOTIFICATION = "Notification"
SUBSCRIPTION_CONFIRMATION = "SubscriptionConfirmation"
UNSUBSCRIBE_CONFIRMATION = "UnsubscribeConfirmation"

_SIGNED: dict[str, tuple[str, ...]] = {
    NOTIFICATION: ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"),
    SUBSCRIPTION_CONFIRMATION: (
        "Message",
        "MessageId",
        "SubscribeURL",
        "Timestamp",
        "Token",
        "TopicArn",
        "Type",
    ),
}
_SIGNED[UNSUBSCRIBE_CONFIRMATION] = _SIGNED[SUBSCRIPTION_CONFIRMATION]
_OPTIONAL = frozenset({"Subject"})
_ENVELOPE = ("Signature", "SignatureVersion", "SigningCertURL")
# SNS writes `2012-05-02T00:54:06.655Z`; nothing looser is accepted.
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z")


@dataclass(frozen=True)
class SnsMessage:
    type: str
    fields: dict[str, str]  # the signed fields present; the envelope's ("" when absent)
    timestamp: datetime
    document: dict[str, Any]  # the whole parsed body, for ingest

    @property
    def topic_arn(self) -> str:
        return self.fields["TopicArn"]

    @property
    def message_id(self) -> str:
        return self.fields["MessageId"]


def is_known_type(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and value in _SIGNED


def parse_message(body: bytes) -> SnsMessage:
    """The post's body as an `SnsMessage`; `Malformed` (400) or `TooLarge` (413) if not."""
    if len(body) > MAX_BODY:
        raise TooLarge("too_large", f"body of {len(body)} bytes (limit {MAX_BODY})")
    if not body.strip():
        raise Malformed("empty", "empty body")
    try:
        document = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise Malformed("not_utf8", "body is not UTF-8") from None
    except (ValueError, RecursionError):  # RecursionError: `[[[[...` nested too deep
        raise Malformed("not_json", "body is not JSON") from None
    if not isinstance(document, dict):
        raise Malformed("not_object", "body is JSON but not an object")
    kind = document.get("Type")
    if kind is None:
        raise Malformed("no_type", "no Type field")
    if not is_known_type(kind):
        raise Malformed("unknown_type", f"unknown Type {str(kind)[:40]!r}")
    fields: dict[str, str] = {}
    for key in _ENVELOPE:
        # Unsigned or oddly signed is a matter for verification (403), not a format error.
        value = document.get(key)
        fields[key] = value if isinstance(value, str) else ""
    for key in _SIGNED[kind]:
        value = document.get(key)
        if value is None and key in _OPTIONAL:
            continue
        if not isinstance(value, str):
            problem = "missing" if value is None else "not a string"
            raise Malformed("bad_field", f"{kind}: field {key} is {problem}")
        fields[key] = value
    return SnsMessage(kind, fields, _timestamp(fields["Timestamp"]), document)


def string_to_sign(message: SnsMessage) -> bytes:
    """The bytes SNS signed for this message (UTF-8 of `key\\nvalue\\n` per signed field)."""
    parts = []
    for key in _SIGNED[message.type]:
        if key in message.fields:
            parts.append(f"{key}\n{message.fields[key]}\n")
    # A forged lone surrogate (`"\\ud800"`) must fail verification, not raise.
    return "".join(parts).encode("utf-8", errors="surrogatepass")


def _timestamp(text: str) -> datetime:
    if not _TIMESTAMP.fullmatch(text):
        raise Malformed("bad_field", f"Timestamp {text[:40]!r} is not ISO 8601 UTC")
    try:
        return datetime.fromisoformat(text[:-1]).replace(tzinfo=UTC)
    except ValueError:  # e.g. month 13
        raise Malformed("bad_field", f"Timestamp {text[:40]!r} is not a date") from None
