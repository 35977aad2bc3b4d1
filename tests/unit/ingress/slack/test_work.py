"""bot.ingress.slack.work: a bounded queue that says no at once, workers that outlive a
failing job, and a shutdown that drains until its deadline and drops the rest. Jobs block
on events the test sets, not on time."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from bot.ingress.slack.work import WorkQueue

WAIT_S = 5.0


class Blocker:
    """A job that starts, then waits for the test's go-ahead."""

    def __init__(self) -> None:
        self.started, self.go = threading.Event(), threading.Event()

    def __call__(self) -> None:
        self.started.set()
        assert self.go.wait(WAIT_S)


@pytest.fixture
def blocker() -> Iterator[Blocker]:
    found = Blocker()
    yield found
    found.go.set()  # a worker left waiting ends with the test


def workers_named(name: str) -> int:
    return sum(thread.name.startswith(f"{name}-") for thread in threading.enumerate())


def test_no_thread_starts_before_the_first_job() -> None:
    work = WorkQueue("lazy", workers=3, limit=5)
    assert workers_named("lazy") == 0
    done = threading.Event()
    assert work.offer(done.set)
    assert done.wait(WAIT_S)
    assert workers_named("lazy") == 3
    work.shutdown(WAIT_S)
    assert workers_named("lazy") == 0


def test_a_full_queue_says_no_at_once(blocker: Blocker) -> None:
    turned_away: list[int] = []
    work = WorkQueue("t", workers=1, limit=2, on_full=lambda: turned_away.append(1))
    ran: list[int] = []
    assert work.offer(blocker)
    assert blocker.started.wait(WAIT_S)  # the worker is busy; the queue is empty
    assert work.offer(lambda: ran.append(1))
    assert work.offer(lambda: ran.append(2))
    assert not work.offer(lambda: ran.append(3))
    assert turned_away == [1]  # counted (mlpulse_slack_busy_total)
    blocker.go.set()
    assert work.shutdown(WAIT_S) == 0
    assert ran == [1, 2]
    assert not work.offer(lambda: ran.append(4))  # after shutdown: refused, not "busy"
    assert turned_away == [1]


def test_a_failing_job_is_logged_and_the_worker_goes_on(caplog: pytest.LogCaptureFixture) -> None:
    work = WorkQueue("t", workers=1, limit=5)
    done = threading.Event()

    def fail() -> None:
        raise RuntimeError("boom")

    assert work.offer(fail) and work.offer(done.set)
    assert done.wait(WAIT_S)
    work.shutdown(WAIT_S)
    assert "t: a job failed" in caplog.text and "boom" in caplog.text


def test_shutdown_lets_queued_work_finish(blocker: Blocker) -> None:
    work = WorkQueue("t", workers=1, limit=5)
    ran: list[int] = []
    work.offer(blocker)
    work.offer(lambda: ran.append(1))
    assert blocker.started.wait(WAIT_S)
    stopping = threading.Thread(target=lambda: ran.append(work.shutdown(WAIT_S)))
    stopping.start()
    assert not work.offer(lambda: ran.append(2))  # closed while it drains
    blocker.go.set()
    stopping.join(WAIT_S)
    assert ran == [1, 0]  # the queued job ran; nothing dropped


def test_shutdown_drops_what_is_still_waiting_at_its_deadline(
    blocker: Blocker, caplog: pytest.LogCaptureFixture
) -> None:
    work = WorkQueue("t", workers=1, limit=5)
    ran: list[int] = []
    work.offer(blocker)
    work.offer(lambda: ran.append(1))
    work.offer(lambda: ran.append(2))
    assert blocker.started.wait(WAIT_S)
    assert work.shutdown(0.05) == 2
    blocker.go.set()
    assert ran == []
    assert "t: 2 queued job(s) dropped at shutdown" in caplog.text
