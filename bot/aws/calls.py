"""Calling AWS from a command: one call or a paginated listing, errors translated
(bot.aws.errors), listings capped so no command walks a whole account."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError

from bot.aws.clients import AwsClients
from bot.aws.errors import AwsUnavailable, NotFound, answering, translate

Item = dict[str, Any]


def clients_of(aws: AwsClients | None) -> AwsClients:
    """The command context's AwsClients, or a clear answer when the bot has none or they
    cannot be made (no region configured)."""
    if aws is None:
        raise AwsUnavailable("this mlpulse has no AWS access configured")
    try:
        aws.sagemaker  # noqa: B018 (made on first use: fails here, not mid-answer)
    except BotoCoreError as error:
        raise translate(error, "sagemaker") from error
    return aws


def region_of(aws: Any) -> str | None:
    region = aws.sagemaker.meta.region_name
    return region if isinstance(region, str) else None


def call(client: Any, operation: str, what: str | None = None, **params: Any) -> Item:
    """`client.<operation>(**params)`; `what` names the resource for a not-found answer."""
    with answering(client, what):
        answer: Item = getattr(client, operation)(**params)
    return answer


def pages(
    client: Any,
    operation: str,
    key: str,
    *,
    limit: int,
    what: str | None = None,
    page_size: int | None = None,
    max_pages: int = 100,
    **params: Any,
) -> list[Item]:
    """The first `limit` items under `key` across at most `max_pages` pages of `operation`
    (`page_size` for APIs whose default page is small, like SageMaker's 10)."""
    found: list[Item] = []
    config = {"PageSize": page_size} if page_size else {}
    with answering(client, what):
        paginator = client.get_paginator(operation)
        for number, page in enumerate(paginator.paginate(**params, PaginationConfig=config), 1):
            found += page.get(key) or []
            if len(found) >= limit or number >= max_pages:
                break
    return found[:limit]


def optional(client: Any, operation: str, **params: Any) -> Item | None:
    """A call whose resource may well not exist (a log group before the first line):
    None instead of a not-found answer."""
    try:
        return call(client, operation, what="it", **params)
    except NotFound:
        return None
