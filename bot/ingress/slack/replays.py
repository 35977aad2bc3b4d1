"""The Slack requests /slack/events has already taken, recorded in the store while their
signature could still be accepted, so that none is handled twice by any replica.

Two things send the same signed body again: Slack's Events API, retrying with an
`X-Slack-Retry-Num` header after a slow or failed answer (and a load balancer may hand
the retry to another replica than the first), and someone who captured a request and
replays it byte for byte within the 5 minutes its signature is good for. Slack never
sends a slash command or a click twice (it does not retry them), and every request it
sends differs from the last (`trigger_id`, `event_id`), so a body seen before is never new
work. A timestamp is good for 5 minutes either side of now, so a body is recorded for 10
minutes after it was first seen (the record's `expires_at`); by then its signature is
refused as stale.

The record is the store's (RequestStore, bot.store.roles: a conditional put on DynamoDB,
a unique row on SQLite), shared by every replica on it. Should the store fail, the request
is handled: a Slack command answered twice is a lesser harm than one not answered.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta

from bot.core.clock import Clock
from bot.core.errors import StoreError
from bot.store import RequestStore

log = logging.getLogger(__name__)
KEEP = timedelta(minutes=10)


class SeenRequests:
    def __init__(self, store: RequestStore, clock: Clock, keep: timedelta = KEEP) -> None:
        self._store, self._clock, self._keep = store, clock, keep

    def first_time(self, body: str) -> bool:
        """Record `body`; True unless a replica recorded it in the last 10 minutes."""
        digest = hashlib.sha256(body.encode()).hexdigest()
        now = self._clock.now()
        try:
            return self._store.first_request(digest, now, now + self._keep)
        except StoreError as error:
            log.warning("could not record a Slack request (%s); handling it", error)
            return True
