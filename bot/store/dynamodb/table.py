"""The calls the DynamoDB store makes on its table, each failure turned into a StoreError
that says what to do, and the waits that outlast other writers. TableAccess is what every
part of the store (bot.store.dynamodb.store) is built on, as bot.store.sqlite.database's
Database is for SQLite."""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
)

from bot.config.models import Retention
from bot.core.aws_codes import Problem, codes_of, problem_of
from bot.core.errors import StoreError
from bot.store.dynamodb.codec import INDEX, Item, counter_key, n

_BUSY = frozenset({"TransactionConflictException", "TransactionInProgressException"})
_BUSY_TRIES = 8
TRIES = 20  # transactions cancelled by contention, then a StoreError
TRANSACT_ITEMS = 100  # TransactWriteItems' limit
TRANSACT_BYTES = 3_000_000  # of the 4 MB a transaction may carry, with room for names
_PERMISSIONS = (
    "dynamodb:DescribeTable, CreateTable (once), GetItem, PutItem, UpdateItem, DeleteItem,"
    " Query, BatchGetItem and TransactWriteItems on the table and its indexes"
)


class Cancelled(Exception):
    """A transaction was cancelled; `codes[i]` says why for its i-th item ("None": fine),
    `items[i]` is that item as it was when a condition failed (ALL_OLD), if asked for."""

    def __init__(self, codes: list[str], items: list[Item | None]) -> None:
        super().__init__(", ".join(codes))
        self.codes, self.items = codes, items


