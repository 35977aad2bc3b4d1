"""Is this SNS message really from an allowed topic, and recent? Cheapest checks first, so a
forged post costs no network request:

    1. SignatureVersion is "1" (SHA1withRSA) or "2" (SHA256withRSA)        else 403
    2. Timestamp within the window (below)                                 else 403
    3. TopicArn on the allow-list (exact ARN)                              else 403
    4. SigningCertURL passes `certurl` for the topic's region              else 403, unfetched
    5. the certificate (cached per URL) names SNS and is valid now         else 403 (503 if
                                                                           it cannot be had)
    6. Signature (base64) verifies over `string_to_sign`, PKCS#1 v1.5      else 403

The window: SNS retries an HTTP/S delivery for at most 3,600 s (a hard limit), so a genuine
message is at most one hour old; five minutes either way allow for clock skew. A message
stamped more than 1 h 5 min ago or more than 5 min ahead is a replay or forgery. Within the
window, a replayed notification is dropped by the pipeline's dedup (same MessageId).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Collection
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from bot.ingress.sns.certs import CertificateCache
from bot.ingress.sns.certurl import check_cert_url
from bot.ingress.sns.errors import Untrusted
from bot.ingress.sns.message import SnsMessage, string_to_sign

MAX_AGE = timedelta(hours=1)
CLOCK_SKEW = timedelta(minutes=5)
_HASHES: dict[str, type[hashes.HashAlgorithm]] = {"1": hashes.SHA1, "2": hashes.SHA256}
_MAX_SIGNATURE_CHARS = 2048  # base64 of an RSA-8192 signature is 1,368


def check_version(message: SnsMessage) -> hashes.HashAlgorithm:
    version = message.fields["SignatureVersion"]
    algorithm = _HASHES.get(version)
    if algorithm is None:
        raise Untrusted("signature_version", f"SignatureVersion {version[:20]!r}")
    return algorithm()


def check_window(message: SnsMessage, now: datetime) -> None:
    age = now - message.timestamp
    if age > MAX_AGE + CLOCK_SKEW or age < -CLOCK_SKEW:
        raise Untrusted(
            "timestamp",
            f"message {message.message_id[:80]!r} stamped {message.timestamp.isoformat()},"
            f" {age.total_seconds():.0f}s from now",
        )


def check_topic(message: SnsMessage, allowed: Collection[str]) -> None:
    if message.topic_arn not in allowed:
        raise Untrusted("topic_not_allowed", f"topic {message.topic_arn[:200]!r} not allowed")


def check_certificate(cert: x509.Certificate, now: datetime) -> rsa.RSAPublicKey:
    if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
        raise Untrusted(
            "cert_expired",
            f"certificate valid {cert.not_valid_before_utc} to {cert.not_valid_after_utc}",
        )
    key = cert.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise Untrusted("cert_key", f"certificate key is {type(key).__name__}, not RSA")
    return key


def check_signature(
    message: SnsMessage, key: rsa.RSAPublicKey, algorithm: hashes.HashAlgorithm
) -> None:
    encoded = message.fields["Signature"]
    try:
        if len(encoded) > _MAX_SIGNATURE_CHARS:
            raise ValueError("too long")
        signature = base64.b64decode(encoded, validate=True)
        key.verify(signature, string_to_sign(message), padding.PKCS1v15(), algorithm)
    except (InvalidSignature, binascii.Error, ValueError):
        raise Untrusted(
            "signature", f"signature of {message.message_id[:80]!r} does not verify"
        ) from None


class Verifier:
    def __init__(self, allowed_topics: Collection[str], certs: CertificateCache) -> None:
        self.allowed_topics = frozenset(allowed_topics)
        self.certs = certs

    def verify(self, message: SnsMessage, now: datetime) -> None:
        """Returns when `message` is proven; raises `Untrusted` or `Retryable` otherwise."""
        algorithm = check_version(message)
        check_window(message, now)
        check_topic(message, self.allowed_topics)
        url = message.fields["SigningCertURL"]
        check_cert_url(url, message.topic_arn)
        key = check_certificate(self.certs.get(url), now)
        check_signature(message, key, algorithm)
