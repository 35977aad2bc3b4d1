"""APScheduler runs the incident clock: re-notify, snooze ends, silence ends. What is due
is read from the store each time, so nothing is lost when the process restarts."""

from __future__ import annotations

import logging
import threading

from apscheduler.schedulers.background import BackgroundScheduler

from bot.incidents.service import IncidentService

log = logging.getLogger(__name__)
TICK_SECONDS = 15


class IncidentScheduler:
    def __init__(self, incidents: IncidentService, wake: threading.Event) -> None:
        self.incidents, self.wake = incidents, wake
        self._scheduler = BackgroundScheduler(timezone="UTC")
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
