"""A tuning job's trials through the real worker and store (bot.delivery.trials): one root
for the tuning job, edits for trials that end well, a reply for a failed one, the pace
spent only on posts, and a trial counted once even when its item is delivered twice."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.config.models import Config
from bot.core.clock import FakeClock
from bot.core.events import Event, Fact, Kind, Outcome
from bot.delivery.trial_tally import TRIALS
from bot.delivery.trials import gathers_trials, posts_nothing
from bot.delivery.worker import Deliverer
from bot.intake.accept import Pipeline
from bot.ops.health import Health
from bot.ops.telemetry import Metrics
from bot.store import RootMessage
from bot.store.sqlite.store import SqliteStore
from notifiers.base import Posted
from tests.unit.delivery.conftest import item

T0 = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
KEY = "tuning_job:123456789012:eu-west-1:fraud-hpo"
OUTCOMES = {"InProgress": Outcome.RUNNING, "Completed": Outcome.SUCCEEDED, "Failed": Outcome.FAILED}


class Chat:
    min_interval = 0.0

    def __init__(self) -> None:
        self.posts: list[str] = []
        self.edits: list[dict[str, Any]] = []

    def post(
        self, channel: str, payload: dict[str, Any], thread_ts: str | None, marker: str
    ) -> Posted:
        self.posts.append(marker.split(":")[-1])
        return Posted("C1", f"{len(self.posts)}.0")

    def update(self, channel: str, ts: str, payload: dict[str, Any]) -> None:
        self.edits.append(payload)

    def find_posted(self, channel: str, marker: str, thread_ts: str | None, oldest: float) -> None:
        return None


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    opened = SqliteStore(str(tmp_path / "trials.db"))
    yield opened
    opened.close()


def trial(n: int, status: str) -> Event:
    name = f"fraud-hpo-{n:03d}-0123abcd"
    return Event(
        id=f"trial-{n}-{status}",
        kind=Kind.TRAINING_JOB,
        key=KEY,
        name=name,
        title="Training job",
        status=status,
        outcome=OUTCOMES[status],
        time=T0 + timedelta(minutes=n),
        subject=f"trial {name}",
        facts=(Fact(label="Tuning job", value="fraud-hpo"),),
        reason="AlgorithmError: boom" if status == "Failed" else None,
    )


def worker(store: SqliteStore, clock: FakeClock, chat: Chat) -> Deliverer:
    return Deliverer(store, chat, clock, Config(), Metrics(), Health())


def drain(deliverer: Deliverer, store: SqliteStore, clock: FakeClock) -> None:
    for _ in range(50):
        if not store.pending_count():
            return
        deliverer.run_once()
        clock.advance(1)


def trials_seen(store: SqliteStore) -> str | None:
    root = store.root(KEY)
    assert root is not None
    return next((f.value for f in root.event.facts if f.label == TRIALS), None)


def test_one_root_edits_for_trials_that_end_well_a_reply_for_a_failed_one(
    store: SqliteStore,
) -> None:
    clock, chat = FakeClock(T0), Chat()
    events = [trial(1, "InProgress"), trial(2, "InProgress"), trial(1, "Completed")]
    events += [trial(2, "Failed")]
    Pipeline(Config(), store, clock, Metrics()).submit(events)
    drain(worker(store, clock, chat), store, clock)
    assert chat.posts == ["root", "reply"]  # the tuning job's root, the failed trial's reply
    assert len(chat.edits) == 2  # each trial's end, counted on the root
    assert trials_seen(store) == "1 completed · 1 failed · 0 stopped"
    root = store.root(KEY)
    assert root is not None and root.event.kind is Kind.TUNING_JOB


class Killed(BaseException):
    """The process dies at this point."""


def test_a_trial_delivered_again_after_a_crash_is_counted_once(
    store: SqliteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock, chat = FakeClock(T0), Chat()
    pipeline = Pipeline(Config(), store, clock, Metrics())
    pipeline.submit([trial(1, "InProgress")])
    drain(worker(store, clock, chat), store, clock)

    pipeline.submit([trial(1, "Completed")])
    dying = worker(store, clock, chat)
    finished = store.write

    def die(writes: object) -> None:
        raise Killed

    # Counted on the root in Slack; the tally and the item's end, one write, not made.
    monkeypatch.setattr(store, "write", die)
    with pytest.raises(Killed):
        dying.run_once()
    monkeypatch.setattr(store, "write", finished)
    assert len(chat.edits) == 1
    assert trials_seen(store) == "0 completed · 0 failed · 0 stopped"

    clock.advance(120)  # the lease runs out; another replica takes the item over
    drain(worker(store, clock, chat), store, clock)
    assert trials_seen(store) == "1 completed · 0 failed · 0 stopped"
    assert store.pending_count() == 0


def test_only_trials_that_post_nothing_skip_the_pace() -> None:
    posted = RootMessage(KEY, "C1", "1.0", trial(1, "InProgress"))
    digested = RootMessage(KEY, "C1", "1.0", trial(1, "InProgress"), digest_id=3)
    for status, root, skips in [
        ("Completed", posted, True),
        ("InProgress", posted, True),
        ("Failed", posted, False),  # its reply is a post
        ("Completed", None, False),  # it posts the tuning job's root
        ("Completed", digested, False),
    ]:
        due = replace(item(), key=KEY, event=trial(1, status))
        assert posts_nothing(due, root) is skips, (status, root)
    plain = item()
    assert not posts_nothing(plain, posted)


def test_tuning_jobs_and_their_trials_are_never_digest_lines() -> None:
    tuning = trial(1, "InProgress").model_copy(update={"kind": Kind.TUNING_JOB, "subject": None})
    assert gathers_trials(tuning) and gathers_trials(trial(2, "Completed"))
    other = trial(1, "Completed").model_copy(update={"key": "training_job:1:r:x"})
    assert not gathers_trials(other) and not gathers_trials(None)
