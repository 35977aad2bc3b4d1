"""One post or edit of a message in Slack: within Slack's limits, plain text when Slack
refuses the blocks, and posted once even when an earlier attempt's answer was lost."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from bot.core.clock import Clock
from bot.delivery.channels import Aliases
from bot.delivery.pacing import Pacer
from bot.store import OutboxItem
from bot.store.roles import OutboxStore
from notifiers import limits
from notifiers.base import Failure, Notifier, NotifyError, Posted

log = logging.getLogger(__name__)
LOOKBACK_S = 60  # an earlier attempt's post is looked for from this long before the item
# The plain-text payload sent instead when Slack refuses the blocks: made only then.
Plain = Callable[[], dict[str, Any]]


class Poster:
    def __init__(
        self, store: OutboxStore, notifier: Notifier, clock: Clock, pacer: Pacer, aliases: Aliases
    ) -> None:
        self.store, self.notifier, self.clock = store, notifier, clock
        self.pacer, self.aliases = pacer, aliases

    def post(
        self,
        channel: str,
        payload: dict[str, Any],
        plain: Plain,
        thread_ts: str | None,
        marker: str,
        item: OutboxItem,
    ) -> Posted:
        """Post once: after an attempt that may have reached Slack, look for it first."""
        if item.in_flight:
            oldest = item.created.timestamp() - LOOKBACK_S
            found = self.notifier.find_posted(channel, marker, thread_ts, oldest)
            if found is not None:
                log.info("found the earlier post of %s; not posting again", marker)
                return found
        elif not item.marked:  # the claim marked it already
            self.store.mark_in_flight(item.id)
        try:
            posted = self._send_checked(channel, payload, plain, thread_ts, marker, item.key)
        except NotifyError as error:
            if not error.uncertain:
                # Slack said plainly it took nothing (a 429, a refusal): there is no earlier
                # post to look for next time, which matters where the lookup is refused.
                self.store.progress(item.id, item.stage)
            raise
        if self.aliases.learn(channel, posted.channel):
            self.pacer.merge(channel, posted.channel)  # the posts spent under the name count
        return posted

    def _send_checked(
        self,
        channel: str,
        payload: dict[str, Any],
        plain: Plain,
        thread_ts: str | None,
        marker: str,
        key: str,
    ) -> Posted:
        """`payload` within Slack's limits, or `plain` if Slack refuses it."""
        sent = checked(payload, plain, key)
        try:
            return self._send(channel, sent, thread_ts, marker)
        except NotifyError as error:
            if error.failure != Failure.INVALID or sent is not payload:
                raise
            log.error("Slack refused the payload for %s (%s); sending it plain", key, error.detail)
            return self._send(channel, plain(), thread_ts, marker)

    def _send(
        self, channel: str, payload: dict[str, Any], thread_ts: str | None, marker: str
    ) -> Posted:
        return send_paced(
            self.notifier, self.pacer, self.clock, self.aliases.of(channel), channel, payload,
            thread_ts, marker,
        )  # fmt: skip

    def edit(self, channel: str, ts: str, payload: dict[str, Any], plain: Plain, key: str) -> None:
        """Edit a message: checked like a post, and plain if Slack refuses it."""
        sent = checked(payload, plain, key)
        try:
            self.notifier.update(channel, ts, as_edit(sent))
        except NotifyError as error:
            if error.failure != Failure.INVALID or "attachments" not in sent:
                raise
            log.error("Slack refused the update for %s (%s); sending it plain", key, error.detail)
            self.notifier.update(channel, ts, as_edit(plain()))


def send_paced(
    notifier: Notifier,
    pacer: Pacer,
    clock: Clock,
    paced_as: str,
    channel: str,
    payload: dict[str, Any],
    thread_ts: str | None,
    marker: str,
) -> Posted:
    """One chat.postMessage to `channel`, spent from the pace of `paced_as` (its id when
    known) once Slack has answered it: bot.delivery.pacing counts slots from the answer.
    A 429 spends nothing: Slack took no post, and the channel is blocked instead."""
    try:
        posted = notifier.post(channel, payload, thread_ts, marker)
    except NotifyError as error:
        if error.failure != Failure.RATE_LIMITED:
            pacer.spend(paced_as, clock.now().timestamp())
        raise
    pacer.spend(paced_as, clock.now().timestamp())
    return posted


def checked(payload: dict[str, Any], plain: Plain, key: str) -> dict[str, Any]:
    """`payload` if it keeps within Slack's limits, else `plain`'s."""
    problems = limits.problems(payload)
    if problems:
        log.error("payload for %s breaks Slack limits (%s); sending it plain", key, problems)
        return plain()
    return payload


def text_only(payload: dict[str, Any]) -> dict[str, Any]:
    """A payload's notification text alone: the plain form of a notice or a log tail."""
    return {"text": payload["text"]}


def as_edit(payload: dict[str, Any]) -> dict[str, Any]:
    """chat.update keeps the blocks and attachments an edit leaves out, so a plain-text edit
    says there are none, or the old state would stay on show."""
    if "blocks" in payload or "attachments" in payload:
        return payload
    return {**payload, "blocks": [], "attachments": []}
