"""One post or edit of a message in Slack: within Slack's limits, plain text when Slack
refuses the blocks, and posted once even when an earlier attempt's answer was lost."""

from __future__ import annotations

import logging
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
        plain: dict[str, Any],
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
        else:
            self.store.mark_in_flight(item.id)
        now = self.clock.now().timestamp()
        self.pacer.spend(self.aliases.of(channel), now)
        payload = checked(payload, plain, item.key)
        try:
            posted = self.notifier.post(channel, payload, thread_ts, marker)
        except NotifyError as error:
            if error.failure != Failure.INVALID or payload is plain:
                raise
            log.error(
                "Slack refused the payload for %s (%s); sending it plain", item.key, error.detail
            )
            posted = self.notifier.post(channel, plain, thread_ts, marker)
        if self.aliases.learn(channel, posted.channel):
            self.pacer.merge(channel, posted.channel)  # the posts spent under the name count
        return posted

    def edit(
        self, channel: str, ts: str, payload: dict[str, Any], plain: dict[str, Any], key: str
    ) -> None:
        """Edit a message: checked like a post, and plain if Slack refuses it."""
        payload = checked(payload, plain, key)
        try:
            self.notifier.update(channel, ts, as_edit(payload))
        except NotifyError as error:
            if error.failure != Failure.INVALID or "attachments" not in payload:
                raise
            log.error("Slack refused the update for %s (%s); sending it plain", key, error.detail)
            self.notifier.update(channel, ts, as_edit(plain))


def checked(payload: dict[str, Any], plain: dict[str, Any], key: str) -> dict[str, Any]:
    """`payload` if it keeps within Slack's limits, else `plain`."""
    problems = limits.problems(payload)
    if problems:
        log.error("payload for %s breaks Slack limits (%s); sending it plain", key, problems)
        return plain
    return payload


def as_edit(payload: dict[str, Any]) -> dict[str, Any]:
    """chat.update keeps the blocks and attachments an edit leaves out, so a plain-text edit
    says there are none, or the old state would stay on show."""
    if "blocks" in payload or "attachments" in payload:
        return payload
    return {**payload, "blocks": [], "attachments": []}
