"""Lenient timestamps: AWS events carry ISO-8601 in several spellings, epoch milliseconds as
numbers or strings, and CodeBuild's `Sep 1, 2017 4:12:29 PM`. Anything unreadable is None,
never an exception: a bad timestamp must not cost the alert."""

from __future__ import annotations

import re
from datetime import UTC, datetime

_OFFSET_WITHOUT_COLON = re.compile(r"([+-]\d{2})(\d{2})$")
_HUMAN_FORMATS = ("%b %d, %Y %I:%M:%S %p", "%d/%m/%y %H:%M:%S")
# Epoch values below this are seconds, above it milliseconds (1e11 s is the year 5138).
_MILLIS_THRESHOLD = 1e11


def parse_time(value: object) -> datetime | None:
    """Return an aware UTC datetime for `value`, or None when it is not a readable time."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return _from_epoch(float(value))
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text:
        return None
    try:
        return _from_epoch(float(text))
    except ValueError:
        pass
    return _from_iso(text) or _from_human(text)


def _from_epoch(number: float) -> datetime | None:
    seconds = number / 1000 if abs(number) >= _MILLIS_THRESHOLD else number
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _from_iso(text: str) -> datetime | None:
    candidate = text.replace("Z", "+00:00") if text.endswith("Z") else text
    candidate = _OFFSET_WITHOUT_COLON.sub(r"\1:\2", candidate)
    try:
        parsed = datetime.fromisoformat(candidate)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _from_human(text: str) -> datetime | None:
    for fmt in _HUMAN_FORMATS:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def utc(value: object) -> datetime | None:
    """A datetime from an SDK answer (boto3 gives naive or aware ones) as aware UTC;
    anything else is None."""
    if not isinstance(value, datetime):
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
