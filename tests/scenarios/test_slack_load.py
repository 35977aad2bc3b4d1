"""Slack requests under load, over real HTTP into the started app: every one acknowledged
at once (never Bolt's `404 unhandled request`), the work behind them queued and bounded,
and a full queue answered "busy, try again" (issue 13). The ack figures themselves are
`make bench`'s (benchmarks/slack.py), not timed here."""

from __future__ import annotations

import threading
import types
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from bot.core.clock import FakeClock
from bot.core.incident import State
from bot.demo.jobs import COMPLETED, FAILED
from bot.ingress.slack.replies import BUSY, WORKING
from commands import REGISTRY
from commands.base import Args, Context, Reply
from tests.fakes.moto import moto_server  # noqa: F401 (fixture)
from tests.fakes.slack_api import FakeSlack, all_text
from tests.scenarios.test_incidents_support import (
    ACK,
    Answer,
    Harness,
    failed_training_job,
    started_app,
)
from tests.unit.commands.platform import NOW, PlatformAws, platform  # noqa: F401 (fixture)

AT_ONCE = 200
ANSWERED_S = 120.0  # 200 AWS-backed answers against one in-process moto server


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


def all_at_once(count: int, send: Callable[[int], Answer]) -> list[Answer]:
    """`send(n)` for n in range(count), each from its own thread, released together."""
    gate = threading.Barrier(count)

    def one(n: int) -> Answer:
        gate.wait(timeout=30)
        return send(n)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(one, range(count)))


def responses_to(h: Harness, tokens: list[str], within: float) -> dict[str, list[dict[str, Any]]]:
    """What was posted to each token's response_url, once every token has an answer."""

    def answered() -> dict[str, list[dict[str, Any]]] | None:
        found = {token: h.fake.responses(token) for token in tokens}
        return found if all(found.values()) else None

    deadline = threading.Event()
    timer = threading.Timer(within, deadline.set)
    timer.start()
    try:
        while not deadline.is_set():
            if (found := answered()) is not None:
                return found
            deadline.wait(0.2)
    finally:
        timer.cancel()
    raise AssertionError(f"not every command was answered within {within} s")


def test_200_aws_backed_commands_at_once_are_all_acknowledged_and_all_answered(
    tmp_path: Path,
    fake_slack: FakeSlack,
    clock: FakeClock,
    platform: PlatformAws,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("bot.app.AwsClients", lambda: platform)
    with started_app(tmp_path, fake_slack, clock, monkeypatch) as h:
        tokens = [f"load{n}" for n in range(AT_ONCE)]
        bodies = [h.command_body("jobs", user=f"U{n}", token=tokens[n]) for n in range(AT_ONCE)]
        answers = all_at_once(AT_ONCE, lambda n: h.post(bodies[n]))

        assert [a.status for a in answers] == [200] * AT_ONCE  # no 404, no timeout
        assert {a.text for a in answers} == {WORKING}
        posted = responses_to(h, tokens, ANSWERED_S)
        for token in tokens:
            (answer,) = posted[token]  # one answer each: none lost, none twice
            text = all_text(answer)
            assert COMPLETED in text and FAILED in text, text[:300]
            assert answer["response_type"] == "ephemeral"


# --- a full queue


class Held:
    """A slow subcommand whose every run waits for the test to let it finish."""

    def __init__(self) -> None:
        self.runs: list[str] = []
        self.started = threading.Semaphore(0)
        self.go = threading.Event()
        self.module = types.ModuleType("commands.held_for_test")
        self.module.SLOW = True  # type: ignore[attr-defined]
        self.module.handle = self.handle  # type: ignore[attr-defined]

    def handle(self, ctx: Context, args: Args) -> Reply:
        self.runs.append(args.words[0])
        self.started.release()
        assert self.go.wait(10)
        return Reply(text=f"done {args.words[0]}")


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> Iterator[Held]:
    found = Held()
    monkeypatch.setitem(REGISTRY, "held", found.module)
    yield found
    found.go.set()


@pytest.fixture
def tiny(
    tmp_path: Path, fake_slack: FakeSlack, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Harness]:
    """The app with one worker and room for one job waiting; incident #1 open."""
    monkeypatch.setattr("bot.ingress.slack.interactions.WORKERS", 1)
    monkeypatch.setattr("bot.ingress.slack.interactions.WAITING", 1)
    with started_app(tmp_path, fake_slack, clock, monkeypatch) as harness:
        assert harness.submit(failed_training_job()) == 1
        harness.deliver()
        yield harness


def fill(h: Harness, held: Held) -> None:
    """One `held` command running, one waiting: the queue is full."""
    for word in ("first", "second"):
        answer = h.post(h.command_body(f"held {word}", token=word))
        assert (answer.status, answer.text) == (200, WORKING)
        if word == "first":  # taken off the queue by the one worker before the second
            assert held.started.acquire(timeout=5)


def test_a_full_queue_answers_busy_at_once_and_runs_nothing(tiny: Harness, held: Held) -> None:
    h = tiny
    fill(h, held)

    turned_away = [h.post(h.command_body(f"held extra{n}", token=f"extra{n}")) for n in range(3)]
    incidents = h.post(h.command_body("incidents", token="listing"))

    for answer in [*turned_away, incidents]:
        assert answer.status == 200
        assert answer.json() == {"text": BUSY, "response_type": "ephemeral"}
    busy = h.app.metrics.registry.get_sample_value("mlpulse_slack_busy_total")
    assert busy == 4
    held.go.set()
    assert h.answer_to("first")["text"] == "done first"
    assert h.answer_to("second")["text"] == "done second"
    assert held.runs == ["first", "second"]
    assert h.fake.responses("listing") == []
    assert all(h.fake.responses(f"extra{n}") == [] for n in range(3))


def test_a_click_on_a_full_queue_is_acknowledged_and_the_clicker_told(
    tiny: Harness, held: Held
) -> None:
    h = tiny
    fill(h, held)

    token = h.click(ACK, "1", key=h.incident(1).key)  # asserts the 200

    answer = h.answer_to(token)  # from the notices lane: the work queue is still full
    assert (answer["text"], answer["response_type"]) == (BUSY, "ephemeral")
    assert answer["replace_original"] is False
    held.go.set()
    h.answer_to("second")
    assert h.incident(1).state == State.OPEN
    assert [entry["action"] for entry in h.store.audit(1)] == ["open"]


def test_once_the_queue_has_room_again_commands_run(tiny: Harness, held: Held) -> None:
    h = tiny
    fill(h, held)
    assert h.post(h.command_body("held third", token="third")).json()["text"] == BUSY
    held.go.set()
    h.answer_to("second")
    assert "Incident #1" in h.command("incidents")["text"]


def test_shutdown_lets_acknowledged_work_finish(tiny: Harness, held: Held) -> None:
    h = tiny
    fill(h, held)
    stopping = threading.Thread(target=h.close)
    stopping.start()
    held.go.set()
    stopping.join(10)
    assert not stopping.is_alive()
    assert h.answer_to("first")["text"] == "done first"
    assert h.answer_to("second")["text"] == "done second"
