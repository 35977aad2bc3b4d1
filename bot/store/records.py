"""The records the store keeps, as the rest of mlpulse sees them."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from enum import Enum
from functools import lru_cache
from typing import Any

from bot.core.decision import Decision
from bot.core.events import Event, Severity
from bot.core.incident import Repeat

STAGE_NEW = 0
STAGE_ROOT_DONE = 1  # root posted or updated; the thread reply (if any) remains


@dataclass(frozen=True)
class Notice:
    """A line for a resource's thread that is not an event: an incident transition, a
    re-notify, a silence starting or ending. `text` is Slack mrkdwn, already escaped."""

    text: str
    channel: str | None = None  # where to post when the resource has no root message
    broadcast: bool = False  # also show the reply in the channel (re-notify)
    refresh: bool = False  # re-render the root message first (its incident changed)

    def encode(self) -> str:
        return json.dumps(asdict(self))

    @staticmethod
    def decode(text: str) -> Notice:
        return Notice(**json.loads(text))


@dataclass(frozen=True)
class OutboxItem:
    """An accepted alert or notice on its way to Slack. `stage` records how far delivery
    got, so a retry never repeats a step that already reached Slack."""

    id: int
    key: str
    event: Event | None
    decision: Decision | None
    attempts: int
    stage: int
    created: datetime
    next_attempt: datetime
    in_flight: bool = False  # a send of the current stage may have reached Slack
    notice: Notice | None = None
    # The claim recorded the current stage's post as in flight (OutboxStore.claim's
    # `sending`): the post needs no mark of its own, and no lookup either.
    marked: bool = False

    @property
    def kind_label(self) -> str:
        return self.event.kind.value if self.event is not None else "notice"


@dataclass(frozen=True)
class RootMessage:
    """The Slack message standing for one resource, the event whose state it shows, and
    how that event was routed."""

    key: str
    channel: str
    ts: str
    event: Event
    decision: Decision | None = None
    digest_id: int | None = None  # the resource is one line of a burst digest, not a message


@dataclass(frozen=True)
class Digest:
    """One message standing for many resources of a burst (bot.delivery.bursts)."""

    id: int
    channel: str  # as routed (a name or an id)
    opened: datetime
    posted_channel: str | None = None  # the id Slack answered with, once posted
    ts: str | None = None
    refreshed: datetime | None = None
    dirty: bool = True
    in_flight: bool = False


class Sending(Enum):
    """What DigestStore.digest_sending answers: whether this replica makes a digest's
    first post now, having marked it in flight, as a lease."""

    FIRST = "first"  # nothing was in flight: post it
    AGAIN = "again"  # an earlier mark (its own, or one that ran out): look its post up first
    BUSY = "busy"  # another replica's live mark, or posted already: leave it


@dataclass(frozen=True)
class IncidentChange:
    """What an accepted event does to incidents (bot.incidents.policy decides).

    `open` opens an incident for the event's series, or, if one is unresolved, joins it: a
    failure of another resource of the series (another run) is a repeat failure
    (bot.core.incident.failed_again), counted once per resource, its resource then carries
    the incident too, and `repeated` says what to tell under the incident's root."""

    open: bool = False
    resolve: bool = False  # resolve the series' unresolved incident: it recovered
    renotify_at: datetime | None = None  # the next reminder, from now
    note: str = ""  # the incident's title when opening; why it recovered when resolving
    notice: Notice | None = None  # the thread line a resolve queues
    max_renotify: int = 0  # reminders an incident may have; a repeat failure may be one
    repeated: Callable[[Repeat], Notice] | None = None


@dataclass(frozen=True)
class Silence:
    id: int
    pattern: str
    created_by: str
    created_at: datetime
    expires_at: datetime
    channel: str
    held: int = 0  # alerts it kept from Slack


def encode_decision(decision: Decision | None) -> str:
    # A Decision holds only flat values: its own fields, not asdict's deep copy (the
    # slowest part of accepting an event when it was used here).
    return json.dumps(dict(vars(decision)) if decision is not None else None)


@lru_cache(maxsize=512)
def decode_event(text: str) -> Event:
    """An event as stored (JSON). Delivery reads one item's event and one root's state
    several times in a pass (listed, leased, read again after a write): decoded once.
    Events are frozen, so the one decoded copy can be shared."""
    event = Event.model_validate_json(text)
    if len(_STORED_AS) >= _STORED_AS_MAX:
        _STORED_AS.clear()
    _STORED_AS[id(event)] = (event, text)
    return event


def encode_event(event: Event) -> str:
    """An event as stored (JSON): the text it was decoded from, when it was (delivery
    writes the event it read as its root's state), without encoding it again."""
    stored = _STORED_AS.get(id(event))
    if stored is not None and stored[0] is event:
        return stored[1]
    return event.model_dump_json()


# Decoded events by id, with the text each came from: the event held keeps its id unique.
_STORED_AS: dict[int, tuple[Event, str]] = {}
_STORED_AS_MAX = 1024


@lru_cache(maxsize=256)
def decode_decision(text: str | None) -> Decision | None:
    """A decision as stored (JSON), decoded once: few routes give few distinct decisions,
    and a Decision is frozen, so one copy is shared."""
    data: Any = json.loads(text) if text else None
    if data is None:
        return None
    data["severity"] = Severity(data["severity"])
    return Decision(**data)
