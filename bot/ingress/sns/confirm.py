"""Confirming a subscription the safe way: the SNS ConfirmSubscription API, called in the
topic's region with the TopicArn and Token from a verified message. The message's
SubscribeURL is never fetched (it names any host the sender likes).

`AuthenticateOnUnsubscribe` is set, so only an AWS principal allowed to unsubscribe can
remove the subscription: the unsigned UnsubscribeURL in every notification then does nothing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, Protocol

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from bot.ingress.sns.certurl import topic_region
from bot.ingress.sns.errors import Retryable, Untrusted

log = logging.getLogger(__name__)
ClientFactory = Callable[[str], Any]  # region -> boto3 SNS client


class Confirmer(Protocol):
    def confirm(self, topic_arn: str, token: str) -> str:
        """Confirm the subscription; its ARN. `Retryable` when AWS cannot be reached."""
        ...


def _boto_sns_client(region: str) -> Any:
    config = Config(
        retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=3, read_timeout=5
    )
    return boto3.client("sns", region_name=region, config=config)


class ApiConfirmer:
    """ConfirmSubscription through boto3 (AWS_* and AWS_ENDPOINT_URL honoured); one client
    per region, made on first use. `client_factory` is injectable for tests."""

    def __init__(self, client_factory: ClientFactory | None = None) -> None:
        self.client_factory = client_factory or _boto_sns_client
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()

    def confirm(self, topic_arn: str, token: str) -> str:
        region = topic_region(topic_arn)
        if region is None:
            raise Untrusted("topic_not_allowed", f"{topic_arn[:200]!r} is not an SNS topic ARN")
        try:
            answer = self._client(region).confirm_subscription(
                TopicArn=topic_arn, Token=token, AuthenticateOnUnsubscribe="true"
            )
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "?")
            raise Retryable("confirm_failed", f"ConfirmSubscription {topic_arn}: {code}") from None
        except BotoCoreError as error:  # no credentials, no endpoint, timeouts
            raise Retryable(
                "confirm_failed", f"ConfirmSubscription {topic_arn}: {type(error).__name__}"
            ) from None
        return str(answer.get("SubscriptionArn", "?"))

    def _client(self, region: str) -> Any:
        with self._lock:
            if region not in self._clients:
                self._clients[region] = self.client_factory(region)
            return self._clients[region]
