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

Everything else passes straight through, after what is held back (so the store sees the
writes in the order delivery made them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from bot.core.decision import Decision
from bot.core.events import Event
from bot.core.incident import Incident
from bot.core.ordering import order
from bot.store import Digest, Notice, OutboxItem, RootMessage
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


class Journal:
    """A DeliveryStore in front of `store` that holds delivery's records back until the
    next write that must be durable."""

    def __init__(self, store: DeliveryStore) -> None:
        self.store = store
        self._held: list[Write] = []

    def flush(self) -> None:
        """Make what is held back durable now (one transaction)."""
        held, self._held = self._held, []
        if held:
            self.store.write(held)

    def _take(self) -> list[Write]:
        held, self._held = self._held, []
        return held

    # --- held back: records of what Slack already took

    def set_root(
        self, key: str, channel: str, ts: str, event: Event, decision: Decision | None = None
    ) -> None:
        self._held.append(SetRoot(key, channel, ts, event, decision))

    def advance_state(self, key: str, event: Event, decision: Decision | None = None) -> bool:
        """Held back: True means it will be applied, and only if newer (as the store does)."""
        self._held.append(AdvanceState(key, event, decision))
        return True

    def progress(self, item_id: int, stage: int) -> None:
        self._held.append(Progress(item_id, stage))

    def retry_later(self, item_id: int, when: datetime, error: str, count: bool = True) -> None:
        self._held.append(RetryLater(item_id, when, error, count))

    def complete(self, item_id: int) -> None:
        self._held.append(Complete(item_id))

    def write(self, writes: Sequence[Write]) -> None:
        self._held.extend(writes)

    # --- durable at once, carrying what is held back

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
        held = [*self._take(), *before]
        return self.store.claim(item_id, owner, until, now, sending=sending, before=held)

    def claim_batch(
        self,
        claims: Sequence[Claim],
        owner: str,
        until: datetime,
        now: datetime,
        *,
        before: Sequence[Write] = (),
    ) -> list[OutboxItem | None]:
        held = [*self._take(), *before]
        return self.store.claim_batch(claims, owner, until, now, before=held)

    # --- reads that see what is held back

    def root(self, key: str) -> RootMessage | None:
        mine = [w for w in self._held if isinstance(w, SetRoot | AdvanceState) and w.key == key]
        if not mine:
            return self.store.root(key)
        last_set = max((i for i, w in enumerate(mine) if isinstance(w, SetRoot)), default=-1)
        root = self.store.root(key) if last_set < 0 else None
        for write in mine[max(last_set, 0) :]:
            root = after(root, write)
        return root

    def incident_for_key(self, key: str) -> Incident | None:
        return self.store.incident_for_key(key)

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
        self.flush()
        return self.store.dirty_digests()

    def digest_members(self, digest_id: int) -> list[Event]:
        self.flush()
        return self.store.digest_members(digest_id)

    def digest_sending(self, digest_id: int) -> None:
        self.flush()
        self.store.digest_sending(digest_id)

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
