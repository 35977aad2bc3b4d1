"""About one post a second per channel, with a small burst: Slack's own pace for
chat.postMessage, so mlpulse rarely sees a 429 and a 429 storm never happens."""

from __future__ import annotations


class Pacer:
    """A per-channel token bucket (GCRA): `interval` seconds a post, `burst` at once."""

    def __init__(self, interval: float, burst: int) -> None:
        self.interval = interval
        self.burst = burst
        self._theoretical: dict[str, float] = {}
        self._blocked_until: dict[str, float] = {}

    def wait(self, channel: str, now: float) -> float:
        """Seconds until `channel` may take a post; 0 when it may now."""
        blocked = self._blocked_until.get(channel, 0.0) - now
        if self.interval <= 0:
            return max(0.0, blocked)
        tat = self._theoretical.get(channel, now)
        paced = tat - (self.burst - 1) * self.interval - now
        return max(0.0, blocked, paced)

    def spend(self, channel: str, now: float) -> None:
        if self.interval > 0:
            self._theoretical[channel] = (
                max(self._theoretical.get(channel, now), now) + self.interval
            )

    def merge(self, name: str, channel_id: str) -> None:
        """`name` turned out to be `channel_id`: one channel, so one budget from now on."""
        if name == channel_id:
            return
        for table in (self._theoretical, self._blocked_until):
            if name in table:
                table[channel_id] = max(table.pop(name), table.get(channel_id, 0.0))

    def block(self, channel: str, until: float) -> None:
        """Slack said 429: nothing more for this channel until `until`."""
        self._blocked_until[channel] = max(self._blocked_until.get(channel, 0.0), until)
