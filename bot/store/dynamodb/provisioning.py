"""Provisioning the DynamoDB store: a client from the environment, and the table, created
on first use (on-demand billing) and waited for, or refused if it has another shape."""

from __future__ import annotations

import time
from contextlib import suppress
from typing import Any

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError, NoRegionError

from bot.core.errors import StoreError
from bot.store.dynamodb.codec import INDEX
from bot.store.dynamodb.table import TableAccess

_CONFIG = BotoConfig(
    retries={"max_attempts": 4, "mode": "standard"}, connect_timeout=3, read_timeout=10
)
_TABLE_WAIT_S = 300.0
_SCHEMA = {
    "AttributeDefinitions": [
        {"AttributeName": name, "AttributeType": "S"} for name in ("pk", "sk", "gpk", "gsk")
    ],
    "KeySchema": [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ],
    "GlobalSecondaryIndexes": [
        {
            "IndexName": INDEX,
            "KeySchema": [
                {"AttributeName": "gpk", "KeyType": "HASH"},
                {"AttributeName": "gsk", "KeyType": "RANGE"},
            ],
            "Projection": {"ProjectionType": "KEYS_ONLY"},
        }
    ],
    "BillingMode": "PAY_PER_REQUEST",
}


def connect(table: str) -> Any:
    """A DynamoDB client from the environment (region, credentials, AWS_ENDPOINT_URL)."""
    try:
        return boto3.session.Session().client("dynamodb", config=_CONFIG)
    except NoRegionError:
        raise StoreError(
            f"MLPULSE_STORE=dynamodb://{table}: no AWS region is set;"
            " set AWS_REGION (or AWS_DEFAULT_REGION) to the table's region"
        ) from None
    except BotoCoreError as error:
        raise StoreError(f"MLPULSE_STORE=dynamodb://{table}: {error}") from None


class TableSetup(TableAccess):
    def _ensure_table(self) -> None:
        """Create the table if missing (on-demand billing) and wait until it is usable;
        refuse a table of another shape."""
        try:
            described = self._call("describe_table", expected=("ResourceNotFoundException",))
        except ClientError:
            with suppress(ClientError):  # another replica is creating it
                self._call("create_table", expected=("ResourceInUseException",), **_SCHEMA)
            described = self._wait_active()
        table = described["Table"]
        if table.get("TableStatus") != "ACTIVE" or any(
            index.get("IndexStatus") != "ACTIVE"
            for index in table.get("GlobalSecondaryIndexes", [])
        ):
            table = self._wait_active()["Table"]
        keys = [(k["AttributeName"], k["KeyType"]) for k in table.get("KeySchema", [])]
        indexes = {
            index["IndexName"]: [(k["AttributeName"], k["KeyType"]) for k in index["KeySchema"]]
            for index in table.get("GlobalSecondaryIndexes", [])
        }
        if keys != [("pk", "HASH"), ("sk", "RANGE")] or indexes.get(INDEX) != [
            ("gpk", "HASH"),
            ("gsk", "RANGE"),
        ]:
            raise StoreError(
                f"MLPULSE_STORE=dynamodb://{self.table}: the table exists but is not an mlpulse"
                f" table (it needs keys pk/sk and an index {INDEX} on gpk/gsk);"
                " name a new table and mlpulse will create it"
            )

    def _wait_active(self) -> dict[str, Any]:
        deadline = time.monotonic() + _TABLE_WAIT_S
        while True:
            try:
                described: dict[str, Any] = self._call(
                    "describe_table", expected=("ResourceNotFoundException",)
                )
            except ClientError:  # just created: not yet visible everywhere
                described = {"Table": {"TableStatus": "CREATING"}}
            table = described["Table"]
            indexes = table.get("GlobalSecondaryIndexes", [])
            if table.get("TableStatus") == "ACTIVE" and all(
                index.get("IndexStatus") == "ACTIVE" for index in indexes
            ):
                return described
            if time.monotonic() > deadline:
                raise StoreError(
                    f"MLPULSE_STORE=dynamodb://{self.table}: the table is still"
                    f" {table.get('TableStatus')} after {_TABLE_WAIT_S:.0f} s; try again later"
                )
            time.sleep(1.0)
