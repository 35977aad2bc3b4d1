"""Events mlpulse has no table for: shown with what can be found, never dropped."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from bot.core.events import Fact, Kind
from bot.core.outcomes import status_word
from bot.kinds.paths import Raw, first_resource_tail, text
from bot.kinds.spec import KindSpec

_MAX_FACTS = 6
_MAX_FACT_CHARS = 200


def _scalars(event: Raw) -> list[tuple[str, Any]]:
    body = event.get("detail")
    if not isinstance(body, dict):
        return []
    return [(k, v) for k, v in body.items() if isinstance(v, str | int | float | bool)]


def _named_field(event: Raw) -> str | None:
    for key, value in _scalars(event):
        if key.lower().endswith("name") and isinstance(value, str) and value:
            return value
    return None


def _name(event: Raw) -> str | None:
    return _named_field(event) or first_resource_tail(event) or text(event.get("source"))


def _digest(event: Raw) -> str:
    """A resource for an event that names none: its content, so that unrelated unnamed
    events never share (and overwrite) one root message."""
    canonical = json.dumps(event, sort_keys=True, default=str)
    return "event/" + hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _status(event: Raw) -> str | None:
    for key, value in _scalars(event):
        lowered = key.lower()
        if (lowered.endswith("status") or lowered in ("state", "status")) and isinstance(
            value, str
        ):
            return value
    return None


def _facts(event: Raw) -> list[Fact]:
    found = []
    for key, value in _scalars(event)[:_MAX_FACTS]:
        shown = text(value)
        if shown and len(shown) <= _MAX_FACT_CHARS:
            found.append(Fact(label=key, value=shown))
    return found


def _phrase(status: str, previous: str | None) -> str | None:
    """No status found (normalize says `unknown`): the headline names the event only."""
    return "" if status_word(status) == "unknown" else None


UNKNOWN = KindSpec(
    kind=Kind.UNKNOWN,
    title="Event",
    name=_name,
    status=_status,
    key=lambda event: first_resource_tail(event) or _named_field(event) or _digest(event),
    facts=_facts,
    phrase=_phrase,
)
