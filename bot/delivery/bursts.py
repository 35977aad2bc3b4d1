"""Digests: resources told as lines of one message, updated in place, instead of a message
each.

- A burst: when more new resources wait for one channel than its pace allows (200 jobs
  at once), they become lines of one digest instead of 200 posts at one a second.
- Routine activity: a route with `routine: digest` sends every new resource whose first
  event is routine (nothing failed, no incident) to the channel's digest of the day, paced
  or not: a busy channel then shows what needs someone, and the day's runs in one place.

A member whose later event opens an incident leaves the digest for a message of its own,
and so does a routine member's later failure, with or without an incident (`absorb`).
Nothing is dropped: every event is either posted or a digest line. A tuning job and its
trials are never digest lines: the tuning job's own message gathers its trials
(bot.delivery.trials)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.core.clock import Clock
from bot.core.decision import run_by_pipeline
from bot.core.events import Event, Outcome
from bot.delivery.channels import Aliases
from bot.delivery.pacing import Pacer
from bot.delivery.posting import LOOKBACK_S, send_paced
from bot.delivery.trials import gathers_trials
from bot.ops.telemetry import Metrics
from bot.store import Digest, OutboxItem, RootMessage, Sending
from bot.store.roles import DigestStore
from notifiers.base import Failure, Notifier, NotifyError, Posted
from notifiers.digest import render_digest

log = logging.getLogger(__name__)
GROUP_AFTER = 3  # new resources held back by pacing in one channel that start a digest
WINDOW_S = 900.0  # a burst's digest takes members for this long after it opens
DAY_S = 86_400.0  # a channel's digest of routine activity takes members for a day
CAPACITY = 200  # members of one digest at most
REFRESH_S = 10.0  # a digest message is edited at most this often
# How long a replica's mark on a digest's first post keeps the others off it: past one Slack
# call's timeout (notifiers.slack), so only a replica that died loses it.
SENDING_S = 60.0


class Bursts:
    def __init__(
        self,
        store: DigestStore,
        notifier: Notifier,
        clock: Clock,
        pacer: Pacer,
        metrics: Metrics,
        owner: str,
    ) -> None:
        self.store, self.notifier, self.clock = store, notifier, clock
        self.pacer, self.metrics, self.owner = pacer, metrics, owner
        self._opened: dict[str, float] = {}  # channel -> when this process last folded into it

    @staticmethod
    def groupable(item: OutboxItem, root: RootMessage | None) -> bool:
        """A first event of a resource that opens no incident and reports no failure, and
        neither a tuning job nor one of its trials."""
        event, decision = item.event, item.decision
        return (
            root is None
            # an earlier attempt may have reached Slack: it is finished as an item, where
            # the marker lookup can find it, never folded into a digest beside its message
            and not item.in_flight
            and item.attempts == 0
            and item.stage == 0
            and event is not None
            and decision is not None
            and not decision.incident
            and event.outcome != Outcome.FAILED
            and not gathers_trials(event)
        )

    @staticmethod
    def routine(item: OutboxItem, root: RootMessage | None) -> bool:
        """A groupable first event whose route sends routine activity to the digest."""
        return item.decision is not None and item.decision.digest and Bursts.groupable(item, root)

    def should_fold(self, channel: str, held_back: int) -> bool:
        """Enough held back to start a digest, or one is open: the tail of a burst joins it
        instead of trickling out one message a second."""
        opened = self._opened.get(channel)
        recent = opened is not None and self.clock.now().timestamp() - opened < WINDOW_S
        return held_back >= GROUP_AFTER or (recent and held_back > 0)

    def fold(self, channel: str, items: list[OutboxItem], burst: bool = True) -> None:
        """Make `items` lines of the channel's open digest (a new one if none takes them):
        a burst's, or (not `burst`) the digest of the day's routine activity. Only a burst
        lets the tail of a burst join without waiting for the pace (`should_fold`)."""
        now = self.clock.now()
        # The digest is found again by its route's channel name, as every replica and a
        # restarted process spell it, not by the id this process may have learned since
        # (bot.delivery.channels): a day's digest would split at the first alert posted.
        decision = items[0].decision
        name = decision.channel if decision is not None else channel
        digest = self.store.open_digest(name, now, WINDOW_S if burst else DAY_S, CAPACITY)
        if burst:
            self._opened[channel] = digest.opened.timestamp()
        for item in items:
            self.store.join_digest(digest, item)
            self.metrics.grouped.labels(item.kind_label).inc()

    def absorb(self, item: OutboxItem, root: RootMessage) -> bool:
        """A later event of a digest member: recorded as the member's state (newer only),
        unless it needs a message of its own (False): it opens an incident, or it is a
        failure on a route whose routine activity is digested, whatever its `incident`
        (the route promises every failure a message), save a build a pipeline ran, whose
        failure is told under its pipeline's (bot.core.decision.run_by_pipeline)."""
        assert root.digest_id is not None
        if item.decision is None or item.event is None or item.decision.incident:
            return False
        if item.decision.digest and _own_failure(item.event):
            return False
        if gathers_trials(item.event):
            return False  # its tuning job leaves the digest for a message of its own
        self.store.advance_state(item.key, item.event, item.decision)
        self.store.complete(item.id)
        self.changed(root.digest_id)
        self.metrics.grouped.labels(item.kind_label).inc()
        return True

    def changed(self, digest_id: int) -> None:
        """Mark the digest for a refresh once a member's change is written (the mark
        flushes it first): a replica refreshing meanwhile has either read the change or
        sees the mark. A mark made before the write could be cleared by a refresh that
        read the members just before it, and the line would never change."""
        self.store.touch_digest(digest_id)

    def refresh(self, aliases: Aliases) -> bool:
        """Post or edit digests that changed; True while some still wait."""
        waiting = False
        for digest in self.store.dirty_digests():
            try:
                waiting |= not self._refresh(digest, aliases)
            except NotifyError as error:
                waiting = True
                log.warning("digest %d not refreshed: %s", digest.id, error)
                if error.failure == Failure.RATE_LIMITED:
                    channel = aliases.of(digest.channel)
                    self.pacer.rate_limited(
                        channel, self.clock.now().timestamp() + (error.retry_after or 1)
                    )
        return waiting

    def _refresh(self, digest: Digest, aliases: Aliases) -> bool:
        now = self.clock.now()
        members = self.store.digest_members(digest.id)
        payload = render_digest(digest.channel, members)
        if digest.ts is None and not members and not digest.in_flight:
            # Its members all left before it was posted (a run that started and failed
            # within the pace's wait): nothing to show until another joins and marks it.
            self.store.digest_refreshed(digest.id, now)
            return True
        if digest.ts is None:
            if not self._post(digest, payload, aliases, now):
                return False
        elif digest.refreshed is not None and (now - digest.refreshed).total_seconds() < REFRESH_S:
            return False
        else:
            self.notifier.update(digest.posted_channel or digest.channel, digest.ts, payload)
            self.store.digest_refreshed(digest.id, now)
        # Recording the post or edit cleared the digest's mark, and another replica may
        # have joined or changed a member since the members were read: its mark went with
        # it. Read again, and mark it again if what was sent is out of date already.
        if self.store.digest_members(digest.id) != members:
            self.store.touch_digest(digest.id)
        return True

    def _post(
        self, digest: Digest, payload: dict[str, object], aliases: Aliases, now: datetime
    ) -> bool:
        channel = aliases.of(digest.channel)
        if self.pacer.wait(channel, now.timestamp()) > 0:
            self.pacer.hold(channel)
            return False
        marker = f"digest:{digest.id}"
        sending = self.store.digest_sending(
            digest.id, self.owner, now + timedelta(seconds=SENDING_S), now
        )
        if sending is Sending.BUSY:
            return False  # another replica is posting it, or has: a later pass sees which
        found = self._find_posted(digest, marker) if sending is Sending.AGAIN else None
        if found is None:
            found = send_paced(
                self.notifier, self.pacer, self.clock, channel, digest.channel, payload, None,
                marker,
            )  # fmt: skip
            self.store.digest_posted(digest.id, found.channel, found.ts, now)
        else:
            # Found: an earlier attempt's post (this replica's before a crash, or
            # another's), showing the members as they were then: edited on a later pass.
            self.store.digest_posted(digest.id, found.channel, found.ts, now)
            self.store.touch_digest(digest.id)
        return True

    def _find_posted(self, digest: Digest, marker: str) -> Posted | None:
        """The digest's earlier post, if Slack has it. Where the lookup is refused (no
        history scope) the digest is posted again: a digest has no buttons, and one that
        never arrived would hide its whole burst, so a second copy is the lesser harm."""
        oldest = digest.opened.timestamp() - LOOKBACK_S
        try:
            return self.notifier.find_posted(digest.channel, marker, None, oldest)
        except NotifyError as error:
            if error.failure != Failure.UNVERIFIABLE:
                raise
            log.warning(
                "cannot look for digest %d's earlier post (%s); posting it again",
                digest.id,
                error.detail,
            )
            return None


def _own_failure(event: Event) -> bool:
    """A failure that is the resource's own to tell, not a part of another's."""
    return event.outcome == Outcome.FAILED and not run_by_pipeline(event)
