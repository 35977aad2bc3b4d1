"""How the DynamoDB store lays its items out: keys, index values, attribute values.

Times are kept as DynamoDB numbers holding the float timestamp SQLite keeps, so both
stores give back the same datetimes; index sort keys hold them as zero-padded microseconds.
"""

from __future__ import annotations

import zlib
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

Item = dict[str, Any]  # a DynamoDB item in the low-level attribute-value format
INDEX = "gsi1"  # the one global secondary index: gpk (S) / gsk (S), keys only
OUTBOX_DUE = "outbox"  # gpk of pending outbox items; gsk = next_attempt#id
UNRESOLVED = "unresolved"  # gpk of series locks (one per unresolved incident); gsk = id
TIMERS = "timer"  # gpk of incidents with a re-notify or snooze end ahead; gsk = when#id
DIRTY = "dirty"  # gpk of burst digests whose message needs a refresh; gsk = id
PENDING, HELD, PARKED = "p", "h", "x"  # outbox sort key prefixes, by state
_COMPRESS_OVER = 64_000  # bigger payloads are stored zlib-compressed (items max 400 KB)


# --- keys


def key(pk: str, sk: str = "-") -> Item:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def seen_key(dedup_id: str) -> Item:
    return key(f"seen#{dedup_id}")


def counter_key(name: str) -> Item:
    return key("counter", name)


def outbox_key(resource: str, item_id: int, prefix: str = PENDING) -> Item:
    return key(f"outbox#{resource}", f"{prefix}#{item_id:020d}")


def pointer_key(item_id: int) -> Item:
    """Where a pending outbox item's resource key is found from its id alone."""
    return key(f"item#{item_id}")


def root_key(resource: str) -> Item:
    return key(f"root#{resource}")


def incident_key(incident_id: int) -> Item:
    return key(f"incident#{incident_id}", "incident")


def audit_key(incident_id: int | None, seq: int, at: float = 0.0, tag: str = "") -> Item:
    if incident_id is None:  # refusals and silences: one partition, in time order
        return key("audit", f"{micros(at):020d}#{tag}")
    return key(f"incident#{incident_id}", f"audit#{seq:010d}")


def lock_key(series: str) -> Item:
    return key(f"series#{series}", "lock")


def by_key_key(resource: str, incident_id: int) -> Item:
    return key(f"key#{resource}", f"incident#{incident_id:020d}")


def silence_key(silence_id: int) -> Item:
    return key("silences", f"{silence_id:020d}")


def digest_key(digest_id: int) -> Item:
    return key(f"digest#{digest_id}", "digest")


def micros(stamp: float) -> int:
    return max(0, round(stamp * 1_000_000))


def due_sort(stamp: float, item_id: int) -> str:
    return f"{micros(stamp):020d}#{item_id:020d}"


def due_bound(stamp: float) -> str:
    """The largest index sort key due at `stamp`."""
    return f"{micros(stamp):020d}#~"


# --- attribute values


def expiry(stamp: float, lifetime: timedelta) -> dict[str, str]:
    """`expires_at`, the table's TTL attribute: whole epoch seconds, `lifetime` after
    `stamp`; DynamoDB deletes the item some time after that, at no cost."""
    return n(int(stamp + lifetime.total_seconds()))


def names(expression: str) -> dict[str, str]:
    """ExpressionAttributeNames for every `#name` in `expression`."""
    words = expression.replace(",", " ").replace("(", " ").replace(")", " ").split()
    return {word: word[1:] for word in words if word.startswith("#")}


def s(value: str) -> dict[str, str]:
    return {"S": value}


def n(value: float | int) -> dict[str, str]:
    return {"N": format(Decimal(repr(value) if isinstance(value, float) else value), "f")}


def b(value: bool) -> dict[str, bool]:
    return {"BOOL": value}


def packed(text: str) -> dict[str, Any]:
    if len(text) > _COMPRESS_OVER:
        return {"B": zlib.compress(text.encode())}
    return {"S": text}


def unpacked(value: dict[str, Any]) -> str:
    if "B" in value:
        return zlib.decompress(value["B"]).decode()
    return str(value["S"])


def text(item: Item, name: str) -> str | None:
    value = item.get(name)
    if value is None or "NULL" in value:
        return None
    return unpacked(value)


def number(item: Item, name: str) -> float | None:
    value = item.get(name)
    return float(Decimal(value["N"])) if value is not None and "N" in value else None


def integer(item: Item, name: str, default: int = 0) -> int:
    value = item.get(name)
    return int(value["N"]) if value is not None and "N" in value else default


def moment(item: Item, name: str) -> datetime | None:
    value = number(item, name)
    return datetime.fromtimestamp(value, UTC) if value is not None else None


def required(item: Item, name: str) -> str:
    value = text(item, name)
    if value is None:
        raise KeyError(name)
    return value


def put(table: str, item: Item, condition: str | None = None) -> Item:
    """A transaction's Put of `item`, on `condition` if given."""
    request: dict[str, Any] = {"TableName": table, "Item": item}
    if condition is not None:
        request["ConditionExpression"] = condition
    return {"Put": request}
