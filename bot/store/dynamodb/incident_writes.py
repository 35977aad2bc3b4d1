"""The items of an incident change, built from what was read: pure functions the DynamoDB
store's transactions are made of (bot.store.dynamodb.incidents reads and writes them)."""

from __future__ import annotations

from datetime import datetime

from bot.core.events import Event
from bot.core.incident import (
    AUTOMATIC,
    FAILED_AGAIN,
    Action,
    Source,
    State,
    failed_again,
    recovered_by,
)
from bot.store.dynamodb import codec, record_items
from bot.store.dynamodb.audit import audit_record
from bot.store.dynamodb.codec import TIMERS, UNRESOLVED, Item, n, put, s
from bot.store.records import IncidentChange


def opening(
    table: str, event: Event, change: IncidentChange, series: str, incident_id: int, now: datetime
) -> list[Item]:
    """A new open incident for `series`, its lock (put only if the series has none), its
    audit and its place among the resource's incidents."""
    stamp = now.timestamp()
    opened = changed(
        {**codec.incident_key(incident_id), "id": n(incident_id), "version": n(0)},
        now,
        state=State.OPEN,
        actor=AUTOMATIC,
        action="open",
        next_renotify_at=change.renotify_at,
        note=None,
        series=s(series),
        okey=s(event.key),
        title=s(change.note or event.name),
        opened_at=n(stamp),
        since=n(event.time.timestamp()),
    )
    audit = audit_record(
        incident_id, 1, stamp, AUTOMATIC, Source.AUTO.value, "open", None, State.OPEN, change.note
    )
    lock = {
        **codec.lock_key(series),
        "incident": n(incident_id),
        "gpk": s(UNRESOLVED),
        "gsk": s(f"{incident_id:020d}"),
    }
    by_key = {**codec.by_key_key(event.key, incident_id), "incident": n(incident_id)}
    return [
        put(table, opened, "attribute_not_exists(pk)"),
        put(table, lock, "attribute_not_exists(pk)"),
        put(table, audit),
        put(table, by_key),
    ]


def recovery(
    table: str,
    event: Event,
    change: IncidentChange,
    current: Item,
    now: datetime,
    notice_id: int | None,
) -> list[Item]:
    """The automatic resolve of `current` by `event`, with its notice; nothing if the
    event is older than the failure that opened it (an OK sent before the ALARM)."""
    incident = record_items.incident(current)
    if not recovered_by(incident, event.time):
        return []
    note = change.note
    updated = changed(
        current,
        now,
        state=State.RESOLVED,
        actor=AUTOMATIC,
        action=Action.AUTO_RESOLVE.value,
        renotify_count=incident.renotify_count,
        note=note,
    )
    ops = compare_and_set(table, current, updated, Source.AUTO, incident.state, note)
    if notice_id is not None and change.notice is not None:
        ops += record_items.notice_puts(
            table, notice_id, incident.key, change.notice, now.timestamp()
        )
    return ops


def joining(
    table: str,
    event: Event,
    change: IncidentChange,
    current: Item,
    now: datetime,
    notice_id: int | None,
) -> list[Item]:
    """A repeat failure of `current`'s series by `event`'s resource: its count and times,
    the resource among the incident's (put only if absent: counted once), the audit and the
    thread line (bot.store.sqlite.incidents' _join, item by item). Who last acted on the
    incident and when stay as they were: a failure is no one's transition."""
    incident = record_items.incident(current)
    repeat = failed_again(incident, event.time, change.renotify_at, change.max_renotify)
    joined = repeat.incident
    updated = changed(
        current,
        now,
        state=incident.state,
        actor=codec.required(current, "actor"),
        action=codec.required(current, "last_action"),
        snoozed_until=incident.snoozed_until,
        renotify_count=joined.renotify_count,
        next_renotify_at=joined.next_renotify_at,
        note=incident.note,
        failures=n(joined.failures),
        since=n((joined.since or event.time).timestamp()),
        last_failure_at=n((joined.last_failure_at or event.time).timestamp()),
    )
    updated["updated_at"] = current["updated_at"]
    version = codec.integer(updated, "version")
    stamp = now.timestamp()
    audit = audit_record(
        incident.id,
        version,
        stamp,
        AUTOMATIC,
        Source.AUTO.value,
        FAILED_AGAIN,
        incident.state,
        incident.state,
        event.key,
    )
    member = {**codec.by_key_key(event.key, incident.id), "incident": n(incident.id)}
    ops = [
        _put_unchanged(table, updated, version - 1),
        put(table, audit),
        put(table, member, "attribute_not_exists(pk)"),
    ]
    if notice_id is not None and change.repeated is not None:
        notice = change.repeated(repeat)
        ops += record_items.notice_puts(table, notice_id, incident.key, notice, stamp)
    return ops


