"""Which channel an outbox item goes to, and the channel ids Slack answered with.

Routes name channels (`#ml-alerts`); Slack answers with ids (`C0123`). Pacing and rate
limits are per channel, so once a name's id is known both spellings share one budget.
"""

from __future__ import annotations

from bot.store import OutboxItem, RootMessage


def channel_for(item: OutboxItem, root: RootMessage | None, default_channel: str) -> str:
    """Where `item` is posted: its root's channel, else its route's, else the notice's own
    channel or the default one. A digest line has no message of its own to follow."""
    if root is not None and root.digest_id is None:
        return root.channel
    if item.decision is not None:
        return item.decision.channel
    notice = item.notice
    return notice.channel if notice and notice.channel else default_channel


class Aliases:
    """Channel names and the ids Slack answered with, as learned from this process's posts."""

    def __init__(self) -> None:
        self._ids: dict[str, str] = {}  # channel name (or id) -> id

    def of(self, channel: str) -> str:
        """The id `channel` is known by, else `channel` as given."""
        return self._ids.get(channel, channel)

    def learn(self, channel: str, channel_id: str) -> bool:
        """Record Slack's id for `channel`; True the first time only."""
        if channel in self._ids:
            return False
        self._ids[channel] = channel_id
        return True
