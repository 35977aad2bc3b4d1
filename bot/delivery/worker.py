"""The outbox worker: accepted alerts to Slack, in order per resource, paced per channel.

Each pass leases the due items (replicas on one store share the work), and for each one
either folds it into a burst digest (bot.delivery.bursts), holds it back for the channel's
pace (bot.delivery.pacing), or delivers it (bot.delivery.steps). An item Slack does not
take goes to the failure policy (bot.delivery.failures), which never drops it.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta

from bot.config.models import Config
from bot.core.clock import Clock
from bot.delivery.batches import Batch
from bot.delivery.bursts import Bursts
from bot.delivery.channels import Aliases, channel_for
from bot.delivery.failures import FailureHandler
from bot.delivery.journal import HOLD_S, Journal
from bot.delivery.logtails import STAGE_TAIL, LogTails, TailReader
from bot.delivery.pacing import Pacer
from bot.delivery.posting import Poster
from bot.delivery.steps import ItemDelivery
from bot.ops.health import Health
from bot.ops.telemetry import Metrics
from bot.store import OutboxItem, RootMessage
from bot.store.roles import DeliveryStore
from bot.store.writes import Claim
from notifiers.base import Notifier, NotifyError

log = logging.getLogger(__name__)
# How long a replica holds an outbox item it delivers: a crashed replica's items wait this
# long before another takes them over (`mlpulse run` passes MLPULSE_LEASE_SECONDS).
DEFAULT_LEASE = timedelta(seconds=60)
_BATCH = 100
_IDLE_WAIT_S = 5.0  # the longest pause: items retried later are looked for this often
_DIGEST_RETRY_S = 1.0  # a digest that could not be posted or edited yet is tried again
_DRAIN_POLL_S = 0.5  # `mlpulse ingest` looks again this often while nothing is due


@dataclass(frozen=True)
class PassResult:
    delivered: int
    failed: int
    next_wait: float | None  # seconds until something more is due (0: now); None: nothing


def pause_after(result: PassResult) -> float:
    """How long the delivery loop pauses after a pass: not at all when the pass delivered
    or something is due now, until it is due otherwise, at most the idle wait."""
    if result.delivered:
        return 0.0
    if result.next_wait is None:
        return _IDLE_WAIT_S
    return min(result.next_wait, _IDLE_WAIT_S)


class Deliverer:
    def __init__(
        self,
        store: DeliveryStore,
        notifier: Notifier,
        clock: Clock,
        config: Config,
        metrics: Metrics,
        health: Health,
        *,
        lease: timedelta = DEFAULT_LEASE,
        logs: TailReader | None = None,
    ) -> None:
        self.store, self.notifier, self.clock = store, notifier, clock
        self.config, self.metrics, self.health = config, metrics, health
        self.pacer = Pacer(
            notifier.min_interval / config.slack.posts_per_second, config.slack.burst
        )
        # Who this process is when it leases outbox items: replicas on one store share the
        # work and never deliver one item twice at once.
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.lease = lease
        # How long delivery's records may wait for a later claim: a small part of a lease,
        # so an item whose records wait is never taken over meanwhile.
        self.hold_s = min(HOLD_S, lease.total_seconds() / 8)
        # Delivery's records, held back until the next write that must be durable.
        self.journal = Journal(store, clock)
        self.bursts = Bursts(self.journal, notifier, clock, self.pacer, metrics, self.owner)
        self.wake = threading.Event()
        self.aliases = Aliases()
        poster = Poster(self.journal, notifier, clock, self.pacer, self.aliases)
        # `logs` reads the tails posted under failed jobs' alerts; none without it.
        tails = LogTails(logs, self.journal, poster, clock)
        self.steps = ItemDelivery(self.journal, notifier, config, poster, tails)
        self.failures = FailureHandler(
            self.journal, clock, config, metrics, health, self.pacer, self.aliases
        )

    def run_once(self, *, hold: bool = False) -> PassResult:
        """One pass. What it learnt is durable before it ends, unless `hold` (the delivery
        loop, `run`) and the next pass's claim comes soon enough to carry it (`_holds`)."""
        self.journal.carry_after = self._carry_after() if hold else None
        try:
            result = self._pass()
        except BaseException:
            self.journal.flush()
            raise
        if hold and self._holds(result):
            return result
        finishing = bool(self.journal.held_items())
        self.journal.flush()
        if finishing and result.next_wait != 0:
            # Items the pass left alone because their records were held back are done or
            # due again now, and a resource's next item may be due behind them: look now.
            return replace(result, next_wait=0.0)
        return result

    def _carry_after(self) -> float | None:
        """How long the claims of the delivery loop let records wait (Journal.carry_after):
        as long as the claim after theirs comes within `hold_s` (a pace interval later)."""
        if not self._covering_marks() or self.pacer.interval >= self.hold_s:
            return None
        return self.hold_s - self.pacer.interval

    def _holds(self, result: PassResult) -> bool:
        """Whether a pass's records may wait for the next pass's claim (bot.delivery.journal):
        a post is due again soon (a channel's pace holds items back), within `hold_s` of the
        oldest record, and a crash meanwhile is made good by looking its posts up in Slack
        (`_covering_marks`). Otherwise, and when the loop goes idle, they are written now.
        A paced post then costs one write, its claim, and a few posts' records share one."""
        held = self.journal.held_for()
        if held is None or result.next_wait is None or not self._covering_marks():
            return False
        return held + result.next_wait <= self.hold_s

    def _pass(self) -> PassResult:
        started = self.clock.now().timestamp()
        delivered = failed = 0
        held_back: dict[str, list[OutboxItem]] = {}  # new resources the pace holds back
        routine: dict[str, list[OutboxItem]] = {}  # new resources for the day's digest
        waiting: set[str] = set()  # channels whose pace held an item back
        # Items whose records the last pass left held back: as they are, not as listed.
        untouched: set[int] = self.journal.held_items()  # items this pass left as they were
        self.journal.forget_incidents()
        listed = self.store.due(self.clock.now(), _BATCH)
        candidates = [c for c in listed if c.id not in untouched]
        batch = Batch(candidates, self.journal, self.aliases, self.config.default_channel)
        for index, candidate in enumerate(candidates):
            root, channel = batch.look(index)
            # The pace is judged before anything is written, and now, not at the start of
            # the pass: the posts before this one were spent at the times they were made,
            # and a pass can outlast a burst. An item the pace holds back costs a read.
            # A trial's event that only edits its tuning job's root spends no post.
            if Bursts.routine(candidate, root):
                routine.setdefault(channel, []).append(candidate)
                untouched.add(candidate.id)
                continue
            if batch.paced(index) and self.pacer.wait(channel, self.clock.now().timestamp()) > 0:
                self.pacer.hold(channel)
                waiting.add(channel)
                untouched.add(candidate.id)
                self._release(batch.drop(candidate.id))  # leased ahead, but not sent now
                if Bursts.groupable(candidate, root):
                    held_back.setdefault(channel, []).append(candidate)
                continue
            item = self._leased(batch, index)
            if item is None:
                untouched.add(candidate.id)  # another replica is delivering it
                continue
            if _moved(candidate, item):
                # A crashed holder made progress since the list was read: its root too.
                root = self.journal.root(item.key)
                channel = self.aliases.of(channel_for(item, root, self.config.default_channel))
            if root is not None and root.digest_id is not None:
                if self.bursts.absorb(item, root):
                    delivered += 1
                    continue
                # A digest line that needs a message of its own now: paced as any post.
                if self.pacer.wait(channel, self.clock.now().timestamp()) > 0:
                    self.pacer.hold(channel)
                    waiting.add(channel)
                    untouched.add(item.id)
                    self._release(item)
                    continue
            if self._deliver(item, root, channel, started):
                delivered += 1
            else:
                failed += 1
            if root is not None and root.digest_id is not None:
                self.bursts.changed(root.digest_id)  # the line left for a message of its own
        for channel, items in routine.items():
            folded = self._fold(channel, items, burst=False)
            delivered += len(folded)
            untouched.difference_update(folded)
        for channel, items in held_back.items():
            if self.bursts.should_fold(channel, len(items)):
                folded = self._fold(channel, items)
                delivered += len(folded)
                untouched.difference_update(folded)
        digests_waiting = self.bursts.refresh(self.aliases)
        self.metrics.outbox_depth.set(self.outbox_depth())
        return PassResult(
            delivered, failed, self._next_wait(waiting, untouched, digests_waiting, listed)
        )

    def outbox_depth(self) -> int:
        """Items not yet delivered: pending in the store, less those done whose records
        are held back (bot.delivery.journal)."""
        return self.store.pending_count() - self.journal.completions_held()

    def _leased(self, batch: Batch, index: int) -> OutboxItem | None:
        """The candidate at `index`, leased: with the items after it that can be sent now
        too, in one write, unless an earlier write leased it already."""
        candidate = batch.candidates[index]
        ahead = batch.take(candidate.id)
        if ahead is None:
            covering = self._covering_marks()
            picked = batch.pick(index, self.pacer, self.clock.now().timestamp(), covering)
            claimed = self.clock.now()
            items = self.journal.claim_batch(
                [Claim(c.id, c.stage if mark else None) for c, mark in picked],
                self.owner,
                claimed + self.lease,
                claimed,
            )
            batch.leased(picked, items, claimed)
            ahead = batch.take(candidate.id)
            assert ahead is not None  # the candidate itself is the batch's first
        item, claimed = ahead
        now = self.clock.now()
        if item is None or now < claimed + self.lease / 2:
            return item
        # Leased a while ago (a slow Slack): the lease is renewed before the item's posts,
        # or another replica could take it over while they are made.
        renewed = self._claim(item, posts_first=False)
        if renewed is None or now >= claimed + self.lease or not item.marked:
            return renewed  # a mark made by a lease that ran out is nobody's to trust
        if _moved(replace(item, in_flight=True), renewed):
            return renewed
        return replace(renewed, in_flight=False, marked=True)  # our mark: nothing sent yet

    def _covering_marks(self) -> bool:
        """Whether a batch may mark its items' posts in flight before any of them is made:
        after a crash each is looked up in Slack (bot.delivery.posting), which needs the
        history scopes. Without them (known from the start, or from a refused lookup) a
        batch leases only its first item, marked as it always was."""
        readable = getattr(self.notifier, "history_readable", True)
        return bool(readable) and self.failures.caveat is None

    def _release(self, item: OutboxItem | None) -> None:
        """An item leased and marked ahead that is not sent in this pass: unmarked (held
        back: until it is durable, a retry only looks for a post that was never made)."""
        if item is not None and item.marked:
            self.journal.progress(item.id, item.stage)

    def _claim(self, candidate: OutboxItem, posts_first: bool) -> OutboxItem | None:
        """Lease `candidate` for a lease from now (not from the pass start): the item as
        leased, not as listed (a pass can outlast a lease, and a crashed holder may have
        made progress since). When its delivery starts with a post, the claim marks that
        post in flight too: one write where there were two."""
        claimed = self.clock.now()
        sending = candidate.stage if posts_first else None
        return self.journal.claim(
            candidate.id, self.owner, claimed + self.lease, claimed, sending=sending
        )

    def _fold(self, channel: str, items: list[OutboxItem], burst: bool = True) -> set[int]:
        """Lease the new resources held back (a `burst`) or routine, and fold them into the
        channel's digest; the ids folded (one another replica holds, or that moved on
        since, is left)."""
        leased = []
        for candidate in items:
            item = self._claim(candidate, posts_first=False)
            if item is not None and not _moved(candidate, item):
                leased.append(item)
        if leased:
            self.bursts.fold(channel, leased, burst)
        return {item.id for item in leased}

    def _next_wait(
        self,
        waiting: set[str],
        untouched: set[int],
        digests_waiting: bool,
        candidates: list[OutboxItem],
    ) -> float | None:
        """Seconds from now until the next post is due, after a pass: when the first
        channel that held an item back takes posts again, or the first item the pass did
        not see comes due (0: now); None if nothing is due within the idle wait."""
        now = self.clock.now()
        waits = [self.pacer.wait(channel, now.timestamp()) for channel in waiting]
        if digests_waiting:
            waits.append(_DIGEST_RETRY_S)
        # Items past a full batch that the pass left whole wait for its head to move:
        # counting them as due now would spin on a queue the pace holds back.
        if len(candidates) < _BATCH or len(untouched) < len(candidates):
            horizon = now + timedelta(seconds=_IDLE_WAIT_S)
            for item in self.store.due(horizon, len(untouched) + 1):
                if item.id not in untouched:  # retried later, or new since the listing
                    waits.append(max(0.0, (item.next_attempt - now).total_seconds()))
                    break
        return min(waits) if waits else None

    def run(self, stop: threading.Event, pause: Callable[[float], object] | None = None) -> None:
        """Deliver until `stop` is set: pass after pass, pausing only until the next post
        is due (`pause`, for tests; by default a sleep that new alerts cut short)."""
        sleep = pause or self._pause
        while not stop.is_set():
            try:
                result = self.run_once(hold=True)
            except Exception:
                log.exception("delivery pass failed; retrying")
                result = PassResult(0, 0, _IDLE_WAIT_S)
            seconds = pause_after(result)
            if seconds > 0:
                sleep(seconds)
        try:
            self.journal.flush()  # stopped: no claim comes to carry what the last pass held
        except Exception:
            log.exception("delivery records not written at stop; their items are looked up")

    def _pause(self, seconds: float) -> None:
        self.wake.wait(seconds)
        self.wake.clear()

    def drain(self, timeout: float, sleep: Callable[[float], object] | None = None) -> int:
        """Deliver until the outbox is empty or `timeout` seconds pass; the pending count."""
        pause = sleep or time.sleep
        deadline = time.monotonic() + timeout
        while self.store.pending_count() and time.monotonic() < deadline:
            result = self.run_once()
            if not result.delivered:
                wait = _DRAIN_POLL_S if result.next_wait is None else result.next_wait
                pause(min(wait, max(0.0, deadline - time.monotonic()), 1.0))
        return self.store.pending_count()

    def _deliver(
        self, item: OutboxItem, root: RootMessage | None, channel: str, started: float
    ) -> bool:
        """Deliver `item` now (`started`: when the pass began); False if Slack did not take
        it, and the failure policy decided what happens next."""
        try:
            self.steps.deliver(item, root)
        except NotifyError as error:
            self.failures.handle(item, channel, error)
            return False
        log.debug(
            "delivered %s",
            item.key,
            extra={"resource": item.key, "event_id": item.event.id if item.event else None},
        )
        if item.stage != STAGE_TAIL:  # an alert's log tail: the alert was counted already
            self.metrics.delivered.labels(item.kind_label).inc()
            self.metrics.latency.observe(max(0.0, started - item.created.timestamp()))
        self.health.set("slack", True, self.failures.healthy_detail(), self.clock.now())
        return True


def _moved(listed: OutboxItem, leased: OutboxItem) -> bool:
    """Whether the item changed between the list and the lease (another holder's progress,
    a reroute): what was decided from the list is decided again."""
    return (listed.stage, listed.in_flight, listed.decision) != (
        leased.stage,
        leased.in_flight,
        leased.decision,
    )
