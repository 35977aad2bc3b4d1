"""The DynamoDB store's silences: one partition, few items.

A silence and its announcement are put in one transaction; its end is announced by the
one writer whose conditional update flips `announced`, together with the notice."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from bot.core.incident import Source
from bot.store.dynamodb import codec, record_items
from bot.store.dynamodb.audit import audit_record
from bot.store.dynamodb.codec import Item, n, put, s
from bot.store.dynamodb.expiry import expiring
from bot.store.dynamodb.table import TRIES, Cancelled, TableAccess, retry_or_raise
from bot.store.records import Notice, Silence


class SilenceTable(TableAccess):
    def add_silence(
        self,
        pattern: str,
        until: datetime,
        actor: str,
        channel: str,
        now: datetime,
        announce: Callable[[Silence], Notice] | None = None,
    ) -> Silence:
        silence = Silence(self._allocate("silence"), pattern, actor, now, until, channel)
        stamp = now.timestamp()
        record: Item = {
            **codec.silence_key(silence.id),
            "id": n(silence.id),
            "pattern": s(pattern),
            "created_by": s(actor),
            "created_at": n(stamp),
            "until": n(until.timestamp()),  # `expires_at` is the table's TTL
            "channel": s(channel),
            "held": n(0),
            "announced": {"BOOL": False},
        }
        note = f"{pattern} until {until:%Y-%m-%d %H:%M} UTC"
        audit = audit_record(
            None,
            0,
            stamp,
            actor,
            Source.COMMAND.value,
            "silence",
            None,
            None,
            note,
            uuid.uuid4().hex,
        )
        ops = [put(self.table, record, "attribute_not_exists(pk)"), put(self.table, audit)]
        if announce is not None:  # in the same transaction: never a silent silence
            notice_id = self._allocate("outbox")
            ops += record_items.notice_puts(
                self.table, notice_id, f"silence:{silence.id}", announce(silence), stamp
            )
        self._transact_retrying(expiring(ops, self.retention, stamp))
        return silence

    def _silences(self) -> list[tuple[Silence, bool]]:
        return sorted(
            (
                (record_items.silence(item), bool(item.get("announced", {}).get("BOOL")))
                for item in self._partition("silences")
            ),
            key=lambda pair: pair[0].id,
        )

    def active_silences(self, now: datetime) -> list[Silence]:
        return [silence for silence, _ in self._silences() if silence.expires_at > now]

    def expire_silences(
        self, now: datetime, announce: Callable[[Silence], Notice] | None = None
    ) -> list[Silence]:
        ended = []
        for silence, announced in self._silences():
            if announced or silence.expires_at > now:
                continue
            if self._announce_end(silence, now, announce):
                ended.append(silence)
        return ended

    def _announce_end(
        self, silence: Silence, now: datetime, announce: Callable[[Silence], Notice] | None
    ) -> bool:
        """Mark `silence` announced and queue its notice, unless another writer did."""
        ops: list[Item] = [
            {
                "Update": {
                    "TableName": self.table,
                    "Key": codec.silence_key(silence.id),
                    "UpdateExpression": "SET #announced = :yes",
                    "ConditionExpression": "#announced = :no",
                    "ExpressionAttributeNames": {"#announced": "announced"},
                    "ExpressionAttributeValues": {":yes": {"BOOL": True}, ":no": {"BOOL": False}},
                }
            }
        ]
        if announce is not None:
            notice_id = self._allocate("outbox")
            ops += record_items.notice_puts(
                self.table, notice_id, f"silence:{silence.id}", announce(silence), now.timestamp()
            )
        for attempt in range(TRIES):
            try:
                self._transact(ops)
                return True
            except Cancelled as cancelled:
                if cancelled.codes[0] == "ConditionalCheckFailed":
                    return False
                retry_or_raise(cancelled, attempt, self.table)
        return False
