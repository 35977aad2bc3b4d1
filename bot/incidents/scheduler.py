"""APScheduler runs the incident clock: re-notify, snooze ends, silence ends. What is due
is read from the store each time, so nothing is lost when the process restarts. It also
prunes what outlived its lifetime (the config's `retention`), a few small batches a minute
(bot.store.sqlite.retention; the DynamoDB store's TTL needs none)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from apscheduler.schedulers.background import BackgroundScheduler

from bot.incidents.service import IncidentService

log = logging.getLogger(__name__)
TICK_SECONDS = 15
PRUNE_SECONDS = 60
PRUNE_BATCHES = 20  # at most this many batches a minute: an old store catches up in time
PRUNE_BATCH = 500


class IncidentScheduler:
    def __init__(
        self,
        incidents: IncidentService,
        wake: threading.Event,
        prune: Callable[[int], int] | None = None,
    ) -> None:
        """`prune(limit)` deletes up to `limit` expired records of each kind, how many."""
        self.incidents, self.wake, self._prune = incidents, wake, prune
        self._scheduler = BackgroundScheduler(timezone="UTC")
        if prune is not None:
            self._scheduler.add_job(
                self.prune,
                "interval",
                seconds=PRUNE_SECONDS,
                id="prune",
                max_instances=1,
                coalesce=True,
            )
        self._scheduler.add_job(
            self.tick,
            "interval",
            seconds=TICK_SECONDS,
            id="incidents",
            max_instances=1,
            coalesce=True,
        )

    def tick(self) -> None:
        try:
            if self.incidents.tick():
                self.wake.set()  # the notices it queued go out now
        except Exception:
            log.exception("incident tick failed; the next one retries")

    def prune(self) -> int:
        """Batches of expired records, one short transaction each, until a batch finds
        fewer than it may take or PRUNE_BATCHES ran; how many records went."""
        if self._prune is None:
            return 0
        removed = 0
        try:
            for _ in range(PRUNE_BATCHES):
                batch = self._prune(PRUNE_BATCH)
                removed += batch
                if batch < PRUNE_BATCH:
                    break
        except Exception:
            log.exception("pruning failed; the next run retries")
        if removed:
            log.info("pruned %d expired record(s)", removed)
        return removed

    def start(self) -> None:
        self._scheduler.start()

    @property
    def running(self) -> bool:
        """Started and not shut down (what liveness asks, bot.ops.health)."""
        return bool(self._scheduler.running)

    def shutdown(self) -> None:
        """Stop ticking; a tick under way finishes first, before the store is closed."""
        if self._scheduler.running:
            self._scheduler.shutdown(wait=True)
