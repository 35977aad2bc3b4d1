"""The outbox worker: accepted alerts to Slack, in order per resource, paced per channel.

For each item: the first event of a resource posts its root message; a later one updates
the root if it is newer (an older event never overwrites a newer state) and adds a thread
reply. Progress is recorded after each step, so a retry repeats nothing that reached
Slack; a post whose answer was lost is looked up by its marker before it is tried again.
Failures never drop an alert: it waits (429), backs off (5xx), moves to the fallback
channel (channel gone), or, if Slack refuses every form of it, is parked in the store.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from bot.config.models import Config, load_settings
from bot.core.clock import Clock
from bot.core.decision import Decision
from bot.core.events import Event
from bot.core.ordering import is_newer, order
from bot.delivery.bursts import Bursts
from bot.delivery.pacing import Pacer
from bot.delivery.root_state import carry_over
from bot.ops.health import Health
from bot.ops.telemetry import Metrics
from bot.store import STAGE_ROOT_DONE, Notice, OutboxItem, RootMessage, Store
from notifiers import limits
from notifiers.base import Failure, Notifier, NotifyError, Posted
from notifiers.render import render_alert, render_notice, render_plain, render_reply

log = logging.getLogger(__name__)
_MAX_BACKOFF_S = 300.0
_AUTH_RETRY_S = 60.0
_BATCH = 100
_IDLE_WAIT_S = 5.0


@dataclass(frozen=True)
class PassResult:
    delivered: int
    failed: int
    next_wait: float | None  # seconds until something more is due; None if nothing is


class Deliverer:
    def __init__(
        self,
        store: Store,
        notifier: Notifier,
        clock: Clock,
        config: Config,
        metrics: Metrics,
        health: Health,
    ) -> None:
        self.store, self.notifier, self.clock = store, notifier, clock
        self.config, self.metrics, self.health = config, metrics, health
        self.pacer = Pacer(
            notifier.min_interval / config.slack.posts_per_second, config.slack.burst
        )
        # Who this process is when it leases outbox items: replicas on one store share the
        # work and never deliver one item twice at once.
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.lease = timedelta(seconds=lease_seconds())
        self.bursts = Bursts(store, notifier, clock, self.pacer, metrics)
        self.wake = threading.Event()
        self._aliases: dict[str, str] = {}  # channel name -> id, learned from Slack's answers

    def run_once(self) -> PassResult:
        now = self.clock.now().timestamp()
        delivered = failed = 0
        waits: list[float] = []
        held_back: dict[str, list[OutboxItem]] = {}  # new resources the pace holds back
        for candidate in self.store.due(self.clock.now(), _BATCH):
            claimed = self.clock.now()  # a lease runs from its claim, not from the pass start
            # The item as leased, not as listed: a pass can outlast a lease, and a crashed
            # holder may have made progress since (posted its root, marked it in flight).
            item = self.store.claim(candidate.id, self.owner, claimed + self.lease, claimed)
            if item is None:
                continue  # another replica is delivering it
            root = self.store.root(item.key)
            if root is not None and root.digest_id is not None and self.bursts.absorb(item, root):
                delivered += 1
                continue
            channel = self._channel_for(item, root)
            # The pace is judged now, not at the start of the pass: the posts before this one
            # were spent at the times they were made, and a pass can outlast a burst.
            wait = self.pacer.wait(channel, self.clock.now().timestamp())
            if wait > 0:
                waits.append(wait)
                if Bursts.groupable(item, root):
                    held_back.setdefault(channel, []).append(item)
                continue
            try:
                self._deliver(item, root)
            except NotifyError as error:
                failed += 1
                self._failed(item, channel, error)
            else:
                delivered += 1
                log.debug(
                    "delivered %s",
                    item.key,
                    extra={"resource": item.key, "event_id": item.event.id if item.event else None},
                )
                self.metrics.delivered.labels(item.kind_label).inc()
                self.metrics.latency.observe(max(0.0, now - item.created.timestamp()))
                self.health.set("slack", True, "delivering", self.clock.now())
        for channel, items in held_back.items():
            if self.bursts.should_fold(channel, len(items)):
                self.bursts.fold(channel, items)
                delivered += len(items)
        if self.bursts.refresh(self._aliases):
            waits.append(1.0)
        self.metrics.outbox_depth.set(self.store.pending_count())
        more = self.store.due(self.clock.now() + timedelta(seconds=_IDLE_WAIT_S), 1)
        if more:
            waits.append(max(0.0, self._seconds_until_due(more[0])))
        return PassResult(delivered, failed, min(waits) if waits else None)

    def run(self, stop: threading.Event) -> None:
        """Deliver until `stop` is set; wakes early when new alerts are accepted."""
        while not stop.is_set():
            try:
                result = self.run_once()
            except Exception:
                log.exception("delivery pass failed; retrying")
                result = PassResult(0, 0, _IDLE_WAIT_S)
            if result.delivered:
                continue
            self.wake.wait(min(result.next_wait or _IDLE_WAIT_S, _IDLE_WAIT_S))
            self.wake.clear()

    def drain(self, timeout: float, sleep: Any = None) -> int:
        """Deliver until the outbox is empty or `timeout` seconds pass; the pending count."""
        import time

        pause = sleep or time.sleep
        deadline = time.monotonic() + timeout
        while self.store.pending_count() and time.monotonic() < deadline:
            result = self.run_once()
            if not result.delivered:
                pause(min(result.next_wait or 0.5, max(0.0, deadline - time.monotonic()), 1.0))
        return self.store.pending_count()

    # --- one item

    def _deliver(self, item: OutboxItem, root: RootMessage | None) -> None:
        """Deliver `item`; `root` is its resource's root as just read for it."""
        if item.notice is not None:
            self._deliver_notice(item, item.notice, root)
            return
        event, decision = item.event, item.decision
        assert event is not None and decision is not None  # an event item carries both
        if root is not None and root.digest_id is not None:
            root = None  # a digest line that now needs a message of its own
        if root is None:
            self._post_root(item, decision.channel, event, decision)
            return
        if item.stage < STAGE_ROOT_DONE and item.in_flight and self._posted_root(item, root):
            # This item posted the root and recorded it, then stopped (a crash) before it
            # was marked done: nothing is left to send, and a reply would say it twice.
            self.store.complete(item.id)
            return
        if item.stage < STAGE_ROOT_DONE:
            if is_newer(event, root.event):
                shown = carry_over(root.event, event)
                try:
                    self._update_root(root, shown, decision, item)
                except NotifyError as error:
                    if error.failure != Failure.GONE:
                        raise
                    log.info("root message of %s is gone; posting a new one", item.key)
                    self._post_root(item, root.channel, shown, decision)
                    return
                self.store.advance_state(item.key, shown, decision)
            self.store.progress(item.id, STAGE_ROOT_DONE)
            root = self.store.root(item.key) or root
        late = order(event) < order(root.event)
        reply = render_reply(event, late=late)
        self._post(root.channel, reply, render_plain(event), root.ts, f"{item.id}:reply", item)
        self.store.complete(item.id)

    def _posted_root(self, item: OutboxItem, root: RootMessage) -> bool:
        """Whether `root` is the message this item posted (found by its marker in Slack)."""
        oldest = item.created.timestamp() - 60
        found = self.notifier.find_posted(root.channel, f"{item.id}:root", None, oldest)
        return found is not None and found.ts == root.ts

    def _deliver_notice(self, item: OutboxItem, notice: Notice, root: RootMessage | None) -> None:
        """A thread line under the resource's root (re-rendering the root first when its
        incident changed), or a message of its own where there is no root."""
        payload = render_notice(notice.text, broadcast=notice.broadcast and root is not None)
        plain = {"text": payload["text"]}
        if root is None:
            channel = notice.channel or self.config.default_channel
            self._post(channel, payload, plain, None, f"{item.id}:notice", item)
        else:
            if notice.refresh and item.stage < STAGE_ROOT_DONE:
                decision = root.decision or Decision.default(root.event, root.channel)
                try:
                    self._update_root(root, root.event, decision, item)
                except NotifyError as error:
                    if error.failure != Failure.GONE:
                        raise
                    self._post_root(item, root.channel, root.event, decision, complete=False)
                    root = self.store.root(item.key) or root
                self.store.progress(item.id, STAGE_ROOT_DONE)
            self._post(root.channel, payload, plain, root.ts, f"{item.id}:notice", item)
        self.store.complete(item.id)

    def _post_root(
        self,
        item: OutboxItem,
        channel: str,
        shown: Event,
        decision: Decision,
        complete: bool = True,
    ) -> None:
        payload = self._alert_payload(shown, decision, item.key)
        posted = self._post(channel, payload, render_plain(shown), None, f"{item.id}:root", item)
        self.store.set_root(item.key, posted.channel, posted.ts, shown, decision)
        if complete:
            self.store.complete(item.id)

    def _update_root(
        self, root: RootMessage, shown: Event, decision: Decision, item: OutboxItem
    ) -> None:
        """Edit the root to show `shown`: checked like a post, and plain if Slack refuses it."""
        payload = self._checked(
            self._alert_payload(shown, decision, item.key), render_plain(shown), item.key
        )
        try:
            self.notifier.update(root.channel, root.ts, _as_edit(payload))
        except NotifyError as error:
            if error.failure != Failure.INVALID or "attachments" not in payload:
                raise
            log.error(
                "Slack refused the update for %s (%s); sending it plain", item.key, error.detail
            )
            self.notifier.update(root.channel, root.ts, _as_edit(render_plain(shown)))

    def _post(
        self,
        channel: str,
        payload: dict[str, Any],
        plain: dict[str, Any],
        thread_ts: str | None,
        marker: str,
        item: OutboxItem,
    ) -> Posted:
        """Post once: after an attempt that may have reached Slack, look for it first."""
        if item.in_flight:
            oldest = item.created.timestamp() - 60
            found = self.notifier.find_posted(channel, marker, thread_ts, oldest)
            if found is not None:
                log.info("found the earlier post of %s; not posting again", marker)
                return found
        else:
            self.store.mark_in_flight(item.id)
        now = self.clock.now().timestamp()
        self.pacer.spend(self._alias(channel), now)
        payload = self._checked(payload, plain, item.key)
        try:
            posted = self.notifier.post(channel, payload, thread_ts, marker)
        except NotifyError as error:
            if error.failure != Failure.INVALID or payload is plain:
                raise
            log.error(
                "Slack refused the payload for %s (%s); sending it plain", item.key, error.detail
            )
            posted = self.notifier.post(channel, plain, thread_ts, marker)
        if channel not in self._aliases:
            self._aliases[channel] = posted.channel
            self.pacer.merge(channel, posted.channel)  # the posts spent under the name count
        return posted

    def _alert_payload(self, shown: Event, decision: Decision, key: str) -> dict[str, Any]:
        incident = self.store.incident_for_key(key)
        return render_alert(shown, decision, incident, self.config.incidents.snooze_choices)

    def _checked(self, payload: dict[str, Any], plain: dict[str, Any], key: str) -> dict[str, Any]:
        problems = limits.problems(payload)
        if problems:
            log.error("payload for %s breaks Slack limits (%s); sending it plain", key, problems)
            return plain
        return payload

    # --- failures

    def _failed(self, item: OutboxItem, channel: str, error: NotifyError) -> None:
        now = self.clock.now()
        kind = item.kind_label
        self.metrics.failed.labels(kind, error.failure.value).inc()
        log.warning(
            "delivery of %s failed: %s",
            item.key,
            error,
            extra={
                "resource": item.key,
                "event_id": item.event.id if item.event else None,
                "channel": channel,
            },
        )
        if error.failure == Failure.RATE_LIMITED:
            wait = error.retry_after or 1.0
            self.metrics.rate_limited.inc()
            self.pacer.block(self._alias(channel), now.timestamp() + wait)
            self.store.retry_later(item.id, now + timedelta(seconds=wait), str(error), count=False)
        elif error.failure == Failure.CHANNEL:
            self._reroute(item, channel, error)
        elif error.failure == Failure.AUTH:
            self.health.set("slack", False, f"Slack refused our token: {error.detail}", now)
            self.store.retry_later(item.id, now + timedelta(seconds=_AUTH_RETRY_S), str(error))
        elif error.failure == Failure.INVALID:
            self.metrics.undeliverable.labels(kind).inc()
            log.error(
                "Slack refused every form of the alert for %s; kept as undeliverable", item.key
            )
            self.store.give_up(item.id, str(error))
        else:
            backoff = min(_MAX_BACKOFF_S, 2.0 ** min(item.attempts, 10))
            if item.attempts >= 3:
                self.health.set("slack", False, f"Slack unreachable: {error.detail}", now)
            self.store.retry_later(item.id, now + timedelta(seconds=backoff), str(error))

    def _reroute(self, item: OutboxItem, channel: str, error: NotifyError) -> None:
        now = self.clock.now()
        fallback = self.config.fallback_channel
        self.health.set("slack", False, f"cannot post to {channel}: {error.detail}", now)
        movable = item.decision is not None and item.stage == 0
        if movable and fallback and channel not in (fallback, self._aliases.get(fallback)):
            assert item.decision is not None
            log.error(
                "cannot post to %s (%s); sending to fallback %s", channel, error.detail, fallback
            )
            self.store.reroute(item.id, replace(item.decision, channel=fallback))
        else:
            self.store.retry_later(item.id, now + timedelta(seconds=_MAX_BACKOFF_S), str(error))

    def _channel_for(self, item: OutboxItem, root: RootMessage | None) -> str:
        if root is not None and root.digest_id is None:
            return self._alias(root.channel)
        if item.decision is not None:
            return self._alias(item.decision.channel)
        notice = item.notice
        return self._alias(
            notice.channel if notice and notice.channel else self.config.default_channel
        )

    def _alias(self, channel: str) -> str:
        return self._aliases.get(channel, channel)

    def _seconds_until_due(self, item: OutboxItem) -> float:
        return (item.next_attempt - self.clock.now()).total_seconds()


def lease_seconds() -> float:
    """How long a replica holds an outbox item it delivers (MLPULSE_LEASE_SECONDS). A
    crashed replica's items wait this long before another replica takes them over."""
    return load_settings().lease_seconds


def _as_edit(payload: dict[str, Any]) -> dict[str, Any]:
    """chat.update keeps the blocks and attachments an edit leaves out, so a plain-text edit
    says there are none, or the old state would stay on show."""
    if "blocks" in payload or "attachments" in payload:
        return payload
    return {**payload, "blocks": [], "attachments": []}
