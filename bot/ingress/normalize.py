"""A raw EventBridge-shaped dict, plus what its envelopes said, becomes one `Event`."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from bot.core.events import Event, Fact, Kind, Link, Outcome
from bot.core.outcomes import outcome_of
from bot.core.text import scrub
from bot.core.timeparse import parse_time
from bot.ingress.region_names import region_code
from bot.kinds import spec_for
from bot.kinds.paths import Raw, dig, number, text

log = logging.getLogger(__name__)
T = TypeVar("T")
# us-east-1, us-gov-west-1, us-isob-east-1, eusc-de-east-1
_REGION = re.compile(r"^[a-z]{2,4}(-[a-z]+){1,2}-\d{1,2}$")
# `2023-08-04T12: 36: 15.490+0000`: a time whose parts someone spaced out after the colons.
_SPACED_TIME = re.compile(r"(?<=\d:)\s+(?=\d)")
_ACCOUNT = re.compile(r"^\d{12}$")
_NO_REGION = re.compile(r"region=(?=[&#;]|$)")
# Bounds on what one event may keep: a 100 KB FailureReason must not bloat the store.
_MAX_NAME = 512
_MAX_TEXT = 8_000
UNREADABLE = "Unreadable event"
# A failure's `reason` is its reason; on any other event the field holds something else (a
# commit message, an exit message), named by the kind's table.
_HAS_REASON = (Outcome.FAILED, Outcome.DEGRADED, Outcome.STOPPED)
_REASON, _DETAILS = "Reason", "Details"  # the subject of an alert for input not taken as an event


@dataclass(frozen=True)
class Origin:
    """How an event reached us: the envelopes it came in and the ids they gave it."""

    envelope: str = "eventbridge"
    message_id: str | None = None


def normalize(event: Raw, origin: Origin, received: datetime) -> Event:
    spec = spec_for(event)
    region = _region(event)

    def get(getter: Callable[[Raw], Any], limit: int = _MAX_NAME) -> str | None:
        return _clip(text(_tolerant(getter, event, None)), limit)

    name = get(spec.name) or "unnamed"
    status = get(spec.status) or "unknown"
    key = get(spec.key or spec.name) or name
    series = get(spec.series) if spec.series else None
    scope = f"{spec.key_scope or spec.kind}:{_account(event) or '-'}:{region or '-'}"
    time = _event_time(_tolerant(spec.time, event, None)) or _event_time(event.get("time"))
    no_links: list[Link] = []
    no_facts: list[Fact] = []
    links = _tolerant(lambda e: spec.links(e, region), event, no_links)
    if region is None:
        # A console link without its region opens the wrong one; the event's own links
        # (a CodeBuild log deep link) carry theirs and stay.
        links = [link for link in links if not _NO_REGION.search(link.url)]
    facts = _instances(
        _tolerant(spec.instance_type, event, None), _tolerant(spec.instance_count, event, None)
    )
    facts += [_clip_fact(fact) for fact in _tolerant(spec.facts, event, no_facts)]
    outcome = outcome_of(status)
    return Event(
        id=_identity(event, origin),
        kind=spec.kind,
        key=f"{scope}:{key}",
        name=name,
        series=f"{scope}:{series}" if series else None,
        title=spec.title if spec.kind != Kind.UNKNOWN else _generic_title(event),
        status=status,
        outcome=outcome,
        time=time or received,
        time_known=time is not None,
        time_source="event" if time is not None else "received",
        previous_status=get(spec.previous_status),
        subject=get(spec.subject),
        reason=get(spec.reason, _MAX_TEXT),
        reason_label=_REASON if outcome in _HAS_REASON else get(spec.reason_label) or _DETAILS,
        account=_account(event),
        region=region,
        source=_clip(text(event.get("source")), _MAX_NAME),
        detail_type=_clip(text(event.get("detail-type")), _MAX_NAME),
        started=_event_time(_tolerant(spec.started, event, None)),
        ended=_event_time(_tolerant(spec.ended, event, None)),
        facts=tuple(facts),
        links=tuple(links),
        tags=_tags(dig(event, "detail.Tags")),
        envelope=origin.envelope,
        approval=_tolerant(spec.approval, event, None),
    )


def text_event(
    message: str,
    subject: str | None,
    topic: str | None,
    origin: Origin,
    received: datetime,
    sent: object = None,
) -> Event:
    """A notification whose body is not JSON: shown as it is, never dropped. `sent` is the
    SNS Timestamp when there is one. The last resort for any input, so it scrubs its own
    text: whatever it is given, the alert can be stored."""
    message = scrub(message)
    subject = scrub(subject) if subject is not None else None
    topic = scrub(topic) if topic is not None else None
    time = parse_time(sent)
    digest = hashlib.sha256(f"{topic}|{subject}|{message}".encode()).hexdigest()
    name = _clip(subject, _MAX_NAME) or (topic.rsplit(":", 1)[-1] if topic else "message")
    return Event(
        id=origin.message_id or f"sha256:{digest[:32]}",
        kind=Kind.UNKNOWN,
        key=f"unknown:-:-:message/{digest[:16]}",
        name=name,
        title="Message",
        status="received",
        outcome=Outcome.UNKNOWN,
        time=time or received,
        # A text has no resource state: two messages alike to the millisecond are still
        # two messages unless SNS says so by their MessageId.
        time_known=False,
        time_source="sent" if time is not None else "received",
        reason=_clip(message, _MAX_TEXT) or "(empty message)",
        reason_label="Message",
        source=_clip(topic, _MAX_NAME),
        envelope=origin.envelope,
    )


def unreadable_event(
    event: Event, problem: str, body: str, origin: Origin, received: datetime
) -> Event:
    """The alert shown instead of `event` when `event` cannot be stored: its message `body`
    as received, and what went wrong (`problem`: an exception's class name, no data). Its id
    derives from the event's, so a redelivery of the same message gives the same alert and
    dedup keeps it to one."""
    shown = text_event(
        f"mlpulse could not store this {event.kind.value} event ({problem}). "
        f"The message as received:\n{body}",
        UNREADABLE,
        None,
        origin,
        received,
    )
    return shown.model_copy(update={"id": _clip(scrub(f"unreadable:{event.id}"), _MAX_NAME)})


def _tolerant(getter: Callable[[Raw], T], event: Raw, default: T) -> T:
    """A getter's answer, or `default` when the event's shape defeats it: a field of an
    unexpected type costs that one field, never the alert."""
    try:
        return getter(event)
    except Exception:
        log.debug("field extraction failed for %s", event.get("detail-type"), exc_info=True)
        return default


def _identity(event: Raw, origin: Origin) -> str:
    event_id = text(event.get("id"))
    if event_id:
        return _clip(event_id, _MAX_NAME) or event_id
    if origin.message_id:
        return origin.message_id
    canonical = json.dumps(event, sort_keys=True, default=str)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()[:32]


def _event_time(value: Any) -> datetime | None:
    """A time as the event wrote it; one spaced out after its colons is read as if it were
    not (no service means anything else by `12: 36: 15`)."""
    parsed = parse_time(value)
    if parsed is None and isinstance(value, str) and _SPACED_TIME.search(value):
        parsed = parse_time(_SPACED_TIME.sub("", value))
    return parsed


def _region(event: Raw) -> str | None:
    """The event's region code; a display name (`US West - Oregon`, as a classic alarm
    notification gives it) is read as the code it names."""
    for candidate in (event.get("region"), _arn_part(event, 3)):
        if not isinstance(candidate, str):
            continue
        if _REGION.match(candidate):
            return candidate
        if code := region_code(candidate):
            return code
    return None


def _account(event: Raw) -> str | None:
    for candidate in (event.get("account"), _arn_part(event, 4)):
        if isinstance(candidate, str) and _ACCOUNT.match(candidate):
            return candidate
    return None


def _arn_part(event: Raw, index: int) -> str | None:
    resources = event.get("resources")
    arn = resources[0] if isinstance(resources, list) and resources else None
    if isinstance(arn, str) and arn.startswith("arn:"):
        parts = arn.split(":")
        return parts[index] if len(parts) > index else None
    return None


def _generic_title(event: Raw) -> str:
    return _clip(text(event.get("detail-type")), 100) or "Event"


def _instances(instance_type: Any, count: Any) -> list[Fact]:
    kind = text(instance_type)
    amount = number(count)
    if not kind and amount is None:
        return []
    shown_count = f"{amount:g} × " if amount is not None else ""
    return [Fact(label="Instances", value=f"{shown_count}{kind or '?'}")]


def _tags(value: Any) -> dict[str, str]:
    if isinstance(value, dict):
        return {str(k)[:128]: str(v)[:256] for k, v in list(value.items())[:50]}
    return {}


def _clip(value: str | None, limit: int) -> str | None:
    if value is None:
        return None
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _clip_fact(fact: Fact) -> Fact:
    clipped = _clip(fact.value, _MAX_TEXT) or ""
    return fact if clipped == fact.value else fact.model_copy(update={"value": clipped})
