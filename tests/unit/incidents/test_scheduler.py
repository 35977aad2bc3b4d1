"""IncidentScheduler: APScheduler runs IncidentService.tick; a tick that queued work wakes
delivery, and a tick that fails does not stop the next one."""

from __future__ import annotations

import logging
import threading

import pytest

from bot.incidents import scheduler as scheduler_module
from bot.incidents.scheduler import IncidentScheduler


class StubService:
    def __init__(self, *results: int | Exception) -> None:
        self.results = list(results)
        self.calls = 0

    def tick(self) -> int:
        self.calls += 1
        result = self.results.pop(0)
        if isinstance(result, Exception):
            raise result
        return result


def test_a_tick_that_queued_work_wakes_delivery() -> None:
    wake = threading.Event()
    scheduler = IncidentScheduler(StubService(0, 2), wake)  # type: ignore[arg-type]
    scheduler.tick()
    assert not wake.is_set()
    scheduler.tick()
    assert wake.is_set()


def test_a_failing_tick_is_logged_and_the_next_one_runs(caplog: pytest.LogCaptureFixture) -> None:
    wake = threading.Event()
    service = StubService(RuntimeError("store locked"), 1)
    scheduler = IncidentScheduler(service, wake)  # type: ignore[arg-type]
    with caplog.at_level(logging.ERROR, logger=scheduler_module.__name__):
        scheduler.tick()
    assert "incident tick failed" in caplog.text and not wake.is_set()
    scheduler.tick()
    assert service.calls == 2 and wake.is_set()


def test_one_job_at_a_fixed_interval_started_and_stopped() -> None:
    scheduler = IncidentScheduler(StubService(), threading.Event())  # type: ignore[arg-type]
    (job,) = scheduler._scheduler.get_jobs()
    assert job.id == "incidents"
    assert job.trigger.interval.total_seconds() == scheduler_module.TICK_SECONDS
    assert (job.max_instances, job.coalesce) == (1, True)
    scheduler.start()
    try:
        assert scheduler._scheduler.running
    finally:
        scheduler.shutdown()
    assert not scheduler._scheduler.running
    scheduler.shutdown()  # twice is harmless


# --- pruning (issue 20: retention)


def test_pruning_runs_batches_until_one_is_not_full() -> None:
    batches = [scheduler_module.PRUNE_BATCH, scheduler_module.PRUNE_BATCH, 7, 99]
    limits: list[int] = []

    def prune(limit: int) -> int:
        limits.append(limit)
        return batches.pop(0)

    scheduler = IncidentScheduler(StubService(), threading.Event(), prune)  # type: ignore[arg-type]

    assert scheduler.prune() == 2 * scheduler_module.PRUNE_BATCH + 7
    assert limits == [scheduler_module.PRUNE_BATCH] * 3


def test_pruning_stops_after_a_bounded_number_of_batches() -> None:
    calls = []

    def prune(limit: int) -> int:
        calls.append(limit)
        return limit  # an old store: always a full batch

    scheduler = IncidentScheduler(StubService(), threading.Event(), prune)  # type: ignore[arg-type]
    scheduler.prune()

    assert len(calls) == scheduler_module.PRUNE_BATCHES


def test_pruning_that_fails_is_logged_and_retried_next_time(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def prune(limit: int) -> int:
        raise RuntimeError("database is locked")

    scheduler = IncidentScheduler(StubService(), threading.Event(), prune)  # type: ignore[arg-type]
    with caplog.at_level(logging.ERROR):
        assert scheduler.prune() == 0
    assert "pruning failed" in caplog.text


def test_without_a_pruner_nothing_is_pruned() -> None:
    assert IncidentScheduler(StubService(), threading.Event()).prune() == 0  # type: ignore[arg-type]
