"""The Slack requests /slack/events has already taken, remembered while their signature
could still be accepted, so that none is handled twice.

Two things send the same signed body again: Slack's Events API, retrying with an
`X-Slack-Retry-Num` header after a slow or failed answer, and someone who captured a request
and replays it byte for byte within the 5 minutes its signature is good for. Slack never
sends a slash command or a click twice (it does not retry them), and every request it
sends differs from the last (`trigger_id`, `event_id`), so a body seen before is never new
work. A timestamp is good for 5 minutes either side of now, so a body is remembered for 10
minutes after it was first seen; by then its signature is refused as stale.

The memory is one process's: replicas behind a load balancer each keep their own.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from datetime import timedelta

from bot.core.clock import Clock

KEEP = timedelta(minutes=10)
# At most this many bodies: 10 minutes of 160 requests a second, about 20 MB. Past that the
# oldest are forgotten first, and only a replay of one of those could get through.
MOST = 100_000


class SeenRequests:
    def __init__(self, clock: Clock, keep: timedelta = KEEP, most: int = MOST) -> None:
        self._clock, self._keep, self._most = clock, keep.total_seconds(), most
        self._seen: OrderedDict[bytes, float] = OrderedDict()  # digest -> first seen, in order
        self._lock = threading.Lock()

    def first_time(self, body: str) -> bool:
        """Remember `body`; True unless it was seen in the last 10 minutes."""
        digest = hashlib.sha256(body.encode()).digest()
        now = self._clock.now().timestamp()
        with self._lock:
            self._forget_before(now - self._keep)
            if digest in self._seen:
                return False
            self._seen[digest] = now
            while len(self._seen) > self._most:
                self._seen.popitem(last=False)
            return True

    def __len__(self) -> int:
        return len(self._seen)

    def _forget_before(self, moment: float) -> None:
        while self._seen:
            oldest = next(iter(self._seen.values()))
            if oldest >= moment:
                return
            self._seen.popitem(last=False)