def _put_unchanged(table: str, item: Item, version: int) -> Item:
    """Put `item` if the incident is still at `version`; if not, the winner's item comes
    back with the refusal."""
    return {
        "Put": {
            "TableName": table,
            "Item": item,
            "ConditionExpression": "#version = :version",
            "ExpressionAttributeNames": {"#version": "version"},
            "ExpressionAttributeValues": {":version": n(version)},
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
    }


def compare_and_set(
    table: str,
    current: Item,
    updated: Item,
    source: Source,
    from_state: State,
    note: str | None,
) -> list[Item]:
    """Put `updated` over `current` if nobody changed it since, audit it, and release
    the series when it resolves."""
    incident_id = codec.integer(current, "id")
    version = codec.integer(updated, "version")
    ops: list[Item] = [
        _put_unchanged(table, updated, version - 1),
        put(
            table,
            audit_record(
                incident_id,
                version,
                codec.number(updated, "updated_at") or 0.0,
                codec.required(updated, "actor"),
                source.value,
                codec.required(updated, "last_action"),
                from_state,
                State(codec.required(updated, "state")),
                note,
            ),
        ),
    ]
    if codec.required(updated, "state") == State.RESOLVED:
        ops.append(
            {
                "Delete": {
                    "TableName": table,
                    "Key": codec.lock_key(codec.required(current, "series")),
                    "ConditionExpression": "attribute_not_exists(pk) OR #incident = :id",
                    "ExpressionAttributeNames": {"#incident": "incident"},
                    "ExpressionAttributeValues": {":id": n(incident_id)},
                }
            }
        )
    return ops


def changed(
    base: Item,
    now: datetime,
    *,
    state: State,
    actor: str,
    action: str,
    snoozed_until: datetime | None = None,
    renotify_count: int = 0,
    next_renotify_at: datetime | None = None,
    note: str | None,
    **extra: dict[str, str],
) -> Item:
    """`base` with a transition applied: the next version, and in the timer index when a
    re-notify or a snooze end lies ahead."""
    item: Item = {
        name: value
        for name, value in base.items()
        if name not in ("snoozed_until", "next_renotify_at", "note", "gpk", "gsk", "expires_at")
    }
    item.update(extra)
    item.update(
        state=s(state.value),
        updated_at=n(now.timestamp()),
        actor=s(actor),
        last_action=s(action),
        renotify_count=n(renotify_count),
        version=n(codec.integer(base, "version") + 1),
    )
    if note is not None:
        item["note"] = s(note)
    if snoozed_until is not None:
        item["snoozed_until"] = n(snoozed_until.timestamp())
    if next_renotify_at is not None:
        item["next_renotify_at"] = n(next_renotify_at.timestamp())
    timer = snoozed_until if state == State.SNOOZED else None
    timer = next_renotify_at if state == State.OPEN else timer
    if timer is not None:
        item["gpk"] = s(TIMERS)
        item["gsk"] = s(codec.due_sort(timer.timestamp(), codec.integer(base, "id")))
    return item
