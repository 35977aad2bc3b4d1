"""The DynamoDB store's items as the records the rest of mlpulse sees (bot.store.records),
and the outbox items it writes for them (the audit's are bot.store.dynamodb.audit's)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.events import Event
from bot.core.incident import Action, Incident, State
from bot.store.dynamodb.codec import (
    HELD,
    OUTBOX_DUE,
    PARKED,
    PENDING,
    Item,
    b,
    due_sort,
    integer,
    moment,
    n,
    outbox_key,
    packed,
    pointer_key,
    put,
    required,
    s,
    text,
)
from bot.store.records import Digest, Notice, OutboxItem, Silence, decode_decision

_STATE = {PENDING: "pending", HELD: "held", PARKED: "undeliverable"}
_EPOCH = datetime.fromtimestamp(0, UTC)


def outbox_record(
    item_id: int,
    resource: str,
    stamp: float,
    *,
    prefix: str = PENDING,
    event: str | None = None,
    decision: str | None = None,
    notice: str | None = None,
) -> Item:
    """A new outbox item; pending ones are in the due index."""
    record: Item = {
        **outbox_key(resource, item_id, prefix),
        "id": n(item_id),
        "okey": s(resource),
        "created": n(stamp),
        "next_attempt": n(stamp),
        "attempts": n(0),
        "stage": n(0),
        "in_flight": b(False),
        "state": s(_STATE[prefix]),
    }
    if prefix == PENDING:
        record["gpk"], record["gsk"] = s(OUTBOX_DUE), s(due_sort(stamp, item_id))
    for name, value in (("event", event), ("decision", decision), ("notice", notice)):
        if value is not None:
            record[name] = packed(value)
    return record


def notice_puts(
    table: str, item_id: int, resource: str, notice: Notice, stamp: float
) -> list[Item]:
    """The transaction items queueing `notice`: the outbox item and its id pointer."""
    record = outbox_record(item_id, resource, stamp, notice=notice.encode())
    return [put(table, record), put(table, {**pointer_key(item_id), "okey": s(resource)})]


def outbox_item(item: Item) -> OutboxItem:
    event = text(item, "event")
    notice = text(item, "notice")
    return OutboxItem(
        id=integer(item, "id"),
        key=required(item, "okey"),
        event=Event.model_validate_json(event) if event else None,
        decision=decode_decision(text(item, "decision")),
        attempts=integer(item, "attempts"),
        stage=integer(item, "stage"),
        created=moment(item, "created") or _EPOCH,
        next_attempt=moment(item, "next_attempt") or _EPOCH,
        in_flight=bool(item.get("in_flight", {}).get("BOOL", False)),
        notice=Notice.decode(notice) if notice else None,
    )


def incident(item: Item) -> Incident:
    last = text(item, "last_action")
    return Incident(
        id=integer(item, "id"),
        series=required(item, "series"),
        key=required(item, "okey"),
        title=required(item, "title"),
        state=State(required(item, "state")),
        opened_at=moment(item, "opened_at") or _EPOCH,
        updated_at=moment(item, "updated_at") or _EPOCH,
        actor=text(item, "actor"),
        last_action=Action(last)
        if last is not None and last in Action._value2member_map_
        else None,
        snoozed_until=moment(item, "snoozed_until"),
        renotify_count=integer(item, "renotify_count"),
        next_renotify_at=moment(item, "next_renotify_at"),
        note=text(item, "note"),
        since=moment(item, "since"),
        failures=integer(item, "failures", 1),
        last_failure_at=moment(item, "last_failure_at"),
    )


def silence(item: Item) -> Silence:
    return Silence(
        id=integer(item, "id"),
        pattern=required(item, "pattern"),
        created_by=required(item, "created_by"),
        created_at=moment(item, "created_at") or _EPOCH,
        # `until` since the table's TTL took the name `expires_at` (older items have that)
        expires_at=moment(item, "until") or moment(item, "expires_at") or _EPOCH,
        channel=required(item, "channel"),
        held=integer(item, "held"),
    )


def digest(item: Item) -> Digest:
    return Digest(
        id=integer(item, "id"),
        channel=required(item, "channel"),
        opened=moment(item, "opened") or _EPOCH,
        posted_channel=text(item, "posted_channel"),
        ts=text(item, "ts"),
        refreshed=moment(item, "refreshed"),
        dirty=bool(item.get("dirty", {}).get("BOOL", False)),
        in_flight=bool(item.get("in_flight", {}).get("BOOL", False)),
    )
