"""The DynamoDB store's outbox.

Each resource's pending items are one partition, sorted by id: its head is the only one
due. The due index lists every pending item by (next_attempt, id); `due` walks it and
checks each resource's head with a consistent read, so a stale index row is never trusted.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from dataclasses import replace
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from bot.config.models import Retention
from bot.core.decision import Decision
from bot.store.dynamodb.codec import (
    INDEX,
    OUTBOX_DUE,
    PARKED,
    PENDING,
    Item,
    b,
    due_bound,
    due_sort,
    expiry,
    n,
    names,
    number,
    outbox_key,
    pointer_key,
    s,
    text,
)
from bot.store.dynamodb.outbox_writes import transactions
from bot.store.dynamodb.record_items import notice_puts, outbox_item
from bot.store.dynamodb.table import TRIES, Cancelled, TableAccess, retry_or_raise
from bot.store.records import Notice, OutboxItem, encode_decision
from bot.store.writes import Claim, Complete, MarkInFlight, Progress, RetryLater, Write

_CACHED_IDS = 50_000
_MISSING = ("ConditionalCheckFailedException",)


class OutboxTable(TableAccess):
    def __init__(self, table: str, client: Any, retention: Retention | None = None) -> None:
        super().__init__(table, client, retention)
        self._keys: dict[int, str] = {}  # outbox id -> resource key (never changes)

    def _remember(self, item_id: int, resource: str) -> None:
        if len(self._keys) >= _CACHED_IDS:
            self._keys.clear()
        self._keys[item_id] = resource

    def _resource_of(self, item_id: int) -> str | None:
        resource = self._keys.get(item_id)
        if resource is None:
            pointer = self._get(pointer_key(item_id))
            resource = text(pointer, "okey") if pointer else None
            if resource is not None:
                self._remember(item_id, resource)
        return resource

    # --- queueing

    def enqueue_notice(self, key: str, notice: Notice, now: datetime) -> None:
        item_id = self._allocate("outbox")
        self._transact_retrying(notice_puts(self.table, item_id, key, notice, now.timestamp()))
        self._remember(item_id, key)

    def due(self, now: datetime, limit: int) -> list[OutboxItem]:
        stamp = now.timestamp()
        heads: dict[str, Item | None] = {}
        found: list[OutboxItem] = []
        for row in self._index(OUTBOX_DUE, due_bound(stamp)):
            resource = row["pk"]["S"].removeprefix("outbox#")
            if resource not in heads:
                heads[resource] = next(
                    self._partition(row["pk"]["S"], f"{PENDING}#", Limit=1), None
                )
            head = heads[resource]
            if head is None or head["sk"] != row["sk"]:
                continue  # another item of this resource goes first, or this one is gone
            item = outbox_item(head)
            if item.next_attempt <= now:
                found.append(item)
                self._remember(item.id, resource)
                if len(found) >= limit:
                    break
        found.sort(key=lambda item: (item.next_attempt, item.id))
        return found

    def pending_count(self) -> int:
        total = 0
        params: dict[str, Any] = {
            "IndexName": INDEX,
            "KeyConditionExpression": "gpk = :g",
            "ExpressionAttributeValues": {":g": s(OUTBOX_DUE)},
            "Select": "COUNT",
        }
        while True:
            answer = self._call("query", **params)
            total += int(answer.get("Count", 0))
            if not answer.get("LastEvaluatedKey"):
                return total
            params["ExclusiveStartKey"] = answer["LastEvaluatedKey"]

    # --- one item's progress

    def _update(self, item_id: int, expression: str, values: dict[str, Any]) -> None:
        """Update a pending item; nothing if it is no longer pending (as an SQL UPDATE)."""
        resource = self._resource_of(item_id)
        if resource is None:
            return
        with suppress(ClientError):  # the condition failed: the item is gone
            self._call(
                "update_item",
                expected=_MISSING,
                Key=outbox_key(resource, item_id),
                UpdateExpression=expression,
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeNames=names(expression),
                ExpressionAttributeValues=values,
            )

    def write(self, writes: Sequence[Write]) -> None:
        """As few requests as DynamoDB's limits allow for all of `writes` (a transaction
        when they touch several items); a write whose condition fails (its item gone, its
        root newer) is left out."""
        for ops in transactions(self.table, writes, self._resource_of, self.retention.roots):
            self._write_together(ops)

    def _write_together(self, ops: list[Item]) -> None:
        for attempt in range(TRIES):
            if not ops:
                return
            if len(ops) == 1 and ("Put" in ops[0] or "Update" in ops[0]):
                self._single(ops[0])
                return
            try:
                self._transact(ops)
                return
            except Cancelled as cancelled:
                kept = [
                    op
                    for op, code in zip(ops, cancelled.codes, strict=False)
                    if code != "ConditionalCheckFailed"
                ]
                if len(kept) < len(ops):
                    ops = kept
                    continue
                retry_or_raise(cancelled, attempt, self.table)

    def _single(self, op: Item) -> None:
        """One put or conditional update on its own: half the cost of a transaction."""
        if "Put" in op:
            self._call("put_item", **{k: v for k, v in op["Put"].items() if k != "TableName"})
            return
        with suppress(ClientError):  # the condition failed: nothing to change, as in SQL
            self._call(
                "update_item",
                expected=_MISSING,
                **{k: v for k, v in op["Update"].items() if k != "TableName"},
            )

    def progress(self, item_id: int, stage: int) -> None:
        self.write([Progress(item_id, stage)])

    def claim(
        self,
        item_id: int,
        owner: str,
        until: datetime,
        now: datetime,
        *,
        sending: int | None = None,
        before: Sequence[Write] = (),
    ) -> OutboxItem | None:
        self.write(before)
        resource = self._resource_of(item_id)
        if resource is None:
            return None
        if sending is not None:
            marked = self._lease(resource, item_id, owner, until, now, sending)
            if marked is not None:
                return replace(marked, in_flight=False, marked=True)
        return self._lease(resource, item_id, owner, until, now)

    def claim_batch(
        self,
        claims: Sequence[Claim],
        owner: str,
        until: datetime,
        now: datetime,
        *,
        before: Sequence[Write] = (),
    ) -> list[OutboxItem | None]:
        self.write(before)
        return [
            self.claim(claim.item_id, owner, until, now, sending=claim.sending) for claim in claims
        ]

    def _lease(
        self,
        resource: str,
        item_id: int,
        owner: str,
        until: datetime,
        now: datetime,
        sending: int | None = None,
    ) -> OutboxItem | None:
        """One conditional update leasing the item; with `sending`, only at that stage with
        nothing in flight, and marking its post in flight."""
        condition = (
            "attribute_exists(pk) AND (attribute_not_exists(#lease_until)"
            " OR #lease_until <= :now OR #lease_owner = :me)"
        )
        expression = "SET #lease_owner = :me, #lease_until = :until"
        values: dict[str, Any] = {
            ":me": s(owner),
            ":until": n(until.timestamp()),
            ":now": n(now.timestamp()),
        }
        if sending is not None:
            condition += (
                " AND #stage = :stage AND (attribute_not_exists(#in_flight) OR #in_flight = :no)"
            )
            expression += ", #in_flight = :yes"
            values.update({":stage": n(sending), ":no": b(False), ":yes": b(True)})
        try:
            answer = self._call(
                "update_item",
                expected=_MISSING,
                Key=outbox_key(resource, item_id),
                UpdateExpression=expression,
                ConditionExpression=condition,
                ExpressionAttributeNames=names(condition + " " + expression),
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",  # the item as leased: progress made since `due`
            )
        except ClientError:
            return None  # another replica holds it, it is done, or (sending) not as listed
        return outbox_item(answer["Attributes"])

    def mark_in_flight(self, item_id: int) -> None:
        self.write([MarkInFlight(item_id)])

    def retry_later(self, item_id: int, when: datetime, error: str, count: bool = True) -> None:
        self.write([RetryLater(item_id, when, error, count)])

    def reroute(self, item_id: int, decision: Decision) -> None:
        self._update(
            item_id,
            "SET #decision = :decision, #attempts = :zero, #next_attempt = :zero, #gsk = :gsk",
            {
                ":decision": s(encode_decision(decision)),
                ":zero": n(0),
                ":gsk": s(due_sort(0, item_id)),
            },
        )

    def complete(self, item_id: int) -> None:
        self.write([Complete(item_id)])

    def give_up(self, item_id: int, error: str) -> None:
        """Move the item out of its resource's queue, kept as undeliverable."""
        resource = self._resource_of(item_id)
        current = self._get(outbox_key(resource, item_id)) if resource else None
        if resource is None or current is None:
            return
        parked = {name: value for name, value in current.items() if name not in ("gpk", "gsk")}
        parked.update(outbox_key(resource, item_id, PARKED))
        parked.update(state=s("undeliverable"), last_error=s(error[:1000]))
        # Kept as long as an alert held back by a silence: counted from its acceptance.
        parked["expires_at"] = expiry(number(current, "created") or 0.0, self.retention.outbox)
        ops: list[Item] = [
            {
                "Delete": {
                    "TableName": self.table,
                    "Key": outbox_key(resource, item_id),
                    "ConditionExpression": "attribute_exists(pk)",
                }
            },
            {"Put": {"TableName": self.table, "Item": parked}},
            {"Delete": {"TableName": self.table, "Key": pointer_key(item_id)}},
        ]
        for attempt in range(TRIES):
            try:
                self._transact(ops)
                return
            except Cancelled as cancelled:
                if cancelled.codes[0] == "ConditionalCheckFailed":
                    return  # completed or parked meanwhile
                retry_or_raise(cancelled, attempt, self.table)
