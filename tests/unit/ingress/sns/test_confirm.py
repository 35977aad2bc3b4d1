"""RELIABILITY A8, the AWS side: ConfirmSubscription with the topic's ARN and the Token,
in the topic's region, against a moto server; AWS failures are retryable."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

import pytest

from bot.ingress.sns.confirm import ApiConfirmer
from bot.ingress.sns.errors import Retryable, Untrusted
from tests.fakes.moto import aws_client, moto_server, moto_url
from tests.fakes.sns_signing import TOKEN

__all__ = ["moto_server", "moto_url"]  # fixtures used by name


class Recorder:
    """SNS clients on the moto server whose requests' form fields are kept."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.regions: list[str] = []
        self.sent: list[dict[str, list[str]]] = []

    def __call__(self, region: str) -> Any:
        self.regions.append(region)
        client = aws_client("sns", self.url, region)
        client.meta.events.register("before-send.sns.ConfirmSubscription", self._keep)
        return client

    def _keep(self, request: Any, **_: Any) -> None:
        body = request.body.decode() if isinstance(request.body, bytes) else request.body
        self.sent.append(parse_qs(body))


def test_confirm_subscription_sends_the_token_to_sns(moto_url: str) -> None:
    topic = aws_client("sns", moto_url).create_topic(Name="mlpulse-events")["TopicArn"]
    recorder = Recorder(moto_url)
    arn = ApiConfirmer(recorder).confirm(topic, TOKEN)
    assert arn.startswith(topic + ":")
    assert recorder.regions == ["us-east-1"]
    (sent,) = recorder.sent
    assert sent["Action"] == ["ConfirmSubscription"]
    assert sent["TopicArn"] == [topic]
    assert sent["Token"] == [TOKEN]
    assert sent["AuthenticateOnUnsubscribe"] == ["true"]


def test_one_client_per_region_in_the_topics_region(moto_url: str) -> None:
    west = aws_client("sns", moto_url, "eu-west-1").create_topic(Name="t")["TopicArn"]
    east = aws_client("sns", moto_url).create_topic(Name="t")["TopicArn"]
    recorder = Recorder(moto_url)
    confirmer = ApiConfirmer(recorder)
    for topic in (west, east, west):
        confirmer.confirm(topic, TOKEN)
    assert recorder.regions == ["eu-west-1", "us-east-1"]


def test_an_aws_error_is_retryable(moto_url: str) -> None:
    confirmer = ApiConfirmer(Recorder(moto_url))
    with pytest.raises(Retryable) as caught:  # moto: the topic does not exist
        confirmer.confirm("arn:aws:sns:us-east-1:123456789012:missing", TOKEN)
    assert (caught.value.status, caught.value.reason) == (503, "confirm_failed")
    assert TOKEN not in caught.value.detail


def test_aws_unreachable_is_retryable() -> None:
    unreachable = ApiConfirmer(lambda region: aws_client("sns", "http://127.0.0.1:9", region))
    with pytest.raises(Retryable):
        unreachable.confirm("arn:aws:sns:us-east-1:123456789012:t", TOKEN)


def test_a_topic_that_is_not_an_arn_is_not_sent() -> None:
    def no_client(region: str) -> Any:
        raise AssertionError("no client should be made")

    with pytest.raises(Untrusted):
        ApiConfirmer(no_client).confirm("not-an-arn", TOKEN)
