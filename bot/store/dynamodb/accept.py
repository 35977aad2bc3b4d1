"""Accepting events into the DynamoDB store (a part of DynamoDBStore, built on its outbox
and incidents parts).

Each new event is written by one transaction together with everything it implies: a
`seen` item per dedup id (put only if absent), its outbox item, its silence's held count,
its incident change. Events are grouped into transactions of at most 100 items (and well
under the 4 MB a transaction may carry); a group whose condition fails is read again and
rebuilt: an event whose dedup id another writer recorded first is a duplicate, an incident
another writer changed first is judged again. So each event is all-or-nothing, and a
batch too big for one transaction commits event by event, never half an event.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.core.decision import Decision
from bot.core.events import Event
from bot.store.dynamodb import codec, record_items
from bot.store.dynamodb.codec import HELD, Item, n, put
from bot.store.dynamodb.incidents import IncidentTable
from bot.store.dynamodb.outbox import OutboxTable
from bot.store.dynamodb.table import TRANSACT_BYTES, TRANSACT_ITEMS, Cancelled, retry_or_raise
from bot.store.records import IncidentChange, encode_decision

_ITEM_OVERHEAD = 1_000


@dataclass(eq=False)  # one entry is one event of the batch, compared by identity
class _Entry:
    index: int
    event: Event
    ids: tuple[str, ...]
    body: str
    decision: str
    silence: int | None
    change: IncidentChange | None
    item_id: int = 0
    notice_id: int | None = None  # for the notice of an automatic resolve or a repeat failure
    incident_id: int | None = None  # allocated once it opens one, kept across rebuilds

    @property
    def changes_incidents(self) -> bool:
        # A silenced alert opens nothing, but a silenced recovery still resolves.
        return self.change is not None and (self.silence is None or self.change.resolve)

    @property
    def series(self) -> str:
        return self.event.series or self.event.key


class AcceptTable(IncidentTable, OutboxTable):
    def accept(
        self,
        items: Sequence[tuple[Event, Decision]],
        now: datetime,
        changes: Sequence[IncidentChange | None] | None = None,
        held: Sequence[int | None] | None = None,
    ) -> list[bool]:
        accepted = [False] * len(items)
        # Everything is encoded before anything is written: an item that cannot be stored
        # fails the whole batch with nothing recorded.
        entries = [
            _Entry(
                index,
                event,
                event.dedup_ids,
                event.model_dump_json(),
                encode_decision(decision),
                held[index] if held else None,
                changes[index] if changes else None,
            )
            for index, (event, decision) in enumerate(items)
        ]
        claimed = self._seen({dedup_id for entry in entries for dedup_id in entry.ids})
        fresh = []
        for entry in entries:  # the same delivery twice in one batch is one item
            if not claimed.intersection(entry.ids):
                claimed.update(entry.ids)
                fresh.append(entry)
        if not fresh:
            return accepted
        next_id = self._allocate("outbox", sum(1 + _may_notify(e) for e in fresh))
        for entry in fresh:
            entry.item_id, next_id = next_id, next_id + 1
            if _may_notify(entry):
                entry.notice_id, next_id = next_id, next_id + 1
        self._commit(fresh, now, accepted)
        return accepted

    def _seen(self, dedup_ids: set[str]) -> set[str]:
        found = self._batch_get([codec.seen_key(i) for i in sorted(dedup_ids)])
        return {item["pk"]["S"].removeprefix("seen#") for item in found}

    def _commit(self, entries: list[_Entry], now: datetime, accepted: list[bool]) -> None:
        queue = deque(entries)
        missing: set[int] = set()  # silences that no longer exist: nothing to count
        attempt = 0
        while queue:
            chunk, ops, tags = self._chunk(queue, now, missing)
            try:
                self._transact(ops)
            except Cancelled as cancelled:
                settled = False
                for code, (role, subject) in zip(cancelled.codes, tags, strict=False):
                    if code != "ConditionalCheckFailed":
                        continue
                    if role == "seen" and isinstance(subject, _Entry) and subject in chunk:
                        chunk.remove(subject)  # another writer recorded it first
                        settled = True
                    elif role == "silence" and isinstance(subject, int):
                        missing.add(subject)
                        settled = True
                queue.extendleft(reversed(chunk))
                if not settled:
                    retry_or_raise(cancelled, attempt, self.table, conditions=True)
                    attempt += 1
                continue
            attempt = 0
            for entry in chunk:
                accepted[entry.index] = True
                if entry.silence is None:
                    self._remember(entry.item_id, entry.event.key)

    def _chunk(
        self, queue: deque[_Entry], now: datetime, missing: set[int]
    ) -> tuple[list[_Entry], list[Item], list[tuple[str, _Entry | int]]]:
        """The next events for one transaction: at most 100 items, no item twice (events of
        one series wait for the next transaction, held counts are added up per silence)."""
        chunk: list[_Entry] = []
        ops: list[Item] = []
        tags: list[tuple[str, _Entry | int]] = []
        series: set[str] = set()
        counts: Counter[int] = Counter()
        size = 0
        while queue:
            entry = queue[0]
            if entry.changes_incidents and entry.series in series:
                break
            unit, roles = self._entry_ops(entry, now)
            counted = entry.silence is not None and entry.silence not in missing
            extra = int(counted and entry.silence not in counts)
            weight = len(entry.body) + len(entry.decision) + _ITEM_OVERHEAD * len(unit)
            if chunk and (
                len(ops) + len(counts) + len(unit) + extra > TRANSACT_ITEMS
                or size + weight > TRANSACT_BYTES
            ):
                break
            queue.popleft()
            chunk.append(entry)
            ops += unit
            tags += [(role, entry) for role in roles]
            size += weight
            if entry.changes_incidents:
                series.add(entry.series)
            if counted and entry.silence is not None:
                counts[entry.silence] += 1
        for silence_id, count in counts.items():
            ops.append(
                {
                    "Update": {
                        "TableName": self.table,
                        "Key": codec.silence_key(silence_id),
                        "UpdateExpression": "ADD #held :count",
                        "ConditionExpression": "attribute_exists(pk)",
                        "ExpressionAttributeNames": {"#held": "held"},
                        "ExpressionAttributeValues": {":count": n(count)},
                    }
                }
            )
            tags.append(("silence", silence_id))
        return chunk, ops, tags

    def _entry_ops(self, entry: _Entry, now: datetime) -> tuple[list[Item], list[str]]:
        stamp = now.timestamp()
        key = entry.event.key
        life = self.retention
        seen = {"at": n(stamp), "expires_at": codec.expiry(stamp, life.dedup)}
        ops: list[Item] = [
            put(self.table, {**codec.seen_key(i), **seen}, "attribute_not_exists(pk)")
            for i in entry.ids
        ]
        roles = ["seen"] * len(ops)
        if entry.silence is None:
            record = record_items.outbox_record(
                entry.item_id, key, stamp, event=entry.body, decision=entry.decision
            )
            ops += [
                put(self.table, record),
                put(self.table, {**codec.pointer_key(entry.item_id), "okey": codec.s(key)}),
            ]
        else:  # held: stored, counted, never queued
            record = record_items.outbox_record(
                entry.item_id, key, stamp, prefix=HELD, event=entry.body, decision=entry.decision
            )
            record["expires_at"] = codec.expiry(stamp, life.outbox)
            ops.append(put(self.table, record))
        if entry.changes_incidents and entry.change is not None:

            def new_id() -> int:
                if entry.incident_id is None:
                    entry.incident_id = self._allocate("incident")
                return entry.incident_id

            ops += self._event_ops(entry.event, entry.change, now, new_id, entry.notice_id)
        roles += ["item"] * (len(ops) - len(roles))
        return ops, roles


def _may_notify(entry: _Entry) -> bool:
    """Whether the entry may queue a notice: a resolve does, and so does a failure that
    joins an unresolved incident (known only when its transaction is built)."""
    change = entry.change
    return entry.changes_incidents and change is not None and (change.resolve or change.open)
