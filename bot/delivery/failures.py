"""The failure policy: what delivery does with an item Slack did not take.

`RULES` has one row per notifiers.base.Failure; `remedy` turns a failure and the item's
attempts so far into a `Remedy`, a plain value; `FailureHandler.handle` applies it to the
store, health, metrics and pacing, all in one place. No rule drops an alert: a 429 waits
Retry-After without spending an attempt, a channel we cannot post to sends the alert to
the fallback channel, a refused token or an unreachable Slack retries later and turns
Slack's health red, and a payload Slack refuses in every form is parked in the store, as
is a post that may already be in Slack when the lookup that would tell is refused (no
history scope: at most once, said in the log, a metric and /readyz).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta

from bot.config.models import Config
from bot.core.clock import Clock
from bot.delivery.channels import Aliases
from bot.delivery.pacing import Pacer
from bot.ops.health import Health
from bot.ops.telemetry import Metrics
from bot.store import OutboxItem
from bot.store.roles import OutboxStore
from notifiers.base import Failure, NotifyError

log = logging.getLogger(__name__)
MAX_BACKOFF_S = 300.0
AUTH_RETRY_S = 60.0

# Seconds until the next try, from the error and the item's attempts so far.
Wait = Callable[[NotifyError, int], float]


def _retry_after(error: NotifyError, attempts: int) -> float:
    return error.retry_after or 1.0


def _backoff(error: NotifyError, attempts: int) -> float:
    return min(MAX_BACKOFF_S, 2.0 ** min(attempts, 10))


def _fixed(seconds: float) -> Wait:
    return lambda error, attempts: seconds


@dataclass(frozen=True)
class Rule:
    """One row of the policy."""

    wait: Wait | None  # None: no retry, the item is parked as undeliverable
    counts: bool = True  # the retry spends one of the item's attempts (a 429 does not)
    unhealthy: str | None = None  # Slack turns unhealthy, said so ({channel}, {detail})
    unhealthy_after: int = 0  # ... once the item has had this many attempts
    pause_channel: bool = False  # the channel takes nothing more until the retry
    reroute: bool = False  # to the fallback channel, where the item can move there
    unconfirmed: bool = False  # the post may have reached Slack: parked, never repeated


_UNREACHABLE = Rule(wait=_backoff, unhealthy="Slack unreachable: {detail}", unhealthy_after=3)
RULES: dict[Failure, Rule] = {
    Failure.RATE_LIMITED: Rule(wait=_retry_after, counts=False, pause_channel=True),
    Failure.CHANNEL: Rule(
        wait=_fixed(MAX_BACKOFF_S), unhealthy="cannot post to {channel}: {detail}", reroute=True
    ),
    Failure.AUTH: Rule(wait=_fixed(AUTH_RETRY_S), unhealthy="Slack refused our token: {detail}"),
    Failure.INVALID: Rule(wait=None),
    Failure.RETRY: _UNREACHABLE,
    # An edit of a vanished root posts a new root (bot.delivery.steps); a GONE that gets
    # this far is retried like any other error.
    Failure.GONE: _UNREACHABLE,
    # An earlier attempt may have reached Slack and cannot be looked up: posting again
    # could make a second root, so the item is parked; the resource's next event posts
    # a fresh root if the earlier one never arrived (at most once per post).
    Failure.UNVERIFIABLE: Rule(wait=None, unconfirmed=True),
}
# The lookup reads channel history, and lists channels to find a `#name`'s id.
SCOPES_TO_GRANT = "channels:history and groups:history (channels:read, groups:read for #names)"
# What /readyz says (component `slack`, still ok) once a lookup was refused.
UNVERIFIABLE_NOTE = (
    "cannot look up a post whose answer was lost ({detail}): such a post is not repeated"
    " (at most once); grant the app {scopes}"
)


@dataclass(frozen=True)
class Remedy:
    """What to do with one failed item."""

    retry_in: float | None  # seconds until the next try; None: park it as undeliverable
    counts: bool  # the retry spends an attempt
    unhealthy: str | None  # Slack's health turns red with this detail
    pause_channel: bool  # nothing more to the channel until the retry (a 429)
    reroute: bool  # try the fallback channel first
    unconfirmed: bool = False  # parked because it may have been posted already


def remedy(error: NotifyError, attempts: int, channel: str) -> Remedy:
    """The policy's answer for `error`, on an item with `attempts` failed tries before it,
    posting to `channel`."""
    rule = RULES[error.failure]
    unhealthy = None
    if rule.unhealthy is not None and attempts >= rule.unhealthy_after:
        unhealthy = rule.unhealthy.format(channel=channel, detail=error.detail)
    return Remedy(
        retry_in=rule.wait(error, attempts) if rule.wait is not None else None,
        counts=rule.counts,
        unhealthy=unhealthy,
        pause_channel=rule.pause_channel,
        reroute=rule.reroute,
        unconfirmed=rule.unconfirmed,
    )


def fallback_for(
    item: OutboxItem, channel: str, fallback: str | None, aliases: Aliases
) -> str | None:
    """The fallback channel `item` moves to, if it can: an alert not yet posted anywhere,
    failing somewhere other than the fallback itself."""
    movable = item.decision is not None and item.stage == 0
    if movable and fallback and channel not in (fallback, aliases.of(fallback)):
        return fallback
    return None


class FailureHandler:
    """Applies the policy: the one place a failed delivery touches store, health, metrics
    and pacing."""

    def __init__(
        self,
        store: OutboxStore,
        clock: Clock,
        config: Config,
        metrics: Metrics,
        health: Health,
        pacer: Pacer,
        aliases: Aliases,
    ) -> None:
        self.store, self.clock, self.config = store, clock, config
        self.metrics, self.health = metrics, health
        self.pacer, self.aliases = pacer, aliases
        # Said with every healthy report on Slack once a lookup was refused for a scope:
        # granting it takes a reinstall, which the next start sees.
        self.caveat: str | None = None

    def healthy_detail(self) -> str:
        """What /readyz says of Slack while posts go through."""
        return "delivering" if self.caveat is None else f"delivering; {self.caveat}"

    def handle(self, item: OutboxItem, channel: str, error: NotifyError) -> None:
        """`item`, bound for `channel`, failed with `error`: record what happens next."""
        now = self.clock.now()
        kind = item.kind_label
        self.metrics.failed.labels(kind, error.failure.value).inc()
        answer = remedy(error, item.attempts, channel)
        if answer.unhealthy is not None:
            self.health.set("slack", False, answer.unhealthy, now)
        if answer.unconfirmed:
            self._park_unconfirmed(item, channel, error)
            return
        # One line per failed call, saying what happens next (bot.ops.logs: one per event).
        context = {
            "resource": item.key,
            "event_id": item.event.id if item.event else None,
            "channel": channel,
        }
        if answer.retry_in is None:
            self.metrics.undeliverable.labels(kind).inc()
            log.error(
                "delivery of %s failed: %s; Slack refused every form of the alert, kept as"
                " undeliverable",
                item.key,
                error,
                extra=context,
            )
            self.store.give_up(item.id, str(error))
            return
        fallback = (
            fallback_for(item, channel, self.config.fallback_channel, self.aliases)
            if answer.reroute
            else None
        )
        paced = self.aliases.of(channel)
        if answer.pause_channel:
            self.metrics.rate_limited.inc()
            self.pacer.rate_limited(paced, now.timestamp() + answer.retry_in)
        if fallback is not None:
            assert item.decision is not None  # only an alert with a route moves
            log.error(
                "delivery of %s failed: cannot post to %s (%s); sending to fallback %s",
                item.key,
                channel,
                error.detail,
                fallback,
                extra=context,
            )
            self.store.reroute(item.id, replace(item.decision, channel=fallback))
            return
        then = f"retrying in {answer.retry_in:.1f} s"
        if answer.pause_channel:
            then = (
                f"rate-limited: {channel} paused {answer.retry_in:.1f} s, now"
                f" {self.pacer.allowance(paced).burst} post(s) at once, one every"
                f" {self.pacer.interval_of(paced):.2f} s"
            )
        log.warning("delivery of %s failed: %s; %s", item.key, error, then, extra=context)
        when = now + timedelta(seconds=answer.retry_in)
        self.store.retry_later(item.id, when, str(error), count=answer.counts)

    def _park_unconfirmed(self, item: OutboxItem, channel: str, error: NotifyError) -> None:
        """An attempt that may have reached Slack cannot be looked up: at most once, and
        the operator is told (log, metric, /readyz)."""
        self.metrics.unconfirmed.labels(item.kind_label).inc()
        log.error(
            "the post for %s in %s may have reached Slack but cannot be looked up (%s);"
            " not posting it again. Grant the app %s",
            item.key,
            channel,
            error.detail,
            SCOPES_TO_GRANT,
            extra={"resource": item.key, "channel": channel},
        )
        self.caveat = UNVERIFIABLE_NOTE.format(detail=error.detail, scopes=SCOPES_TO_GRANT)
        self.health.set("slack", True, self.healthy_detail(), self.clock.now())
        self.store.give_up(item.id, str(error))
