"""The DynamoDB store's incidents.

An unresolved incident holds its series' lock item, put with attribute_not_exists and
deleted when the incident resolves, both in the transaction that changes the incident: at
most one unresolved incident per series. Every change puts the whole incident item on
the condition that its `version` is the one read (compare-and-set); a refused condition
returns the winner's item (ReturnValuesOnConditionCheckFailure=ALL_OLD) and the action is
judged again against it, so two concurrent attempts behave as if one came after the other.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from bot.core.errors import StoreError
from bot.core.events import Event
from bot.core.incident import (
    ALLOWED,
    TARGET,
    Action,
    Incident,
    Source,
    State,
    Transition,
    due,
)
from bot.store.dynamodb import codec, incident_writes, record_items
from bot.store.dynamodb.codec import TIMERS, UNRESOLVED, Item
from bot.store.dynamodb.expiry import expiring
from bot.store.dynamodb.table import TRIES, Cancelled, TableAccess, retry_or_raise
from bot.store.records import IncidentChange, Notice


class IncidentTable(TableAccess):
    # --- reads

    def incident(self, incident_id: int) -> Incident | None:
        item = self._get(codec.incident_key(incident_id))
        return record_items.incident(item) if item else None

    def incident_for_key(self, key: str) -> Incident | None:
        for pointer in self._partition(f"key#{key}", ScanIndexForward=False, Limit=1):
            return self.incident(int(pointer["sk"]["S"].removeprefix("incident#")))
        return None

    def incidents_for_keys(self, keys: Sequence[str]) -> dict[str, Incident]:
        """One query a key: a resource's pointers are a partition of their own."""
        found = {key: self.incident_for_key(key) for key in dict.fromkeys(keys)}
        return {key: incident for key, incident in found.items() if incident is not None}

    def unresolved_incidents(self) -> list[Incident]:
        return [i for i in self._incidents(self._index(UNRESOLVED)) if i.state != State.RESOLVED]

    def due_incident_work(self, now: datetime) -> list[Incident]:
        return [
            i
            for i in self._incidents(self._index(TIMERS, codec.due_bound(now.timestamp())))
            if (
                i.state == State.OPEN
                and i.next_renotify_at is not None
                and i.next_renotify_at <= now
            )
            or (i.state == State.SNOOZED and i.snoozed_until is not None and i.snoozed_until <= now)
        ]

    def _incidents(self, rows: Any) -> list[Incident]:
        """The incidents that index rows point at, read again from the table, by id."""
        ids = {int(row["gsk"]["S"].rsplit("#", 1)[-1]) for row in rows}
        items = self._batch_get([codec.incident_key(i) for i in sorted(ids)])
        return sorted((record_items.incident(item) for item in items), key=lambda i: i.id)

    # --- writes

    def transition(
        self,
        incident_id: int,
        action: Action,
        actor: str,
        source: Source,
        now: datetime,
        *,
        until: datetime | None = None,
        renotify_at: datetime | None = None,
        notice: Notice | None = None,
        note: str | None = None,
    ) -> Transition:
        current_item = self._get(codec.incident_key(incident_id))
        notice_id: int | None = None
        for attempt in range(TRIES):
            if current_item is None:
                return Transition(False, None)
            current = record_items.incident(current_item)
            if current.state not in ALLOWED[action] or not due(current, action, now):
                return Transition(False, current)
            target = TARGET[action]
            updated = incident_writes.changed(
                current_item,
                now,
                state=target,
                actor=actor,
                action=action.value,
                snoozed_until=until if until and target == State.SNOOZED else None,
                renotify_count=current.renotify_count + (1 if action == Action.RENOTIFY else 0),
                next_renotify_at=renotify_at,
                note=note,
            )
            ops = incident_writes.compare_and_set(
                self.table, current_item, updated, source, current.state, note
            )
            if notice is not None:
                notice_id = notice_id or self._allocate("outbox")
                ops += record_items.notice_puts(
                    self.table, notice_id, current.key, notice, now.timestamp()
                )
            try:
                self._transact(expiring(ops, self.retention, now.timestamp()))
            except Cancelled as cancelled:
                if cancelled.codes[0] == "ConditionalCheckFailed":
                    current_item = cancelled.items[0] or self._get(codec.incident_key(incident_id))
                    continue  # someone else changed it first: judge the action again
                retry_or_raise(cancelled, attempt, self.table)
                current_item = self._get(codec.incident_key(incident_id))
                continue
            return Transition(True, record_items.incident(updated))
        raise StoreError(f"DynamoDB store {self.table}: incident #{incident_id} stayed busy")

    def _event_ops(
        self,
        event: Event,
        change: IncidentChange,
        now: datetime,
        new_id: Callable[[], int],
        notice_id: int | None,
    ) -> list[Item]:
        """What an accepted event does to its series' incident, each item with its
        lifetime (bot.store.dynamodb.expiry)."""
        ops = self._incident_ops(event, change, now, new_id, notice_id)
        return expiring(ops, self.retention, now.timestamp())

    def _incident_ops(
        self,
        event: Event,
        change: IncidentChange,
        now: datetime,
        new_id: Callable[[], int],
        notice_id: int | None,
    ) -> list[Item]:
        """What an accepted event does to its series' incident, as transaction items built
        from consistent reads (bot.store.sqlite.incidents' _apply_change, item by item)."""
        series = event.series or event.key
        lock = self._get(codec.lock_key(series))
        if change.open and lock is None:
            return incident_writes.opening(self.table, event, change, series, new_id(), now)
        if not (change.open or change.resolve) or lock is None:
            return []
        incident_id = codec.integer(lock, "incident")
        current = self._get(codec.incident_key(incident_id))
        if current is None:
            return []
        if change.resolve:
            return incident_writes.recovery(self.table, event, change, current, now, notice_id)
        if event.key == codec.required(current, "okey") or self._get(
            codec.by_key_key(event.key, incident_id)
        ):
            return []  # the run that opened it, or one already counted
        return incident_writes.joining(self.table, event, change, current, now, notice_id)
