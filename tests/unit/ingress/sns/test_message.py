"""Reading an SNS post strictly, and the exact bytes SNS signs for each message type."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bot.ingress.sns.errors import Malformed, TooLarge
from bot.ingress.sns.message import MAX_BODY, parse_message, string_to_sign
from tests.fakes.sns_signing import TOKEN, TOPIC, SnsSigner, body


def test_notification_string_to_sign_follows_the_documented_order(signer: SnsSigner) -> None:
    document = signer.notification("hello", subject="Hi", message_id="m-1")
    message = parse_message(body(document))
    assert (
        string_to_sign(message)
        == (
            "Message\nhello\nMessageId\nm-1\nSubject\nHi\n"
            f"Timestamp\n{document['Timestamp']}\nTopicArn\n{TOPIC}\nType\nNotification\n"
        ).encode()
    )


@pytest.mark.parametrize("subject", [None, "absent"])
def test_a_missing_or_null_subject_is_left_out(signer: SnsSigner, subject: str | None) -> None:
    document = signer.notification("hello", message_id="m-1")
    if subject is None:
        document["Subject"] = None
    signed = string_to_sign(parse_message(body(document)))
    assert b"Subject" not in signed
    assert signed.startswith(b"Message\nhello\nMessageId\nm-1\nTimestamp\n")


@pytest.mark.parametrize("kind", ["SubscriptionConfirmation", "UnsubscribeConfirmation"])
def test_confirmation_string_to_sign(signer: SnsSigner, kind: str) -> None:
    document = signer.confirmation(kind)
    signed = string_to_sign(parse_message(body(document))).decode()
    keys = signed.splitlines()[::2]
    assert keys == [
        "Message",
        "MessageId",
        "SubscribeURL",
        "Timestamp",
        "Token",
        "TopicArn",
        "Type",
    ]
    assert f"Token\n{TOKEN}\n" in signed
    assert signed.endswith(f"Type\n{kind}\n")


def test_unicode_and_control_characters_are_signed_as_their_characters(
    signer: SnsSigner,
) -> None:
    document = signer.notification('line one\nline "two" \u00e9 \U0001f680 <!channel>')
    message = parse_message(body(document))
    assert 'line one\nline "two" é 🚀 <!channel>\n'.encode() in string_to_sign(message)


def test_a_lone_surrogate_does_not_raise(signer: SnsSigner) -> None:
    raw = body(signer.notification("x")).replace(b'"Message": "x"', b'"Message": "\\ud800"')
    assert b"\xed\xa0\x80" in string_to_sign(parse_message(raw))


def test_timestamp_is_read_as_utc(signer: SnsSigner) -> None:
    document = signer.notification("x")
    document["Timestamp"] = "2026-11-25T02:59:58.5Z"
    assert parse_message(body(document)).timestamp == datetime(
        2026, 11, 25, 2, 59, 58, 500000, tzinfo=UTC
    )


def test_missing_envelope_fields_are_left_to_verification(signer: SnsSigner) -> None:
    document = signer.notification("x")
    del document["Signature"], document["SigningCertURL"]
    document["SignatureVersion"] = 1
    message = parse_message(body(document))
    assert message.fields["Signature"] == message.fields["SignatureVersion"] == ""


# A1 and A2 at the parser: every malformed body is a Malformed with its reason, never a crash.
MALFORMED = [
    (b"", "empty"),
    (b"  \n\t ", "empty"),
    (b"not json at all", "not_json"),
    (b'{"Type": "Notification",', "not_json"),
    (b"\xff\xfe\x00{", "not_utf8"),
    ('{"Type": "Notification", "Message": "caf\u00e9"}'.encode("latin-1"), "not_utf8"),
    (b"[" * 100_000, "not_json"),
    (b"1" * 5000, "not_json"),
    (b"[1, 2]", "not_object"),
    (b'"Notification"', "not_object"),
    (b"null", "not_object"),
    (b"{}", "no_type"),
    (b'{"Message": "x"}', "no_type"),
    (b'{"Type": "Subscribe"}', "unknown_type"),
    (b'{"Type": "notification"}', "unknown_type"),
    (b'{"Type": 7}', "unknown_type"),
    (b'{"Type": ["Notification"]}', "unknown_type"),
    (b'{"Type": "Notification"}', "bad_field"),
]


@pytest.mark.parametrize(("raw", "reason"), MALFORMED)
def test_malformed_bodies(raw: bytes, reason: str) -> None:
    with pytest.raises(Malformed) as caught:
        parse_message(raw)
    assert caught.value.reason == reason
    assert caught.value.status == 400


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("Message", None),
        ("Message", 42),
        ("MessageId", {"id": 1}),
        ("TopicArn", None),
        ("Timestamp", 1764039600),
        ("Timestamp", "2026-11-25 03:00:00"),
        ("Timestamp", "2026-11-25T03:00:00"),
        ("Timestamp", "2026-13-25T03:00:00.000Z"),
        ("Timestamp", "2026-11-25T03:00:00.000+00:00"),
        ("Timestamp", "yesterday"),
        ("Subject", 3),
    ],
)
def test_signed_fields_of_the_wrong_type_or_shape(
    signer: SnsSigner, field: str, value: object
) -> None:
    document = signer.notification("x", subject="s")
    document[field] = value
    with pytest.raises(Malformed) as caught:
        parse_message(body(document))
    assert caught.value.reason == "bad_field"


@pytest.mark.parametrize("field", ["Token", "SubscribeURL"])
def test_a_confirmation_needs_its_token_and_url(signer: SnsSigner, field: str) -> None:
    document = signer.confirmation()
    del document[field]
    with pytest.raises(Malformed, match=field):
        parse_message(body(document))


def test_ten_megabytes_is_too_large_unparsed() -> None:
    raw = json.dumps({"Type": "Notification", "Message": "x" * 10_000_000}).encode()
    with pytest.raises(TooLarge) as caught:
        parse_message(raw)
    assert caught.value.status == 413
    assert len(raw) > MAX_BODY
