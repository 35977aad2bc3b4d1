"""The DynamoDB store's root messages: one item per resource.
A root only moves forward: advance_state is an update on the condition that the state it
shows is older (bot.core.ordering.order), so of two replicas the newer event wins either way.
A root written before `state_depth` was kept has none: it counts as 0, as in SQLite."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from botocore.exceptions import ClientError

from bot.core.decision import Decision
from bot.core.events import Event
from bot.core.ordering import order
from bot.store.dynamodb.codec import Item, expiry, n, names, packed, required, root_key, s, text
from bot.store.dynamodb.table import TableAccess
from bot.store.records import (
    RootMessage,
    decode_decision,
    decode_event,
    encode_decision,
    encode_event,
)
from bot.store.writes import AdvanceState, SetRoot

_MISSING = ("ConditionalCheckFailedException",)


class RootTable(TableAccess):
    def root(self, key: str) -> RootMessage | None:
        item = self._get(root_key(key))
        return None if item is None else _root_message(key, item)

    def roots(self, keys: Sequence[str]) -> dict[str, RootMessage]:
        wanted = list(dict.fromkeys(keys))
        by_pk = {root_key(key)["pk"]["S"]: key for key in wanted}
        found = self._batch_get([root_key(key) for key in wanted])
        return {by_pk[i["pk"]["S"]]: _root_message(by_pk[i["pk"]["S"]], i) for i in found}

    def set_root(
        self, key: str, channel: str, ts: str, event: Event, decision: Decision | None = None
    ) -> None:
        write = SetRoot(key, channel, ts, event, decision)
        self._call("put_item", Item=root_record(write, self.retention.roots))

    def advance_state(self, key: str, event: Event, decision: Decision | None = None) -> bool:
        """A conditional update: only a root showing an older state (ordering.order) moves."""
        try:
            self._call(
                "update_item",
                expected=_MISSING,
                **root_advance(AdvanceState(key, event, decision), self.retention.roots),
            )
        except ClientError:
            return False
        return True


def root_record(write: SetRoot, kept: timedelta) -> Item:
    """The root item `write` puts, in place of any the resource had; it expires `kept`
    after the time of the state it shows (as the SQLite store prunes it)."""
    when, rank, depth = order(write.event)
    return {
        "expires_at": expiry(when, kept),
        **root_key(write.key),
        "channel": s(write.channel),
        "ts": s(write.ts),
        "state_time": n(when),
        "state_rank": n(rank),
        "state_depth": n(depth),
        "event": packed(encode_event(write.event)),
        "decision": s(encode_decision(write.decision)),
    }


def root_advance(write: AdvanceState, kept: timedelta) -> Item:
    """The parameters of the update that moves a root to `write.event`, on the condition
    that the root shows an older state."""
    when, rank, depth = order(write.event)
    expression = (
        "SET #state_time = :t, #state_rank = :r, #state_depth = :d, #event = :event,"
        " #expires_at = :expires"
    )
    values: dict[str, Any] = {
        ":expires": expiry(when, kept),
        ":t": n(when),
        ":r": n(rank),
        ":d": n(depth),
        ":event": packed(encode_event(write.event)),
    }
    deeper = "#state_depth < :d"
    if depth > 0:
        deeper = f"({deeper} OR attribute_not_exists(#state_depth))"
    older = (
        "attribute_exists(pk) AND (#state_time < :t OR (#state_time = :t"
        f" AND (#state_rank < :r OR (#state_rank = :r AND {deeper}))))"
    )
    if write.decision is not None:
        expression += ", #decision = :decision"
        values[":decision"] = s(encode_decision(write.decision))
    return {
        "Key": root_key(write.key),
        "UpdateExpression": expression,
        "ConditionExpression": older,
        "ExpressionAttributeNames": names(expression),
        "ExpressionAttributeValues": values,
    }


def _root_message(key: str, item: Item) -> RootMessage:
    return RootMessage(
        key,
        required(item, "channel"),
        required(item, "ts"),
        decode_event(required(item, "event")),
        decode_decision(text(item, "decision")),
        int(item["digest_id"]["N"]) if "digest_id" in item else None,
    )
