"""The delivery worker's writes, gathered: what a pass records about Slack's answers is
handed to the store together with the next write that must be durable, so one
transaction (one DynamoDB request) carries them both.

Why holding a record back is safe: a post is marked in flight, durably, before it is
sent (the claim or mark_in_flight, never held back). What follows the answer (the root's
ts, the next stage, the item done) is held back until the next claim or mark, or the end
of the pass, whichever comes first. A crash in between leaves the item leased and in
flight, so whoever takes it over looks the post up by its marker and finds it, as after a
crash between a post and its record today: nothing is posted twice, nothing is lost. No
Slack call is made on the strength of a held-back write: before each post the writes are
durable, and reads of roots made meanwhile see them (`root`).

The same holds across claims and passes (bot.delivery.worker.Deliverer.run): while a
channel's pace holds a backlog back, a pass may end with its records held, and a claim
carries them only once they have waited `carry_after`, so one transaction writes the
records of several posts (and the pages they touch, the outbox's, its indexes' and the
roots', once for all). None waits longer than the worker's `hold_s` (HOLD_S at most, a
small part of a lease). Until they are written their items stay leased and in flight, as
above, and a pass leaves them alone (`held_items`).

Everything else passes straight through, after what is held back (so the store sees the
writes in the order delivery made them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from bot.core.clock import Clock
from bot.core.decision import Decision
from bot.core.events import Event
from bot.core.incident import Incident
from bot.core.ordering import order
from bot.store import Digest, Notice, OutboxItem, RootMessage, Sending
from bot.store.roles import DeliveryStore
from bot.store.writes import (
    AdvanceState,
    Claim,
    Complete,
    MarkInFlight,
    Progress,
    RetryLater,
    SetRoot,
    Write,
)

# The longest a record waits for the next claim before it is written on its own: a few
# posts at the default pace, and far within a lease (bot.delivery.worker.DEFAULT_LEASE),
# so the item it finishes is never taken over meanwhile. A resource's next item waits
# behind it (only a resource's oldest pending item is due) by as much at most.
HOLD_S = 6.0
HELD_MAX = 64  # writes held at most: a claim carries them all past this (pacing off)


class Journal:
    """A DeliveryStore in front of `store` that holds delivery's records back until the
    next write that must be durable."""

    def __init__(self, store: DeliveryStore, clock: Clock) -> None:
        self.store, self.clock = store, clock
        self._held: list[Write] = []
        # The held writes to roots, by key: a root is read for every item delivered.
        self._roots: dict[str, list[SetRoot | AdvanceState]] = {}
        self._since: datetime | None = None  # when the oldest write held back was made
        # The incidents of the keys the last claim leased, read with it (`incident_for_key`).
        self._incidents: dict[str, Incident | None] = {}
        # None: each claim carries what is held back. Seconds: a claim carries it once it
        # has waited this long (the delivery loop sets it: bot.delivery.worker).
        self.carry_after: float | None = None

    def flush(self) -> None:
        """Make what is held back durable now (one transaction)."""
        held = self._take()
        if held:
            self.store.write(held)

    def held_for(self) -> float | None:
        """Seconds the oldest write held back has waited; None when nothing is held."""
        if not self._held or self._since is None:
            return None
        return max(0.0, (self.clock.now() - self._since).total_seconds())

    def held_items(self) -> set[int]:
        """The outbox items whose records are held back: as the store lists them they are
        still pending (a completed one, too), and a pass must not take them up again."""
        return {w.item_id for w in self._held if isinstance(w, Progress | RetryLater | Complete)}

    def completions_held(self) -> int:
        """Items done whose completion is held back: the store still counts them pending."""
        return len({w.item_id for w in self._held if isinstance(w, Complete)})

    def _carried(self, item_ids: Sequence[int]) -> list[Write]:
        """What a claim of `item_ids` carries: everything held back, or nothing while it
        may wait for a later claim (never records of an item claimed again)."""
        held = self.held_for()
        if held is None:
            return []
        if (
            self.carry_after is not None
            and held < self.carry_after
            and len(self._held) < HELD_MAX
            and not self.held_items().intersection(item_ids)
        ):
            return []
        return self._take()

    def _take(self) -> list[Write]:
        held, self._held, self._since = self._held, [], None
        self._roots = {}
        return held

    def _hold(self, *writes: Write) -> None:
        if not self._held:
            self._since = self.clock.now()
        self._held.extend(writes)
        for write in writes:
            if isinstance(write, SetRoot | AdvanceState):
                self._roots.setdefault(write.key, []).append(write)

    # --- held back: records of what Slack already took

    def set_root(
        self, key: str, channel: str, ts: str, event: Event, decision: Decision | None = None
    ) -> None:
        self._hold(SetRoot(key, channel, ts, event, decision))

    def advance_state(self, key: str, event: Event, decision: Decision | None = None) -> bool:
        """Held back: True means it will be applied, and only if newer (as the store does)."""
        self._hold(AdvanceState(key, event, decision))
        return True

    def progress(self, item_id: int, stage: int) -> None:
        self._hold(Progress(item_id, stage))

    def retry_later(self, item_id: int, when: datetime, error: str, count: bool = True) -> None:
        self._hold(RetryLater(item_id, when, error, count))

    def complete(self, item_id: int) -> None:
        self._hold(Complete(item_id))

    def write(self, writes: Sequence[Write]) -> None:
        self._hold(*writes)

    # --- durable at once, carrying what is held back (`_carried`)

    def mark_in_flight(self, item_id: int) -> None:
        self.store.write([*self._take(), MarkInFlight(item_id)])

    def claim(
        self,
        item_id: int,
        owner: str,
        until: datetime,
        now: datetime,
        *,
        sending: int | None = None,
        before: Sequence[Write] = (),
    ) -> OutboxItem | None:
        held = [*self._carried([item_id]), *before]
        item = self.store.claim(item_id, owner, until, now, sending=sending, before=held)
        if item is not None:
            # A lease renewed or a digest line folded: one item, read when it is drawn
            # (if it is), not as of a batch's claim it has outlived.
            self._incidents.pop(item.key, None)
        return item

    def claim_batch(
        self,
        claims: Sequence[Claim],
        owner: str,
        until: datetime,
        now: datetime,
        *,
        before: Sequence[Write] = (),
    ) -> list[OutboxItem | None]:
        held = [*self._carried([c.item_id for c in claims]), *before]
        items = self.store.claim_batch(claims, owner, until, now, before=held)
        self._read_incidents(items)
        return items

    def forget_incidents(self) -> None:
        """A new pass draws nothing with the incidents an earlier pass's claim read."""
        self._incidents = {}

    def _read_incidents(self, items: Sequence[OutboxItem | None]) -> None:
        """The incidents of the items just leased, in one read: their alerts are drawn
        with them. As of the claim, as a lease is: an incident changed since (a click)
        queued a notice that draws the alert again after the item (bot.incidents)."""
        keys = [item.key for item in items if item is not None]
        found = self.store.incidents_for_keys(keys) if keys else {}
        self._incidents = {key: found.get(key) for key in keys}

    # --- reads that see what is held back

    def root(self, key: str) -> RootMessage | None:
        return self.roots([key]).get(key)

    def roots(self, keys: Sequence[str]) -> dict[str, RootMessage]:
        stored = self.store.roots(keys)
        found: dict[str, RootMessage] = {}
        for key in keys:
            root = stored.get(key)
            for write in self._roots.get(key, ()):
                root = after(root, write)
            if root is not None:
                found[key] = root
        return found

    def incident_for_key(self, key: str) -> Incident | None:
        if key in self._incidents:
            return self._incidents[key]
        return self.store.incident_for_key(key)

    def incidents_for_keys(self, keys: Sequence[str]) -> dict[str, Incident]:
        return self.store.incidents_for_keys(keys)

    # --- passed straight through, after what is held back

    def enqueue_notice(self, key: str, notice: Notice, now: datetime) -> None:
        self.flush()
        self.store.enqueue_notice(key, notice, now)

    def due(self, now: datetime, limit: int) -> list[OutboxItem]:
        self.flush()
        return self.store.due(now, limit)

    def pending_count(self) -> int:
        self.flush()
        return self.store.pending_count()

    def reroute(self, item_id: int, decision: Decision) -> None:
        self.flush()
        self.store.reroute(item_id, decision)

    def give_up(self, item_id: int, error: str) -> None:
        self.flush()
        self.store.give_up(item_id, error)

    def open_digest(self, channel: str, now: datetime, window: float, capacity: int) -> Digest:
        self.flush()
        return self.store.open_digest(channel, now, window, capacity)

    def join_digest(self, digest: Digest, item: OutboxItem) -> None:
        self.flush()
        self.store.join_digest(digest, item)

    def touch_digest(self, digest_id: int) -> None:
        self.flush()
        self.store.touch_digest(digest_id)

    def dirty_digests(self) -> list[Digest]:
        # No write held back touches a digest's flag: read without writing them first,
        # or every pass would end with a write of its own.
        return self.store.dirty_digests()

    def digest_members(self, digest_id: int) -> list[Event]:
        self.flush()
        return self.store.digest_members(digest_id)

    def digest_sending(self, digest_id: int, owner: str, until: datetime, now: datetime) -> Sending:
        self.flush()
        return self.store.digest_sending(digest_id, owner, until, now)

    def digest_posted(self, digest_id: int, channel: str, ts: str, now: datetime) -> None:
        self.flush()
        self.store.digest_posted(digest_id, channel, ts, now)

    def digest_refreshed(self, digest_id: int, now: datetime) -> None:
        self.flush()
        self.store.digest_refreshed(digest_id, now)


def after(root: RootMessage | None, write: SetRoot | AdvanceState) -> RootMessage | None:
    """The root as `write` leaves it (an advance moves only a root showing an older state)."""
    if isinstance(write, SetRoot):
        return RootMessage(write.key, write.channel, write.ts, write.event, write.decision)
    if root is None or order(write.event) <= order(root.event):
        return root
    return replace(root, event=write.event, decision=write.decision or root.decision)
