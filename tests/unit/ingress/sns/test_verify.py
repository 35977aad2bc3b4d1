"""RELIABILITY A3, A4, A7, A9 at the verifier: both signature versions and all three message
types verify; anything changed, unsigned, foreign, stale or badly certified does not."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from bot.ingress.sns.certs import CertificateCache
from bot.ingress.sns.errors import Untrusted
from bot.ingress.sns.message import parse_message
from bot.ingress.sns.verify import CLOCK_SKEW, MAX_AGE, Verifier
from tests.fakes.sns_signing import (
    CERT_URL,
    FOREIGN_TOPIC,
    SECOND_TOPIC,
    TOPIC,
    FakeFetcher,
    SnsSigner,
    body,
    make_certificate,
    private_key,
)


def _verify(
    signer: SnsSigner, document: dict[str, Any], fetcher: FakeFetcher | None = None
) -> None:
    verifier = Verifier([TOPIC, SECOND_TOPIC], CertificateCache(fetcher or signer.fetcher()))
    verifier.verify(parse_message(body(document)), signer.now)


def _refused(signer: SnsSigner, document: dict[str, Any], reason: str) -> FakeFetcher:
    fetcher = signer.fetcher()
    with pytest.raises(Untrusted) as caught:
        _verify(signer, document, fetcher)
    assert caught.value.reason == reason
    assert caught.value.status == 403
    return fetcher


@pytest.mark.parametrize("version", ["1", "2"])
@pytest.mark.parametrize(
    "kind", ["Notification", "SubscriptionConfirmation", "UnsubscribeConfirmation"]
)
def test_both_versions_and_all_types_verify(signer: SnsSigner, version: str, kind: str) -> None:
    if kind == "Notification":
        _verify(signer, signer.notification({"a": 1}, subject="s", version=version))
        _verify(signer, signer.notification("plain text, no subject", version=version))
    else:
        _verify(signer, signer.confirmation(kind, version=version))


# A3
@pytest.mark.parametrize("version", ["3", "0", "", " 1", "1.0", "SHA256", 1, 2, None, "absent"])
def test_other_signature_versions_are_refused(signer: SnsSigner, version: object) -> None:
    document = signer.notification("x")
    if version == "absent":
        del document["SignatureVersion"]
    else:
        document["SignatureVersion"] = version
    fetcher = _refused(signer, document, "signature_version")
    assert fetcher.calls == []


def test_a_version_1_signature_presented_as_version_2(signer: SnsSigner) -> None:
    document = signer.notification("x", version="1")
    document["SignatureVersion"] = "2"
    _refused(signer, document, "signature")


# A4: one byte changed in any signed field
def _flip_last(value: str) -> str:
    return value[:-1] + chr(ord(value[-1]) ^ 1)


@pytest.mark.parametrize("version", ["1", "2"])
@pytest.mark.parametrize("field", ["Message", "MessageId", "Subject", "Timestamp", "TopicArn"])
def test_one_byte_changed_in_a_notification(signer: SnsSigner, version: str, field: str) -> None:
    document = signer.notification('{"detail": "x"}', subject="Training failed", version=version)
    if field == "TopicArn":
        document[field] = SECOND_TOPIC  # also allowed: the signature is what refuses it
    elif field == "Timestamp":
        document[field] = document[field].replace(".000Z", ".001Z")
    else:
        document[field] = _flip_last(document[field])
    _refused(signer, document, "signature")


@pytest.mark.parametrize("change", ["add", "remove"])
def test_a_subject_added_or_removed(signer: SnsSigner, change: str) -> None:
    if change == "add":
        document = signer.notification("x")
        document["Subject"] = "x"
    else:
        document = signer.notification("x", subject="x")
        del document["Subject"]
    _refused(signer, document, "signature")


@pytest.mark.parametrize("kind", ["SubscriptionConfirmation", "UnsubscribeConfirmation"])
@pytest.mark.parametrize("field", ["Message", "Token", "SubscribeURL", "TopicArn"])
def test_one_byte_changed_in_a_confirmation(signer: SnsSigner, kind: str, field: str) -> None:
    document = signer.confirmation(kind)
    document[field] = SECOND_TOPIC if field == "TopicArn" else _flip_last(document[field])
    _refused(signer, document, "signature")


@pytest.mark.parametrize(
    "signature",
    ["", "not base64!", "AAAA", "A" * 5000, "absent"],
)
def test_missing_or_garbage_signatures(signer: SnsSigner, signature: str) -> None:
    document = signer.notification("x")
    if signature == "absent":
        del document["Signature"]
    else:
        document["Signature"] = signature
    _refused(signer, document, "signature")


def test_a_signature_by_another_key(signer: SnsSigner) -> None:
    impostor = SnsSigner(signer.now, pem=signer.pem)
    impostor.key = private_key("impostor")
    _refused(signer, impostor.notification("x"), "signature")


# A7
def test_a_valid_signature_from_a_topic_not_allowed(signer: SnsSigner) -> None:
    fetcher = _refused(signer, signer.notification("x", topic=FOREIGN_TOPIC), "topic_not_allowed")
    assert fetcher.calls == []


# A9
@pytest.mark.parametrize(
    ("offset", "accepted"),
    [
        (timedelta(0), True),
        (-MAX_AGE, True),
        (-(MAX_AGE + CLOCK_SKEW), True),
        (-(MAX_AGE + CLOCK_SKEW + timedelta(seconds=1)), False),
        (-timedelta(days=30), False),
        (CLOCK_SKEW, True),
        (CLOCK_SKEW + timedelta(seconds=1), False),
        (timedelta(days=365), False),
    ],
)
def test_the_timestamp_window(signer: SnsSigner, offset: timedelta, accepted: bool) -> None:
    document = signer.notification("x", at=signer.now + offset)
    if accepted:
        _verify(signer, document)
    else:
        assert _refused(signer, document, "timestamp").calls == []


# the certificate itself
@pytest.mark.parametrize("age", [timedelta(days=400), timedelta(days=-2)])
def test_an_expired_or_not_yet_valid_certificate(signer: SnsSigner, age: timedelta) -> None:
    pem = make_certificate(signer.key, signer.now - age)
    signed = SnsSigner(signer.now, pem=pem)
    fetcher = signed.fetcher()
    with pytest.raises(Untrusted) as caught:
        _verify(signed, signed.notification("x"), fetcher)
    assert caught.value.reason == "cert_expired"


def test_a_certificate_without_an_rsa_key(signer: SnsSigner) -> None:
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(signer.now - timedelta(days=1))
        .not_valid_after(signer.now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    pem = cert.public_bytes(serialization.Encoding.PEM)
    with pytest.raises(Untrusted) as caught:
        _verify(signer, signer.notification("x"), FakeFetcher({CERT_URL: pem}))
    assert caught.value.reason == "cert_key"


def test_a_certificate_url_outside_the_topics_region(signer: SnsSigner) -> None:
    other = SnsSigner(
        signer.now,
        cert_url="https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0123456789abcdef.pem",
    )
    fetcher = other.fetcher()
    with pytest.raises(Untrusted) as caught:
        _verify(other, other.notification("x"), fetcher)
    assert caught.value.reason == "cert_url"
    assert fetcher.calls == []
