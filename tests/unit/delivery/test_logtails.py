"""The log tail under a failed job's alert (bot.delivery.logtails), through the real worker
and store with a recording chat backend: posted after the alert, in a pass of its own, once
even when its answer was lost; one line when the logs cannot be read or take too long;
nothing when the bot cannot read logs at all or the job did not fail."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.aws.errors import MissingPermission
from bot.aws.logtail import LogLine, LogTail
from bot.config.models import Config
from bot.core.clock import FakeClock
from bot.core.events import Event, Kind, Outcome
from bot.delivery.worker import Deliverer
from bot.intake.accept import Pipeline
from bot.ops.health import Health
from bot.ops.telemetry import Metrics
from bot.store.sqlite.store import SqliteStore
from notifiers.base import Failure, NotifyError, Posted
from tests.fakes.slack_api import all_text

T0 = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)


class Chat:
    """A chat backend that keeps each post's marker and payload; `lose` makes the next post
    reach the channel with its answer lost."""

    min_interval = 0.0

    def __init__(self) -> None:
        self.posts: list[tuple[str, dict[str, Any], str | None]] = []
        self.lose: set[str] = set()  # markers whose post's answer is lost

    def post(
        self, channel: str, payload: dict[str, Any], thread_ts: str | None, marker: str
    ) -> Posted:
        self.posts.append((marker, payload, thread_ts))
        if marker.split(":")[-1] in self.lose:
            self.lose.discard(marker.split(":")[-1])
            raise NotifyError(Failure.RETRY, "connection reset", uncertain=True)
        return Posted("C1", f"{len(self.posts)}.0")

    def update(self, channel: str, ts: str, payload: dict[str, Any]) -> None: ...

    def find_posted(
        self, channel: str, marker: str, thread_ts: str | None, oldest: float
    ) -> Posted | None:
        found = [n for n, (posted, _, _) in enumerate(self.posts, 1) if posted == marker]
        return Posted("C1", f"{found[0]}.0") if found else None

    def markers(self) -> list[str]:
        return [marker.split(":")[-1] for marker, _, _ in self.posts]

    def text(self, suffix: str) -> str:
        (payload,) = [p for marker, p, _ in self.posts if marker.endswith(suffix)]
        return all_text(payload)


class Reader:
    """Logs that answer `lines`, or raise `error`, or hang until released."""

    def __init__(self, lines: list[str] | None = None, error: Exception | None = None) -> None:
        self.lines, self.error = lines or [], error
        self.reads: list[tuple[str, str, str | None, str | None]] = []
        self.on = True
        self.hang: threading.Event | None = None

    def available(self) -> bool:
        return self.on

    def read(
        self, group: str, prefix: str, region: str | None, account: str | None, count: int
    ) -> LogTail:
        self.reads.append((group, prefix, region, account))
        if self.hang is not None:
            self.hang.wait(5)
        if self.error is not None:
            raise self.error
        stream = f"{prefix}algo-1-1764000000"
        lines = [LogLine(stream, T0, line) for line in self.lines]
        return LogTail(group, prefix, 1, lines)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    opened = SqliteStore(str(tmp_path / "tails.db"))
    yield opened
    opened.close()


def job(status: str = "Failed", outcome: Outcome = Outcome.FAILED) -> Event:
    return Event(
        id=f"job-{status}",
        kind=Kind.TRAINING_JOB,
        key="training_job:123456789012:eu-west-1:churn-xgb",
        name="churn-xgb",
        title="Training job",
        status=status,
        outcome=outcome,
        time=T0,
        reason="AlgorithmError: out of memory" if outcome is Outcome.FAILED else None,
        account="123456789012",
        region="eu-west-1",
    )


def deliver(store: SqliteStore, reader: Reader | None, *events: Event) -> tuple[Chat, Deliverer]:
    clock, chat, metrics = FakeClock(T0), Chat(), Metrics()
    Pipeline(Config(), store, clock, metrics).submit(list(events))
    deliverer = Deliverer(store, chat, clock, Config(), metrics, Health(), logs=reader)
    deliverer.steps.tails.timeout = 0.2
    for _ in range(10):
        if not store.pending_count():
            break
        deliverer.run_once()
        clock.advance(1)
    return chat, deliverer


def delivered(deliverer: Deliverer) -> float:
    value = deliverer.metrics.registry.get_sample_value(
        "mlpulse_events_delivered_total", {"kind": "training_job"}
    )
    return value or 0.0


def test_the_tail_follows_the_alert_in_its_thread(store: SqliteStore) -> None:
    reader = Reader(["epoch 1 loss=0.9", "Traceback: <!channel> out of memory"])
    chat, deliverer = deliver(store, reader, job())
    assert chat.markers() == ["root", "logs"]
    (_, _, thread) = chat.posts[1]
    assert thread == "1.0"  # under the alert
    text = chat.text(":logs")
    assert "Last 2 log lines" in text and "&lt;!channel&gt; out of memory" in text
    assert reader.reads == [
        ("/aws/sagemaker/TrainingJobs", "churn-xgb/", "eu-west-1", "123456789012")
    ]
    assert store.pending_count() == 0
    assert delivered(deliverer) == 1  # one alert, not two


def test_a_tail_whose_answer_was_lost_is_found_not_posted_again(store: SqliteStore) -> None:
    reader = Reader(["the end"])
    clock, chat = FakeClock(T0), Chat()
    chat.lose.add("logs")
    Pipeline(Config(), store, clock, Metrics()).submit([job()])
    deliverer = Deliverer(store, chat, clock, Config(), Metrics(), Health(), logs=reader)
    for _ in range(3):
        deliverer.run_once()
        clock.advance(10)
    assert chat.markers() == ["root", "logs"]
    assert store.pending_count() == 0


@pytest.mark.parametrize(
    ("error", "said"),
    [
        (
            MissingPermission("logs:DescribeLogStreams"),
            "missing permission logs:DescribeLogStreams",
        ),
        (RuntimeError("boom"), "an error in mlpulse"),
    ],
)
def test_logs_that_cannot_be_read_cost_one_line(
    store: SqliteStore, error: Exception, said: str
) -> None:
    chat, _ = deliver(store, Reader(error=error), job())
    assert chat.markers() == ["root", "logs"]
    assert f"Could not read the logs of the training job `churn-xgb`: {said}" in chat.text(":logs")


def test_no_lines_yet_is_one_line(store: SqliteStore) -> None:
    chat, _ = deliver(store, Reader([]), job())
    assert "No log lines yet for the training job `churn-xgb`" in chat.text(":logs")


def test_logs_that_do_not_answer_in_time_cost_one_line_not_the_delivery(
    store: SqliteStore,
) -> None:
    reader = Reader(["late"])
    reader.hang = threading.Event()
    try:
        chat, _ = deliver(store, reader, job())
    finally:
        reader.hang.set()
    assert "CloudWatch Logs did not answer within 0.2 s" in chat.text(":logs")
    assert store.pending_count() == 0


@pytest.mark.parametrize("reader", [None, "off"])
def test_without_log_access_the_alert_comes_alone(store: SqliteStore, reader: str | None) -> None:
    logs = None if reader is None else Reader(["x"])
    if logs is not None:
        logs.on = False
    chat, _ = deliver(store, logs, job())
    assert chat.markers() == ["root"]
    assert store.pending_count() == 0


def test_a_job_that_did_not_fail_gets_no_tail(store: SqliteStore) -> None:
    reader = Reader(["x"])
    chat, _ = deliver(store, reader, job("Completed", Outcome.SUCCEEDED))
    assert chat.markers() == ["root"] and reader.reads == []


def test_a_failure_after_an_earlier_state_gets_its_tail_after_its_reply(
    store: SqliteStore,
) -> None:
    chat, _ = deliver(store, Reader(["x"]), job("InProgress", Outcome.RUNNING), job())
    assert chat.markers() == ["root", "reply", "logs"]


class Killed(BaseException):
    """The process dies at this point."""


def test_a_crash_between_the_alert_and_its_tail_leaves_the_tail_to_do(
    store: SqliteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock, chat, reader = FakeClock(T0), Chat(), Reader(["the end"])
    Pipeline(Config(), store, clock, Metrics()).submit([job()])
    dying = Deliverer(store, chat, clock, Config(), Metrics(), Health(), logs=reader)

    def die(*args: Any, **kwargs: Any) -> None:
        raise Killed

    monkeypatch.setattr(dying.steps.tails, "finish", die)  # the root is posted and recorded
    with pytest.raises(Killed):
        dying.run_once()
    assert chat.markers() == ["root"]

    clock.advance(120)  # the dead replica's lease runs out
    survivor = Deliverer(store, chat, clock, Config(), Metrics(), Health(), logs=reader)
    for _ in range(3):
        survivor.run_once()
        clock.advance(1)
    assert chat.markers() == ["root", "logs"]  # the alert once, its tail once
    assert store.pending_count() == 0
