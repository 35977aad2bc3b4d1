"""The store named by MLPULSE_STORE. Its own module, so that importing the store's records
and protocols (bot.store) never loads a backend or its SDK.

A URL that cannot name a store (another scheme, no path, a table name DynamoDB refuses, no
region to find the table in) is a ConfigError: exit 2 before anything starts. A store named
well that then fails to open is a StoreError."""

from __future__ import annotations

import os
import re

from bot.config.models import Retention
from bot.core.errors import ConfigError
from bot.store import Store

_SQLITE, _DYNAMODB = "sqlite:///", "dynamodb://"
_TABLE_NAME = re.compile(r"[A-Za-z0-9_.-]{3,255}")
_REGION = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")  # what botocore accepts, lower case


def store_location(url: str) -> tuple[str, str]:
    """("sqlite", PATH) or ("dynamodb", TABLE) from MLPULSE_STORE; ConfigError if neither."""
    if url.startswith(_SQLITE) and url.removeprefix(_SQLITE):
        return "sqlite", url.removeprefix(_SQLITE)
    if url.startswith(_DYNAMODB):
        table = url.removeprefix(_DYNAMODB)
        if not _TABLE_NAME.fullmatch(table):
            raise _refused(
                url, "a DynamoDB table name is 3 to 255 letters, digits, '_', '-' or '.'"
            )
        return "dynamodb", table
    raise _refused(url, "expected sqlite:///PATH or dynamodb://TABLE")


def open_store(url: str, retention: Retention | None = None) -> Store:
    """The store named by MLPULSE_STORE, keeping records as long as `retention` says:
    ConfigError if the URL cannot name one,
    StoreError with what to fix when it cannot open."""
    scheme, where = store_location(url)
    if scheme == "sqlite":
        from bot.store.sqlite.store import SqliteStore

        return SqliteStore(where, retention)
    import boto3

    region = boto3.session.Session().region_name or os.environ.get("AWS_REGION")
    if region is None:
        raise _refused(
            url,
            "no AWS region is set: set AWS_REGION (or AWS_DEFAULT_REGION) to the table's region",
        )
    if not _REGION.fullmatch(region):
        raise _refused(url, f"the AWS region {region!r} is not a region name (eu-west-1)")
    from bot.store.dynamodb.store import DynamoDBStore

    return DynamoDBStore(where, retention=retention)


def _refused(url: str, why: str) -> ConfigError:
    return ConfigError([f"MLPULSE_STORE={url!r}: {why}"])
