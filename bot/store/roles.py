"""What each stage asks of the store: one protocol per consumer, with the methods it calls.

    IntakeStore    bot.intake.accept          accept events, knowing the active silences
    OutboxStore    bot.delivery.worker        deliver the outbox, keep each resource's root
    DigestStore    bot.delivery.bursts        stand one message for many resources
    IncidentStore  bot.incidents.service      act on incidents and silences
    CommandStore   commands (Context.store)   read for replies, audit refusals
    RequestStore   bot.ingress.slack.replays  Slack requests already taken, for every replica
    ApprovalStore  bot.approvals              approvals asked, claimed once, settled
    Store          bot.app                    all of the above, and the store's own life

A method two consumers call is declared in both roles, with the same signature (mypy
checks that `Store`, their union, can hold both). The docstrings are the contract every
backend keeps (tests/unit/store/test_contract*.py checks it on SQLite and DynamoDB).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

from bot.core.approvals import Approval, ApprovalState
from bot.core.decision import Decision
from bot.core.events import Event
from bot.core.incident import Action, Incident, Source, Transition
from bot.store.records import (
    Digest,
    IncidentChange,
    Notice,
    OutboxItem,
    RootMessage,
    Sending,
    Silence,
)
from bot.store.writes import Claim, Write


class IntakeStore(Protocol):
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

    def active_silences(self, now: datetime) -> list[Silence]: ...


class OutboxStore(Protocol):
    def enqueue_notice(self, key: str, notice: Notice, now: datetime) -> None: ...

    def due(self, now: datetime, limit: int) -> list[OutboxItem]:
        """Pending items whose time has come, only the oldest pending one per resource."""
        ...

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
        """Lease a due item to one replica until `until`: the item as it stands once leased
        for the one that gets it (or already holds it), None for every other. A crashed
        holder's lease runs out and another replica takes the item over; the item it gets
        carries the holder's recorded progress and in-flight marker (which prevents a
        second post), even when the list `due` gave is older than the lease.

        `sending`: the stage whose post comes first; if the item is at that stage with
        nothing in flight, the lease also marks that post in flight (as mark_in_flight)
        and the item comes back `marked`. `before`: writes applied first, in the same
        transaction (bot.delivery.journal's), whatever the claim's answer."""
        ...

    def claim_batch(
        self,
        claims: Sequence[Claim],
        owner: str,
        until: datetime,
        now: datetime,
        *,
        before: Sequence[Write] = (),
    ) -> list[OutboxItem | None]:
        """Each of `claims` as `claim` would answer it, in order, with `before` applied
        first: one transaction on SQLite (one fsync for the batch), one request an item on
        DynamoDB (where a transaction would cost twice the writes)."""
        ...

    def root(self, key: str) -> RootMessage | None: ...

    def roots(self, keys: Sequence[str]) -> dict[str, RootMessage]:
        """The roots of those of `keys` that have one, in one read (a delivery pass reads
        the roots of all the items it lists)."""
        ...

    def set_root(
        self, key: str, channel: str, ts: str, event: Event, decision: Decision | None = None
    ) -> None: ...

    def advance_state(self, key: str, event: Event, decision: Decision | None = None) -> bool:
        """Record `event` as the state the root shows, if it is newer than the one shown
        (see bot.core.ordering.order: of one state, the one knowing a deeper failed part is
        newer); False, and no change, otherwise."""
        ...

    def progress(self, item_id: int, stage: int) -> None:
        """Record that delivery reached `stage`; the new stage starts with nothing sent."""
        ...

    def mark_in_flight(self, item_id: int) -> None:
        """Record, before a post, that it may reach Slack: after a crash the retry looks
        for it instead of posting blindly."""
        ...

    def write(self, writes: Sequence[Write]) -> None:
        """Apply `writes` (bot.store.writes) in order, as one transaction: each as its
        method of the same name would, durable when this returns."""
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

    def incident_for_key(self, key: str) -> Incident | None:
        """The latest incident the resource's root message shows, resolved or not: one its
        failure opened (its root carries it), or one its failure joined as a repeat failure
        of the series (`Incident.key` then names another resource)."""
        ...

    def incidents_for_keys(self, keys: Sequence[str]) -> dict[str, Incident]:
        """`incident_for_key` of each of `keys` that has one (SQLite: in one read)."""
        ...


class DigestStore(Protocol):
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

    def digest_sending(self, digest_id: int, owner: str, until: datetime, now: datetime) -> Sending:
        """Before the first post of a digest, mark it in flight for `owner` until `until`,
        in one compare-and-set: of two replicas refreshing it at once, one posts. A mark
        that ran out (its replica died), or `owner`'s own (its answer was lost), is taken
        over, and its post looked up first (AGAIN). A posted or unknown digest is BUSY."""
        ...

    def digest_posted(self, digest_id: int, channel: str, ts: str, now: datetime) -> None: ...

    def digest_refreshed(self, digest_id: int, now: datetime) -> None: ...

    def advance_state(self, key: str, event: Event, decision: Decision | None = None) -> bool:
        """As OutboxStore.advance_state: a member's root shows only a newer state."""
        ...

    def complete(self, item_id: int) -> None: ...


class IncidentStore(Protocol):
    """Incidents follow bot.core.incident's rules; silences mute matching alerts."""

    def incident(self, incident_id: int) -> Incident | None: ...

    def unresolved_incidents(self) -> list[Incident]: ...

    def root(self, key: str) -> RootMessage | None: ...

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

    def expire_silences(
        self, now: datetime, announce: Callable[[Silence], Notice] | None = None
    ) -> list[Silence]:
        """Silences that ran out and were not yet announced; marks them announced and
        queues `announce(silence)` for each, in one transaction."""
        ...


class CommandStore(Protocol):
    """Slash commands read the store for their replies and audit refusals; what they change
    goes through the incident service (bot.incidents.service)."""

    def unresolved_incidents(self) -> list[Incident]: ...

    def active_silences(self, now: datetime) -> list[Silence]: ...

    def record_refusal(
        self, actor: str, what: str, now: datetime, source: Source = Source.COMMAND
    ) -> None:
        """Audit something someone was not allowed to do (`what`), and the way they tried
        (`source`: a command, a button or menu)."""
        ...


class RequestStore(Protocol):
    def first_request(self, digest: str, now: datetime, expires_at: datetime) -> bool:
        """Record that a request with this digest was taken; True for the first replica
        to record it, False for every later one (a retry, a replay) until `expires_at`,
        after which the record is gone (its `expires_at` attribute, epoch seconds, is the
        record's lifetime, as every record's) and the digest is new again."""
        ...


class ApprovalStore(Protocol):
    """Approvals (bot.core.approvals): registered once, decided at most once. A record keeps
    `expires_at` (epoch seconds) for the store's retention."""

    def open_approval(self, approval: Approval) -> Approval:
        """Record `approval` unless one with its id exists; the record as it stands."""
        ...

    def approval(self, approval_id: str) -> Approval | None: ...

    def pending_approvals(self) -> list[Approval]:
        """Approvals not yet settled (pending, or being decided), oldest first."""
        ...

    def claim_approval(self, claimed: Approval, now: datetime) -> tuple[bool, Approval | None]:
        """Compare-and-set: make `claimed` (state DECIDING, its actor, verdict, comment and
        claim) the record if the stored one is still claimable at `now` (pending, or its
        claim ran out). Of two concurrent attempts, on any replica, exactly one wins. The
        answer: whether this one won, and the record as it now stands."""
        ...

    def settle_approval(
        self,
        approval_id: str,
        state: ApprovalState,
        now: datetime,
        *,
        actor: str | None = None,
        request_id: str | None = None,
        note: str | None = None,
    ) -> Approval | None:
        """End an approval: a claimed one (by its claimant, `actor`) becomes APPROVED or
        REJECTED, or CLOSED when AWS said it was decided already; a pending one (`actor`
        None) becomes EXPIRED or CLOSED. Audited in the same write. None, and no change,
        when the record is not in the state that allows it."""
        ...

    def release_approval(self, approval_id: str, actor: str, note: str, now: datetime) -> None:
        """Give a claim back (the AWS call failed): pending again, the failure audited."""
        ...

    def approval_refused(self, approval_id: str, actor: str, what: str, now: datetime) -> None:
        """Audit someone the approvers rule turned away."""
        ...

    def approval_audit(self, approval_id: str) -> list[dict[str, object]]:
        """An approval's audit, oldest first: at, actor, action, comment, request_id, note."""
        ...


class DeliveryStore(OutboxStore, DigestStore, Protocol):
    """What the delivery worker needs: the outbox and the burst digests it folds into."""


class Store(
    IntakeStore,
    DeliveryStore,
    IncidentStore,
    CommandStore,
    RequestStore,
    ApprovalStore,
    Protocol,
):
    """The whole store, as bot.app opens, wires, watches and closes it."""

    def ping(self) -> None:
        """Raise StoreError unless the store answers."""
        ...

    def close(self) -> None: ...

    def audit(self, incident_id: int) -> list[dict[str, object]]:
        """An incident's audit, oldest first (no stage reads it back; tests and operators do)."""
        ...

    def prune(self, now: datetime, limit: int = 500) -> int:
        """Delete up to `limit` records of each kind that outlived their lifetime (the
        config's `retention`); how many. Never one still needed: a pending alert, an
        unresolved incident, a root either needs. Where the backend expires records by
        itself (DynamoDB's TTL on `expires_at`), nothing to do: 0."""
        ...
