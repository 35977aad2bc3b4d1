"""Delivery's writes (bot.store.writes) as the items of one DynamoDB transaction: pure
functions bot.store.dynamodb.outbox's `write` sends.

A transaction may touch each item once, so the writes are folded first: those of one
outbox item into one update (or its deletion, once it is complete), those of one root into
one put or one conditional update, as applying them in order would leave it. An update
whose condition fails (the item is gone, the root already shows a newer state) would
change nothing in SQL either: the caller drops it and sends the rest again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import timedelta
from typing import Any

from bot.core.ordering import order
from bot.store.dynamodb.codec import Item, due_sort, n, names, outbox_key, pointer_key, s
from bot.store.dynamodb.roots import root_advance, root_record
from bot.store.dynamodb.table import TRANSACT_BYTES, TRANSACT_ITEMS
from bot.store.writes import AdvanceState, ItemChange, SetRoot, Write, item_changes


def fold(
    writes: Sequence[Write],
) -> tuple[dict[int, ItemChange], dict[str, SetRoot | AdvanceState]]:
    """The writes folded per outbox item (bot.store.writes.item_changes) and per root, each
    as applying them in order would leave it."""
    roots: dict[str, SetRoot | AdvanceState] = {}
    for write in writes:
        if isinstance(write, SetRoot | AdvanceState):
            roots[write.key] = _root_after(roots.get(write.key), write)
    return item_changes(writes), roots


def _root_after(
    earlier: SetRoot | AdvanceState | None, write: SetRoot | AdvanceState
) -> SetRoot | AdvanceState:
    if earlier is None or isinstance(write, SetRoot):
        return write
    if order(write.event) <= order(earlier.event):
        return earlier  # the later advance would not move the root: the earlier one stands
    decision = write.decision or earlier.decision
    if isinstance(earlier, SetRoot):
        return replace(earlier, event=write.event, decision=decision)
    return AdvanceState(write.key, write.event, decision)


def transactions(
    table: str,
    writes: Sequence[Write],
    resource_of: Callable[[int], str | None],
    roots_kept: timedelta,
) -> list[list[Item]]:
    """The transaction items applying `writes`, in as few transactions as DynamoDB's limits
    allow (TRANSACT_ITEMS, TRANSACT_BYTES): a batch of 64 items' records (a root each, an
    item's deletion and its pointer's) is more than one holds. The items of one outbox item
    stay in one transaction. Items whose resource is unknown (long gone) are left out, as
    their SQL UPDATE would change nothing."""
    chunks: list[list[Item]] = []
    size = 0
    for group in _groups(table, writes, resource_of, roots_kept):
        weight = sum(len(repr(op)) for op in group)
        if (
            not chunks
            or len(chunks[-1]) + len(group) > TRANSACT_ITEMS
            or size + weight > TRANSACT_BYTES
        ):
            chunks.append([])
            size = 0
        chunks[-1] += group
        size += weight
    return chunks


def _groups(
    table: str,
    writes: Sequence[Write],
    resource_of: Callable[[int], str | None],
    roots_kept: timedelta,
) -> Iterator[list[Item]]:
    items, roots = fold(writes)
    for root in roots.values():
        if isinstance(root, SetRoot):
            yield [{"Put": {"TableName": table, "Item": root_record(root, roots_kept)}}]
        else:
            yield [{"Update": {"TableName": table, **root_advance(root, roots_kept)}}]
    for item_id, change in items.items():
        resource = resource_of(item_id)
        if resource is None:
            continue
        if change.done:
            yield [
                {"Delete": {"TableName": table, "Key": outbox_key(resource, item_id)}},
                {"Delete": {"TableName": table, "Key": pointer_key(item_id)}},
            ]
            continue
        yield [{"Update": {"TableName": table, **_item_update(resource, item_id, change)}}]


def _item_update(resource: str, item_id: int, change: ItemChange) -> dict[str, Any]:
    sets: list[str] = []
    values: dict[str, Any] = {}
    if change.stage is not None:
        sets.append("#stage = :stage")
        values[":stage"] = n(change.stage)
    if change.in_flight is not None:
        sets.append("#in_flight = :in_flight")
        values[":in_flight"] = {"BOOL": change.in_flight}
    if change.next_attempt is not None:
        sets += ["#next_attempt = :when", "#gsk = :gsk", "#last_error = :error"]
        values[":when"] = n(change.next_attempt)
        values[":gsk"] = s(due_sort(change.next_attempt, item_id))
        values[":error"] = s(change.error or "")
    expression = "SET " + ", ".join(sets)
    if change.attempts:
        expression += " ADD #attempts :count"
        values[":count"] = n(change.attempts)
    return {
        "Key": outbox_key(resource, item_id),
        "UpdateExpression": expression,
        "ConditionExpression": "attribute_exists(pk)",
        "ExpressionAttributeNames": names(expression),
        "ExpressionAttributeValues": values,
    }
