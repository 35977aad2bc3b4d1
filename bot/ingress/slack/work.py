"""mlpulse's own bounded executor for the work behind a Slack acknowledgement.

A request is acknowledged on the thread that received it; what it asked for (a store read,
an incident transition, AWS calls, a chart) is offered here. `offer` never blocks: when
`limit` jobs are already waiting it says no, and the caller answers "busy, try again"
while Slack's 3 seconds are still young. Bolt's own executor is not used for this: its
queue has no bound, so under load acknowledgements waited behind work (issue 13).

Workers start with the first offer, so an App that never takes a Slack request starts no
threads. `shutdown` stops taking jobs, lets the workers finish what is queued until its
deadline, and drops (and logs) what is left.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

Job = Callable[[], None]


class WorkQueue:
    def __init__(
        self, name: str, workers: int, limit: int, on_full: Callable[[], object] | None = None
    ) -> None:
        self.name, self.workers, self.limit = name, workers, limit
        self.on_full = on_full or (lambda: None)  # counts the requests turned away
        # Unbounded underneath: the bound is kept by `offer`, so the stop signs that
        # `shutdown` queues never wait for room.
        self._jobs: queue.Queue[Job | None] = queue.Queue()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._closed = False

    def offer(self, job: Job) -> bool:
        """Queue `job`; False, at once, when `limit` jobs are waiting or after shutdown."""
        with self._lock:
            full = self._jobs.qsize() >= self.limit
            if self._closed or full:
                if full:
                    self.on_full()
                return False
            if not self._threads:
                self._start()
            self._jobs.put(job)
        return True

    def shutdown(self, timeout: float) -> int:
        """Take no more jobs; let the workers run what is queued for up to `timeout`
        seconds, then drop what is still waiting. How many were dropped."""
        with self._lock:
            self._closed = True
            threads = list(self._threads)
        deadline = time.monotonic() + timeout
        done = self._jobs.all_tasks_done
        with done:
            while self._jobs.unfinished_tasks and (left := deadline - time.monotonic()) > 0:
                done.wait(left)
        dropped = self._drop_waiting()
        for _ in threads:
            self._jobs.put(None)  # one stop sign each
        for thread in threads:  # a job under way (an AWS call) cannot be interrupted
            thread.join(max(0.0, deadline - time.monotonic()))
        if dropped:
            log.warning("%s: %d queued job(s) dropped at shutdown", self.name, dropped)
        return dropped

    def _start(self) -> None:
        for n in range(self.workers):
            thread = threading.Thread(target=self._work, name=f"{self.name}-{n}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            try:
                if job is None:
                    return
                job()
            except Exception:  # a job answers its own user; this is the last resort
                log.exception("%s: a job failed", self.name)
            finally:
                self._jobs.task_done()

    def _drop_waiting(self) -> int:
        dropped = 0
        while True:
            try:
                self._jobs.get_nowait()
            except queue.Empty:
                return dropped
            self._jobs.task_done()
            dropped += 1
