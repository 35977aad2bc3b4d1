"""About one post a second per channel, with a small burst: Slack's own pace for
chat.postMessage, so mlpulse rarely sees a 429 and a 429 storm never happens.

The configured pace (`slack.posts_per_second`, `slack.burst`) is an upper bound, not a
promise: a channel may allow less (Slack gives some no burst; other apps or replicas post
there too). Each channel's allowance is learned from Slack's 429s, AIMD-style:

- a 429 cuts it multiplicatively: the burst falls to one post at a time, and a 429 that
  comes at one post at a time halves the channel's rate (down to MIN_SHARE of the pace);
- RECOVER_AFTER posts in a row without a 429 win back one step additively: a quarter of
  the configured rate, then, once the rate is whole, one more post of burst. A step is a
  probe: a 429 before the next run of clean posts doubles the run the next step waits
  for (up to MAX_PATIENCE), so a channel that keeps refusing a step is asked less often.

A burst step is only won back on a post that finds the channel rested: no post for it
was held back (`hold`) since the one before. During a backlog Slack's bucket is as empty
as ours whatever its size, so trying a bigger burst there would only earn a 429: a
channel that allows no burst sees one 429 when it is first used, then one per probe,
ever rarer.

Slots are counted from Slack's answer, not from the request: however the network delays
one request against the next, two posts can never reach Slack closer than the interval.
"""

from __future__ import annotations

from dataclasses import dataclass

RECOVER_AFTER = 20  # posts in a row without a 429 that win back one step of allowance
MAX_PATIENCE = RECOVER_AFTER * 32  # the longest run a step waits for after failed probes
RATE_CUT = 0.5  # a 429 at one post at a time halves the channel's rate ...
MIN_SHARE = 0.125  # ... to an eighth of the configured pace at most
SHARE_STEP = 0.25  # a step back up: a quarter of the configured pace
ROOM_CAP = 1_000  # room() when nothing bounds a channel (pacing off)


@dataclass
class Allowance:
    """What one channel is allowed now: `burst` posts at once, `share` of the pace."""

    burst: int
    share: float = 1.0
    clean: int = 0  # posts since the last 429 or the last step back up
    patience: int = RECOVER_AFTER  # clean posts the next step back up waits for
    probing: bool = False  # a step was taken and no run of clean posts has confirmed it


class Pacer:
    """A per-channel token bucket (GCRA): `interval` seconds a post, `burst` at once, each
    channel's bucket as learned from its 429s."""

    def __init__(self, interval: float, burst: int) -> None:
        self.interval = interval
        self.burst = burst
        self._theoretical: dict[str, float] = {}
        self._blocked_until: dict[str, float] = {}
        self._allowances: dict[str, Allowance] = {}
        self._busy: set[str] = set()  # channels a post waited for since their last post

    def allowance(self, channel: str) -> Allowance:
        """The channel's allowance as learned so far (the configured one until a 429)."""
        return self._allowances.setdefault(channel, Allowance(self.burst))

    def interval_of(self, channel: str) -> float:
        """Seconds a post in `channel` at the rate it is allowed now."""
        return self.interval / self.allowance(channel).share

    def wait(self, channel: str, now: float) -> float:
        """Seconds until `channel` may take a post; 0 when it may now."""
        blocked = self._blocked_until.get(channel, 0.0) - now
        if self.interval <= 0:
            return max(0.0, blocked)
        interval = self.interval_of(channel)
        tat = self._theoretical.get(channel, now)
        paced = tat - (self.allowance(channel).burst - 1) * interval - now
        return max(0.0, blocked, paced)

    def room(self, channel: str, now: float) -> int:
        """How many posts `channel` may take now, one straight after another; at most
        ROOM_CAP (pacing off: nothing bounds it)."""
        if self._blocked_until.get(channel, 0.0) > now:
            return 0
        if self.interval <= 0:
            return ROOM_CAP
        interval = self.interval_of(channel)
        ahead = max(self._theoretical.get(channel, now), now) - now  # slots already spent
        return max(0, min(ROOM_CAP, self.allowance(channel).burst - int(-(-ahead // interval))))

    def hold(self, channel: str) -> None:
        """A post for `channel` waits for its pace (wait() said so): the channel is busy."""
        self._busy.add(channel)

    def spend(self, channel: str, now: float) -> None:
        """A post to `channel` was answered at `now`, and not with a 429."""
        rested = channel not in self._busy
        self._busy.discard(channel)
        if self.interval <= 0:
            return
        interval = self.interval_of(channel)
        allowance = self.allowance(channel)
        allowance.clean += 1
        if allowance.clean >= allowance.patience:
            if allowance.probing:  # the last step held for a whole run: it was right
                allowance.probing, allowance.patience = False, RECOVER_AFTER
            self._step_up(allowance, rested)
        self._theoretical[channel] = max(self._theoretical.get(channel, now), now) + interval

    def rate_limited(self, channel: str, until: float) -> None:
        """Slack said 429: nothing more for this channel until `until` (its Retry-After),
        and a smaller allowance from now on."""
        self._blocked_until[channel] = max(self._blocked_until.get(channel, 0.0), until)
        allowance = self.allowance(channel)
        if allowance.probing:  # the step was one too far: wait longer before the next
            allowance.patience = min(MAX_PATIENCE, allowance.patience * 2)
            allowance.probing = False
        if allowance.burst > 1:
            allowance.burst = 1
        else:
            allowance.share = max(MIN_SHARE, allowance.share * RATE_CUT)
        allowance.clean = 0

    def merge(self, name: str, channel_id: str) -> None:
        """`name` turned out to be `channel_id`: one channel, so one budget from now on."""
        if name == channel_id:
            return
        for table in (self._theoretical, self._blocked_until):
            if name in table:
                table[channel_id] = max(table.pop(name), table.get(channel_id, 0.0))
        if name in self._busy:
            self._busy.discard(name)
            self._busy.add(channel_id)
        learned = self._allowances.pop(name, None)
        if learned is not None:
            known = self.allowance(channel_id)
            known.burst = min(known.burst, learned.burst)
            known.share = min(known.share, learned.share)
            known.clean = min(known.clean, learned.clean)
            known.patience = max(known.patience, learned.patience)
            known.probing = known.probing or learned.probing

    def _step_up(self, allowance: Allowance, rested: bool) -> None:
        """One additive step back towards the configured pace, never past it."""
        if allowance.share < 1.0:
            allowance.share = min(1.0, allowance.share + SHARE_STEP)
        elif allowance.burst < self.burst and rested:
            allowance.burst += 1
        else:
            return  # nothing to win back yet: the run of clean posts keeps counting
        allowance.clean = 0
        allowance.probing = True
