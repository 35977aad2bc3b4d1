"""Durable state behind a small protocol: seen event ids, each resource's root message,
and the outbox of alerts accepted but not yet delivered.

`sqlite:///PATH` (bot.store.sqlite) for one process, `dynamodb://TABLE` (bot.store.dynamodb) for
several replicas; both pass one contract suite (tests/unit/store/test_contract*.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

from bot.core.decision import Decision
from bot.core.events import Event
from bot.core.incident import Action, Incident, Source, Transition
from bot.store.records import (
    STAGE_NEW,
    STAGE_ROOT_DONE,
    Digest,
    IncidentChange,
    Notice,
    OutboxItem,
    RootMessage,
    Silence,
    decode_decision,
    encode_decision,
)

__all__ = [
    "STAGE_NEW",
    "STAGE_ROOT_DONE",
    "Digest",
    "IncidentChange",
    "Notice",
    "OutboxItem",
    "RootMessage",
    "Silence",
    "Store",
    "decode_decision",
    "encode_decision",
]


class Store(Protocol):
    def accept(
        self,
        items: Sequence[tuple[Event, Decision]],
        now: datetime,
        changes: Sequence[IncidentChange | None] | None = None,
        held: Sequence[int | None] | None = None,
    ) -> list[bool]:
        """Record each event unless already seen; True for those new ones. New events are
        queued for delivery, or only counted when `held` names the silence that matched, and their
        incident `changes` applied, all in one transaction: durable when this returns."""
        ...

    def enqueue_notice(self, key: str, notice: Notice, now: datetime) -> None: ...

    def due(self, now: datetime, limit: int) -> list[OutboxItem]:
        """Pending items whose time has come, only the oldest pending one per resource."""
        ...

    def claim(self, item_id: int, owner: str, until: datetime, now: datetime) -> OutboxItem | None:
        """Lease a due item to one replica until `until`: the item as it stands once leased
        for the one that gets it (or already holds it), None for every other. A crashed
        holder's lease runs out and another replica takes the item over; the item it gets
        carries the holder's recorded progress and in-flight marker (which prevents a
        second post), even when the list `due` gave is older than the lease."""
        ...

    def root(self, key: str) -> RootMessage | None: ...

    def set_root(
        self, key: str, channel: str, ts: str, event: Event, decision: Decision | None = None
    ) -> None: ...

    def advance_state(self, key: str, event: Event, decision: Decision | None = None) -> bool:
        """Record `event` as the state the root shows, if it is newer than the one shown
        (see bot.core.ordering.order); False, and no change, otherwise."""
        ...

    def progress(self, item_id: int, stage: int) -> None:
        """Record that delivery reached `stage`; the new stage starts with nothing sent."""
        ...

    def mark_in_flight(self, item_id: int) -> None:
        """Record, before a post, that it may reach Slack: after a crash the retry looks
        for it instead of posting blindly."""
        ...

    def retry_later(self, item_id: int, when: datetime, error: str, count: bool = True) -> None: ...

    def complete(self, item_id: int) -> None: ...

    def reroute(self, item_id: int, decision: Decision) -> None:
        """Send a not-yet-posted item elsewhere (its channel is gone): due at once."""
        ...

    def give_up(self, item_id: int, error: str) -> None:
        """Park an item that can never be delivered; it stays in the store, counted."""
        ...

    def pending_count(self) -> int: ...

    def ping(self) -> None:
        """Raise StoreError unless the store answers."""
        ...

    def close(self) -> None: ...

    # --- incidents (bot.core.incident holds the rules)

    def incident(self, incident_id: int) -> Incident | None: ...

    def incident_for_key(self, key: str) -> Incident | None:
        """The latest incident carried by the resource's root message, resolved or not."""
        ...

    def unresolved_incidents(self) -> list[Incident]: ...

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
        """Apply `action` if the incident's state allows it (compare-and-set: of two
        concurrent attempts exactly one wins), record it in the audit, and queue `notice`
        in the same transaction. Refused: ok=False with the incident as it is."""
        ...

    def due_incident_work(self, now: datetime) -> list[Incident]:
        """Open incidents due a re-notify, and snoozed ones whose snooze ran out."""
        ...

    def audit(self, incident_id: int) -> list[dict[str, object]]: ...

    def record_refusal(self, actor: str, what: str, now: datetime) -> None:
        """Audit a command someone was not allowed to run."""
        ...

    # --- burst digests (bot.delivery.bursts)

    def open_digest(self, channel: str, now: datetime, window: float, capacity: int) -> Digest:
        """The channel's digest still taking members (opened within `window` seconds, fewer
        than `capacity` members), or a new one."""
        ...

    def join_digest(self, digest: Digest, item: OutboxItem) -> None:
        """Make the item's resource a line of the digest and finish the item, atomically."""
        ...

    def touch_digest(self, digest_id: int) -> None:
        """A member changed: the digest message needs a refresh."""
        ...

    def dirty_digests(self) -> list[Digest]: ...

    def digest_members(self, digest_id: int) -> list[Event]:
        """Each member's latest state, newest first."""
        ...

    def digest_sending(self, digest_id: int) -> None:
        """Before the first post of a digest: after a crash its retry looks for it."""
        ...

    def digest_posted(self, digest_id: int, channel: str, ts: str, now: datetime) -> None: ...

    def digest_refreshed(self, digest_id: int, now: datetime) -> None: ...

    # --- silences

    def add_silence(
        self,
        pattern: str,
        until: datetime,
        actor: str,
        channel: str,
        now: datetime,
        announce: Callable[[Silence], Notice] | None = None,
    ) -> Silence:
        """Record a silence and, in the same transaction, queue its announcement."""
        ...

    def active_silences(self, now: datetime) -> list[Silence]: ...

    def expire_silences(
        self, now: datetime, announce: Callable[[Silence], Notice] | None = None
    ) -> list[Silence]:
        """Silences that ran out and were not yet announced; marks them announced and
        queues `announce(silence)` for each, in one transaction."""
        ...
