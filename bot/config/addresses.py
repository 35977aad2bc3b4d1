"""The shapes of the addresses the configuration names: SQS queue URLs, SNS topic ARNs, and
the base URLs of the Slack Web API and of AWS. A wrong one is refused when the config is
read (exit 2, README "Command line"), not found out as a failing poll minutes later."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# https://sqs.<region>.amazonaws.com/<account>/<name>, the legacy
# https://<region>.queue.amazonaws.com/..., and any endpoint of AWS_ENDPOINT_URL (a moto
# server: http://127.0.0.1:5000/<account>/<name>). A name is 1-80 of [A-Za-z0-9_-].
_QUEUE_URL = re.compile(r"https?://[^/\s]+/\d+/[A-Za-z0-9_-]{1,80}(\.fifo)?/?")
_TOPIC_ARN = re.compile(r"arn:aws[a-z-]*:sns:[a-z0-9-]+:\d+:[A-Za-z0-9_-]{1,256}(\.fifo)?")


def queue_url(value: str) -> str:
    if not _QUEUE_URL.fullmatch(value):
        raise ValueError(
            f"{value!r} is not an SQS queue URL"
            " (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME, the stack's QueueUrl output)"
        )
    return value


def topic_arn(value: str) -> str:
    if not _TOPIC_ARN.fullmatch(value):
        raise ValueError(
            f"{value!r} is not an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME,"
            " the stack's TopicArn output)"
        )
    return value


def http_url(value: str) -> str:
    """An http(s) base URL with a host: what botocore and slack_sdk accept as an endpoint."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{value!r} is not an http:// or https:// URL")
    return value


def split_list(value: str | None) -> list[str] | None:
    """A comma-separated environment list: blanks around items and empty items dropped."""
    if value is None:
        return None
    return [item.strip() for item in value.split(",") if item.strip()]
