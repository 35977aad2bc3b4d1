"""SNS messages signed the way SNS signs them, with a key and certificate made here.

    signer = SnsSigner(clock.now())                      # RSA key + self-signed certificate
    doc = signer.notification({"detail-type": ...}, version="2")
    fetcher = signer.fetcher()                           # serves signer.pem at signer.cert_url
    endpoint.certs = CertificateCache(fetcher)           # ... and counts each request

The string to sign is built here independently of bot.ingress.sns (from the SNS documentation), so
the tests check the endpoint against the documented format, not against itself. Change a
field after signing to tamper with a message; `signer.sign(doc)` signs it again.
`UrlTrap` is a local server that counts connections: URLs in messages must never reach it.
"""

from __future__ import annotations

import base64
import functools
import json
import threading
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

REGION = "us-east-1"
ACCOUNT = "123456789012"
TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:mlpulse-events"
SECOND_TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:mlpulse-pipelines"  # also allowed
FOREIGN_TOPIC = f"arn:aws:sns:{REGION}:999999999999:someone-elses"
CERT_URL = f"https://sns.{REGION}.amazonaws.com/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem"
TOKEN = "2336412f37fb687f5d51e6e2425f004aed5e3f2ee5b6b6cb5d8a2e8a1d1c0ffee"  # a secret, for logs
_SIGNED = {
    "Notification": ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"),
    "SubscriptionConfirmation": (
        "Message",
        "MessageId",
        "SubscribeURL",
        "Timestamp",
        "Token",
        "TopicArn",
        "Type",
    ),
}
_SIGNED["UnsubscribeConfirmation"] = _SIGNED["SubscriptionConfirmation"]
_HASHES = {"1": hashes.SHA1, "2": hashes.SHA256}


@functools.cache
def private_key(label: str = "sns") -> rsa.RSAPrivateKey:
    """One 2048-bit key per label for the whole test run (key generation is the slow part)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def make_certificate(
    key: rsa.RSAPrivateKey,
    now: datetime,
    common_name: str = "sns.amazonaws.com",
    dns_names: Iterable[str] | None = ("sns.amazonaws.com",),
    valid: timedelta = timedelta(days=365),
) -> bytes:
    """A self-signed PEM certificate for `key`, valid from a day before `now` for `valid`;
    `dns_names=None` leaves out the subjectAltName extension."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now - timedelta(days=1) + valid)
    )
    if dns_names is not None:
        san = x509.SubjectAlternativeName([x509.DNSName(n) for n in dns_names])
        builder = builder.add_extension(san, critical=False)
    return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM)


def string_to_sign(document: dict[str, Any]) -> bytes:
    keys = _SIGNED[document["Type"]]
    return "".join(f"{k}\n{document[k]}\n" for k in keys if k in document).encode()


def timestamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def body(document: Any) -> bytes:
    return json.dumps(document).encode()


class FakeFetcher:
    """A certificate fetcher serving `certs` (URL -> PEM), recording every URL asked for;
    `fail(n)` makes the next n fetches raise OSError, as a network failure would."""

    def __init__(self, certs: dict[str, bytes]) -> None:
        self.certs = dict(certs)
        self.calls: list[str] = []
        self._failures = 0
        self._lock = threading.Lock()

    def fail(self, times: int = 1) -> None:
        self._failures = times

    def __call__(self, url: str) -> bytes:
        with self._lock:
            self.calls.append(url)
            if self._failures:
                self._failures -= 1
                raise OSError("connection reset (scripted)")
        if url not in self.certs:
            raise OSError(f"HTTP Error 404 for {url}")
        return self.certs[url]


class SnsSigner:
    def __init__(self, now: datetime, cert_url: str = CERT_URL, pem: bytes | None = None) -> None:
        self.now, self.cert_url = now, cert_url
        self.key = private_key()
        self.pem = pem if pem is not None else make_certificate(self.key, now)

    def fetcher(self, extra: dict[str, bytes] | None = None) -> FakeFetcher:
        return FakeFetcher({self.cert_url: self.pem, **(extra or {})})

    def sign(self, document: dict[str, Any], version: str | None = None) -> dict[str, Any]:
        version = version or str(document.get("SignatureVersion", "1"))
        signature = self.key.sign(string_to_sign(document), padding.PKCS1v15(), _HASHES[version]())
        document["Signature"] = base64.b64encode(signature).decode()
        return document

    def notification(
        self,
        message: Any,
        *,
        topic: str = TOPIC,
        message_id: str | None = None,
        subject: str | None = None,
        at: datetime | None = None,
        version: str = "1",
    ) -> dict[str, Any]:
        document = self._base("Notification", topic, message_id, at, version)
        document["Message"] = message if isinstance(message, str) else json.dumps(message)
        if subject is not None:
            document["Subject"] = subject
        document["UnsubscribeURL"] = f"https://sns.{REGION}.amazonaws.com/?Action=Unsubscribe"
        return self.sign(document)

    def confirmation(
        self,
        kind: str = "SubscriptionConfirmation",
        *,
        topic: str = TOPIC,
        token: str = TOKEN,
        subscribe_url: str | None = None,
        at: datetime | None = None,
        version: str = "1",
    ) -> dict[str, Any]:
        document = self._base(kind, topic, None, at, version)
        document["Message"] = f"You have chosen to subscribe to the topic {topic}."
        document["Token"] = token
        document["SubscribeURL"] = subscribe_url or (
            f"https://sns.{REGION}.amazonaws.com/?Action=ConfirmSubscription"
            f"&TopicArn={topic}&Token={token}"
        )
        return self.sign(document)

    def _base(
        self, kind: str, topic: str, message_id: str | None, at: datetime | None, version: str
    ) -> dict[str, Any]:
        return {
            "Type": kind,
            "MessageId": message_id or str(uuid.uuid4()),
            "TopicArn": topic,
            "Timestamp": timestamp(at or self.now),
            "SignatureVersion": version,
            "SigningCertURL": self.cert_url,
        }


class UrlTrap:
    """An HTTP server on 127.0.0.1 that nobody should call: it counts every connection made
    to it (`connections`), whatever is sent on it. Point a message's URLs at it."""

    def __init__(self) -> None:
        self.connections = 0
        trap = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.end_headers()

            do_POST = do_GET

            def log_message(self, format: str, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            def verify_request(self, request: Any, client_address: Any) -> bool:
                trap.connections += 1
                return True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = int(self.server.server_address[1])
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def __enter__(self) -> UrlTrap:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.server.shutdown()
        self.server.server_close()
