"""The DynamoDB store's audit: every incident transition, every silence, every refused
command. An incident's entries are items of its own partition (`audit#<version>`), put in
the transaction of the change they record; entries of no incident (silences, refusals)
share the `audit` partition, in time order."""

from __future__ import annotations

import uuid
from datetime import datetime

from bot.core.incident import Source, State
from bot.store.dynamodb.codec import Item, audit_key, n, number, s, text
from bot.store.dynamodb.expiry import expiring
from bot.store.dynamodb.table import TableAccess


class AuditTable(TableAccess):
    def audit(self, incident_id: int) -> list[dict[str, object]]:
        return [audit_entry(item) for item in self._partition(f"incident#{incident_id}", "audit#")]

    def record_refusal(
        self, actor: str, what: str, now: datetime, source: Source = Source.COMMAND
    ) -> None:
        record = audit_record(
            None,
            0,
            now.timestamp(),
            actor,
            source.value,
            "refused",
            None,
            None,
            what,
            uuid.uuid4().hex,
        )
        (put,) = expiring([{"Put": {"Item": record}}], self.retention, now.timestamp())
        self._call("put_item", Item=put["Put"]["Item"])


def audit_entry(item: Item) -> dict[str, object]:
    return {
        "at": number(item, "at"),
        "actor": text(item, "actor"),
        "source": text(item, "source"),
        "action": text(item, "action"),
        "from_state": text(item, "from_state"),
        "to_state": text(item, "to_state"),
        "note": text(item, "note"),
    }


def audit_record(
    incident_id: int | None,
    seq: int,
    at: float,
    actor: str,
    source: str,
    action: str,
    from_state: State | None,
    to_state: State | None,
    note: str | None,
    tag: str = "",
) -> Item:
    """An audit entry: under its incident as entry `seq`, or, with no incident, in the
    `audit` partition at time `at` (`tag` keeps entries of one moment apart)."""
    record: Item = {
        **audit_key(incident_id, seq, at, tag),
        "at": n(at),
        "actor": s(actor),
        "source": s(source),
        "action": s(action),
    }
    if incident_id is not None:
        record["incident_id"] = n(incident_id)
    for name, value in (
        ("from_state", from_state.value if from_state else None),
        ("to_state", to_state.value if to_state else None),
        ("note", note),
    ):
        if value is not None:
            record[name] = s(value)
    return record
