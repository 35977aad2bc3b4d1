"""The DynamoDB store's burst digests (bot.delivery.bursts).

A digest is one item; each channel's `current` item names the digest still taking members
and is moved by compare-and-set, so replicas opening a digest at the same moment agree on
one. A member is a root item carrying `digest_id`, plus a pointer under the digest; the
digest's `members` counts joins (a resource that later gets its own message still counts
towards the capacity, a slightly earlier new digest than SQLite opens).
"""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from bot.core.events import Event
from bot.core.ordering import order
from bot.store.dynamodb import codec, record_items
from bot.store.dynamodb.codec import DIRTY, Item, n, put, s
from bot.store.dynamodb.expiry import expiring
from bot.store.dynamodb.table import TRIES, Cancelled, TableAccess, retry_or_raise
from bot.store.records import Digest, OutboxItem, Sending, encode_decision


class DigestTable(TableAccess):
    def open_digest(self, channel: str, now: datetime, window: float, capacity: int) -> Digest:
        head_key = codec.key(f"digests#{channel}", "current")
        new_id: int | None = None
        for attempt in range(TRIES):
            head = self._get(head_key)
            if head is not None:
                current = self._get(codec.digest_key(codec.integer(head, "digest")))
                if (
                    current is not None
                    and (codec.number(current, "opened") or 0.0) > now.timestamp() - window
                    and codec.integer(current, "members") < capacity
                ):
                    return record_items.digest(current)
            new_id = new_id or self._allocate("digest")
            record: Item = {
                **codec.digest_key(new_id),
                "id": n(new_id),
                "channel": s(channel),
                "opened": n(now.timestamp()),
                "members": n(0),
                "dirty": {"BOOL": True},
                "in_flight": {"BOOL": False},
                "gpk": s(DIRTY),
                "gsk": s(f"{new_id:020d}"),
            }
            pointer = {**head_key, "digest": n(new_id)}
            if head is None:
                moved = put(self.table, pointer, "attribute_not_exists(pk)")
            else:
                moved = put(self.table, pointer, "#digest = :old")
                moved["Put"]["ExpressionAttributeNames"] = {"#digest": "digest"}
                moved["Put"]["ExpressionAttributeValues"] = {":old": head["digest"]}
            try:
                ops = [put(self.table, record), moved]
                self._transact(expiring(ops, self.retention, now.timestamp()))
            except Cancelled as cancelled:
                if cancelled.codes[1] != "ConditionalCheckFailed":
                    retry_or_raise(cancelled, attempt, self.table)
                continue  # another replica opened one first: take it if it has room
            return record_items.digest(record)
        raise AssertionError("unreachable")  # retry_or_raise gives up first

    def join_digest(self, digest: Digest, item: OutboxItem) -> None:
        """The resource's root becomes a line of the digest and the item is done, in one
        transaction (a root already there keeps its channel and ts, as in SQLite)."""
        assert item.event is not None
        when, rank, depth = order(item.event)
        expression = (
            "SET #digest_id = :digest, #state_time = :t, #state_rank = :r, #state_depth = :d,"
            " #event = :event, #decision = :decision, #channel = if_not_exists(#channel, :channel),"
            " #ts = if_not_exists(#ts, :ts), #expires_at = :expires"
        )
        root = {
            "TableName": self.table,
            "Key": codec.root_key(item.key),
            "UpdateExpression": expression,
            "ExpressionAttributeNames": codec.names(expression),
            "ExpressionAttributeValues": {
                ":digest": n(digest.id),
                ":t": n(when),
                ":r": n(rank),
                ":d": n(depth),
                ":event": codec.packed(item.event.model_dump_json()),
                ":decision": s(encode_decision(item.decision)),
                ":channel": s(digest.posted_channel or digest.channel),
                ":ts": s(digest.ts or ""),
                ":expires": codec.expiry(when, self.retention.roots),
            },
        }
        joined = "SET #dirty = :yes, #gpk = :gpk, #gsk = :gsk ADD #members :one"
        counted = {
            "TableName": self.table,
            "Key": codec.digest_key(digest.id),
            "UpdateExpression": joined,
            "ExpressionAttributeNames": codec.names(joined),
            "ExpressionAttributeValues": {**_dirty(digest.id), ":one": n(1)},
        }
        self._transact_retrying(
            [
                {"Update": root},
                {"Update": counted},
                *expiring(
                    [put(self.table, codec.key(f"digest#{digest.id}", f"member#{item.key}"))],
                    self.retention,
                    digest.opened.timestamp(),
                ),
                {"Delete": {"TableName": self.table, "Key": codec.outbox_key(item.key, item.id)}},
                {"Delete": {"TableName": self.table, "Key": codec.pointer_key(item.id)}},
            ]
        )

    def touch_digest(self, digest_id: int) -> None:
        self._write(digest_id, "SET #dirty = :yes, #gpk = :gpk, #gsk = :gsk", _dirty(digest_id))

    def dirty_digests(self) -> list[Digest]:
        ids = sorted({int(row["gsk"]["S"]) for row in self._index(DIRTY)})
        found = self._batch_get([codec.digest_key(i) for i in ids])
        return sorted((d for d in map(record_items.digest, found) if d.dirty), key=lambda d: d.id)

    def digest_members(self, digest_id: int) -> list[Event]:
        return [
            Event.model_validate_json(codec.required(root, "event"))
            for root in self._members(digest_id)
        ]

    def _members(self, digest_id: int) -> list[Item]:
        """The root items still in the digest, newest state first."""
        pointers = self._partition(f"digest#{digest_id}", "member#")
        keys = [codec.root_key(p["sk"]["S"].removeprefix("member#")) for p in pointers]
        roots = self._batch_get(keys)
        members = [r for r in roots if codec.integer(r, "digest_id", -1) == digest_id]
        return sorted(members, key=lambda r: -(codec.number(r, "state_time") or 0.0))

    def digest_sending(self, digest_id: int, owner: str, until: datetime, now: datetime) -> Sending:
        expression = "SET #in_flight = :yes, #sender = :me, #sending_until = :until"
        condition = (
            "attribute_exists(pk) AND attribute_not_exists(#ts) AND (#in_flight = :no"
            " OR attribute_not_exists(#sending_until) OR #sending_until <= :now"
            " OR #sender = :me)"
        )
        try:
            answer = self._call(
                "update_item",
                expected=("ConditionalCheckFailedException",),
                Key=codec.digest_key(digest_id),
                UpdateExpression=expression,
                ConditionExpression=condition,
                ExpressionAttributeNames=codec.names(f"{expression} {condition}"),
                ExpressionAttributeValues={
                    ":yes": {"BOOL": True},
                    ":no": {"BOOL": False},
                    ":me": s(owner),
                    ":until": n(until.timestamp()),
                    ":now": n(now.timestamp()),
                },
                ReturnValues="ALL_OLD",
            )
        except ClientError:
            return Sending.BUSY  # posted, unknown, or another replica's live mark
        was = answer.get("Attributes", {}).get("in_flight", {}).get("BOOL", False)
        return Sending.AGAIN if was else Sending.FIRST

    def digest_posted(self, digest_id: int, channel: str, ts: str, now: datetime) -> None:
        """Members first, then the digest: after a crash between, the digest is still in
        flight, found again and recorded again."""
        moved = "SET #channel = :channel, #ts = :ts"
        for member in self._members(digest_id):
            with suppress(ClientError):  # it left the digest meanwhile
                self._call(
                    "update_item",
                    expected=("ConditionalCheckFailedException",),
                    Key=codec.key(member["pk"]["S"]),
                    UpdateExpression=moved,
                    ConditionExpression="#digest_id = :digest",
                    ExpressionAttributeNames={**codec.names(moved), "#digest_id": "digest_id"},
                    ExpressionAttributeValues={
                        ":channel": s(channel),
                        ":ts": s(ts),
                        ":digest": n(digest_id),
                    },
                )
        self._write(
            digest_id,
            "SET #posted_channel = :channel, #ts = :ts, #refreshed = :now, #dirty = :no,"
            " #in_flight = :no REMOVE #gpk, #gsk",
            {
                ":channel": s(channel),
                ":ts": s(ts),
                ":now": n(now.timestamp()),
                ":no": {"BOOL": False},
            },
        )

    def digest_refreshed(self, digest_id: int, now: datetime) -> None:
        self._write(
            digest_id,
            "SET #refreshed = :now, #dirty = :no REMOVE #gpk, #gsk",
            {":now": n(now.timestamp()), ":no": {"BOOL": False}},
        )

    def _write(self, digest_id: int, expression: str, values: dict[str, Any]) -> None:
        """Update a digest; nothing if there is no such digest (as an SQL UPDATE)."""
        with suppress(ClientError):
            self._call(
                "update_item",
                expected=("ConditionalCheckFailedException",),
                Key=codec.digest_key(digest_id),
                UpdateExpression=expression,
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeNames=codec.names(expression),
                ExpressionAttributeValues=values,
            )


def _dirty(digest_id: int) -> dict[str, Any]:
    """The values that put a digest in the index of digests to refresh."""
    return {":yes": {"BOOL": True}, ":gpk": s(DIRTY), ":gsk": s(f"{digest_id:020d}")}
