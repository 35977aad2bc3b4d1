"""A moto server on 127.0.0.1 (a free port) for tests that make real HTTP calls to AWS.

The code under test talks to AWS over HTTP through boto3, so tests point a client at this
server rather than patching botocore (`mock_aws`). One server per test module; every test
starts from empty backends (`/moto-api/reset`).

    from tests.fakes.moto import aws_client, moto_url  # noqa: F401 (fixture)

    def test_something(moto_url: str) -> None:
        sqs = aws_client("sqs", moto_url)
"""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's default account id
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


class MotoServer:
    """A started ThreadedMotoServer that can be stopped without leaking its socket."""

    def __init__(self) -> None:
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.url = f"http://{host}:{port}"

    def reset(self) -> None:
        """Empty every moto backend (all services, all regions)."""
        request = urllib.request.Request(f"{self.url}/moto-api/reset", method="POST")
        with urllib.request.urlopen(request, timeout=10) as answer:
            answer.read()

    def stop(self) -> None:
        self._server.stop()
        inner = getattr(self._server, "_server", None)
        if inner is not None:
            inner.server_close()


def aws_client(service: str, endpoint_url: str, region: str = REGION) -> Any:
    """A boto3 client for `service` on the moto server, with dummy credentials."""
    return boto3.client(service, region_name=region, endpoint_url=endpoint_url, **CREDENTIALS)


@pytest.fixture(scope="module")
def moto_server() -> Iterator[MotoServer]:
    server = MotoServer()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def moto_url(moto_server: MotoServer) -> str:
    """The URL of a moto server whose backends are empty at the start of the test."""
    moto_server.reset()
    return moto_server.url


__all__ = ["ACCOUNT", "REGION", "MotoServer", "aws_client", "moto_server", "moto_url"]


def messages_left(sqs: Any, queue_url: str) -> int:
    """Visible plus in-flight messages of an SQS queue: what has not been deleted."""
    attributes = sqs.get_queue_attributes(
        QueueUrl=queue_url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(
        attributes["ApproximateNumberOfMessagesNotVisible"]
    )


def send_all(sqs: Any, queue_url: str, bodies: list[str]) -> None:
    """Every body as a message, ten to a batch (SQS's most)."""
    for start in range(0, len(bodies), 10):
        entries = [
            {"Id": str(index), "MessageBody": body}
            for index, body in enumerate(bodies[start : start + 10])
        ]
        answer = sqs.send_message_batch(QueueUrl=queue_url, Entries=entries)
        assert not answer.get("Failed"), answer["Failed"]