class TableAccess:
    """Calls on one table. Thread-safe: a boto3 client may be shared between threads."""

    def __init__(self, table: str, client: Any, retention: Retention | None = None) -> None:
        self.table = table
        self._client = client
        self.retention = retention or Retention()  # each item's `expires_at` (TTL)
        self._closed = False

    # --- calls

    def _call(self, method: str, expected: Sequence[str] = (), **params: Any) -> Any:
        """One API call on the table; ClientErrors whose code is `expected` are raised as
        they are, every other failure as a StoreError. Busy items are waited for."""
        if self._closed:
            raise StoreError(f"DynamoDB store {self.table} is closed")
        if method not in ("transact_write_items", "batch_get_item"):
            params["TableName"] = self.table
        for attempt in range(_BUSY_TRIES):
            try:
                return getattr(self._client, method)(**params)
            except ClientError as error:
                code = str(error.response.get("Error", {}).get("Code", ""))
                if code in expected:
                    raise
                if code in _BUSY and attempt + 1 < _BUSY_TRIES:
                    backoff(attempt)
                    continue
                raise StoreError(self._explain(method, code, error)) from error
            except BotoCoreError as error:
                raise StoreError(self._explain_local(error)) from error
        raise AssertionError("unreachable")

    def _explain(self, method: str, code: str, error: ClientError) -> str:
        operation = self._client.meta.method_to_api_mapping.get(method, method)
        where = f"MLPULSE_STORE=dynamodb://{self.table}"
        region = self._client.meta.region_name
        if problem_of(code) is Problem.DENIED:
            return (
                f"{where}: the AWS credentials in use may not call dynamodb:{operation} on the"
                f" table (region {region}); grant {_PERMISSIONS}"
            )
        if problem_of(code) is Problem.EXPIRED:
            return f"{where}: AWS refused the credentials ({code}); check AWS_PROFILE or the keys"
        if problem_of(code) is Problem.NOT_FOUND:
            return f"{where}: the table does not exist in region {region} (was it deleted?)"
        message = error.response.get("Error", {}).get("Message", "")
        return f"{where}: {operation} failed: {code}: {message}"

    def _explain_local(self, error: BotoCoreError) -> str:
        where = f"MLPULSE_STORE=dynamodb://{self.table}"
        if isinstance(error, NoCredentialsError):
            return (
                f"{where}: no AWS credentials found; set AWS_PROFILE or AWS_ACCESS_KEY_ID and"
                " AWS_SECRET_ACCESS_KEY, or run with an IAM role"
            )
        if isinstance(error, EndpointConnectionError):
            return f"{where}: cannot reach DynamoDB: {error}"
        return f"{where}: {error}"

    def _get(self, item_key: Item) -> Item | None:
        answer = self._call("get_item", Key=item_key, ConsistentRead=True)
        found: Item | None = answer.get("Item")
        return found

    def _query(self, **params: Any) -> Iterator[Item]:
        """Every item a query finds, page after page."""
        while True:
            answer = self._call("query", **params)
            yield from answer.get("Items", [])
            last = answer.get("LastEvaluatedKey")
            if not last:
                return
            params["ExclusiveStartKey"] = last

    def _partition(self, pk: str, prefix: str | None = None, **params: Any) -> Iterator[Item]:
        """The items of one partition (whose sort key starts with `prefix`), read consistently."""
        condition = "pk = :pk" + (" AND begins_with(sk, :prefix)" if prefix else "")
        values: dict[str, Any] = {":pk": {"S": pk}}
        if prefix:
            values[":prefix"] = {"S": prefix}
        return self._query(
            KeyConditionExpression=condition,
            ExpressionAttributeValues=values,
            ConsistentRead=True,
            **params,
        )

    def _index(self, gpk: str, upper: str | None = None, page: int = 500) -> Iterator[Item]:
        """Keys in the index under `gpk`, in sort order, up to `upper` (eventually consistent:
        a hint of where to look, read again from the table before it is trusted)."""
        condition = "gpk = :g" + (" AND gsk <= :u" if upper is not None else "")
        values: dict[str, Any] = {":g": {"S": gpk}}
        if upper is not None:
            values[":u"] = {"S": upper}
        return self._query(
            IndexName=INDEX,
            KeyConditionExpression=condition,
            ExpressionAttributeValues=values,
            Limit=page,
        )

    def _batch_get(self, keys: Sequence[Item]) -> list[Item]:
        """The items at `keys` that exist, read consistently, in no particular order."""
        found: list[Item] = []
        for start in range(0, len(keys), 100):
            request: dict[str, Any] = {
                self.table: {"Keys": list(keys[start : start + 100]), "ConsistentRead": True}
            }
            attempt = 0
            while request:
                answer = self._call("batch_get_item", RequestItems=request)
                found.extend(answer.get("Responses", {}).get(self.table, []))
                request = answer.get("UnprocessedKeys") or {}
                if request:
                    backoff(attempt)
                    attempt += 1
        return found

    def _transact(self, items: list[Item]) -> None:
        """All of `items` or none; Cancelled with the reason of each when a condition fails.
        One request token for this attempt: if an answer is lost and the request sent again,
        DynamoDB applies it once."""
        try:
            self._call(
                "transact_write_items",
                expected=("TransactionCanceledException",),
                TransactItems=items,
                ClientRequestToken=str(uuid.uuid4()),
            )
        except ClientError as error:
            reasons = error.response.get("CancellationReasons") or [{"Code": "Unknown"}] * len(
                items
            )
            codes = [str(reason.get("Code") or "None") for reason in reasons]
            olds: list[Item | None] = [dict(r["Item"]) if r.get("Item") else None for r in reasons]
            raise Cancelled(codes, olds) from None

    def _transact_retrying(self, items: list[Item]) -> None:
        """A transaction without conditions of its own: tried again while items are busy."""
        for attempt in range(TRIES):
            try:
                self._transact(items)
                return
            except Cancelled as cancelled:
                retry_or_raise(cancelled, attempt, self.table)

    def _allocate(self, name: str, count: int = 1) -> int:
        """The first of `count` new increasing ids from the counter `name` (atomic ADD)."""
        answer = self._call(
            "update_item",
            Key=counter_key(name),
            UpdateExpression="ADD #n :count",
            ExpressionAttributeNames={"#n": "n"},
            ExpressionAttributeValues={":count": n(count)},
            ReturnValues="UPDATED_NEW",
        )
        return int(answer["Attributes"]["n"]["N"]) - count + 1

    def ping(self) -> None:
        self._call("get_item", Key=counter_key("outbox"))

    def close(self) -> None:
        self._closed = True


def backoff(attempt: int) -> None:
    """A short, jittered, growing pause before trying a busy item again."""
    time.sleep(random.uniform(0, min(1.0, 0.01 * 2**attempt)))


# Reasons a transaction item was cancelled that trying again can cure: another writer, or
# throttling (`ThrottlingError`, `ProvisionedThroughputExceeded`).
RETRYABLE = frozenset({"TransactionConflict"}) | codes_of(Problem.THROTTLED)


def retry_or_raise(
    cancelled: Cancelled, attempt: int, table: str, conditions: bool = False
) -> None:
    """Wait before trying a cancelled transaction again (another writer held an item, or a
    condition failed and `conditions` says the caller reads again and rebuilds); StoreError
    when trying again cannot help."""
    allowed = RETRYABLE | ({"ConditionalCheckFailed"} if conditions else set())
    if attempt + 1 < TRIES and all(code == "None" or code in allowed for code in cancelled.codes):
        backoff(attempt)
        return
    raise StoreError(f"MLPULSE_STORE=dynamodb://{table}: transaction refused ({cancelled})")
