"""Scenario fixtures: the fake Slack Web API, and the real delivery path wired to it.

`make_bot(...)` builds Pipeline + Deliverer + SqliteStore + SlackNotifier on the shared fake
clock; nothing sleeps: tests call `bot.deliver()` and move the clock with `bot.run_for()`.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from bot.config.models import Config
from bot.core.clock import FakeClock
from bot.core.events import Event
from bot.delivery.worker import Deliverer
from bot.ingress.ingest import events_from, parse_document
from bot.intake.accept import Pipeline, Submitted
from bot.ops.health import Health
from bot.ops.telemetry import Metrics
from bot.store.sqlite.store import SqliteStore
from notifiers.slack import SlackNotifier
from tests.fakes.slack_api import DEFAULT_TOKEN, FakeSlack

if TYPE_CHECKING:
    from tests.scenarios.test_incidents_support import Harness

FIXTURES = Path(__file__).parents[1] / "fixtures" / "aws"
_PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY")


@pytest.fixture
def fake_slack(clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSlack]:
    """A started fake Slack whose message timestamps follow the test's fake clock."""
    for name in _PROXY_VARIABLES:  # slack_sdk would send 127.0.0.1 through a proxy
        monkeypatch.delenv(name, raising=False)
    with FakeSlack(clock=lambda: clock.now().timestamp()) as fake:
        yield fake


def sample(name: str, changes: dict[str, Any] | None = None) -> dict[str, Any]:
    """A published AWS sample from tests/fixtures/aws, with `changes` applied: each key is a
    dotted path (`detail.TrainingJobStatus`), each value what to put there (None removes)."""
    (parsed,) = parse_document((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    document: dict[str, Any] = copy.deepcopy(parsed)
    for path, value in (changes or {}).items():
        *parents, last = path.split(".")
        node: Any = document
        for step in parents:
            node = node[int(step)] if isinstance(node, list) else node.setdefault(step, {})
        if value is None:
            node.pop(last, None)
        elif isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    return document


def sns(message: dict[str, Any] | str, message_id: str) -> dict[str, Any]:
    """An SNS notification carrying `message`, shaped like the published sample."""
    envelope = sample("sns-to-sqs-message-body")
    envelope["MessageId"] = message_id
    envelope["Message"] = message if isinstance(message, str) else json.dumps(message)
    return envelope


def sqs(body: dict[str, Any], message_id: str) -> dict[str, Any]:
    """An SQS message (Lambda record shape) whose body is `body`, SNS raw delivery off."""
    return {
        "messageId": message_id,
        "receiptHandle": f"handle-{message_id}",
        "body": json.dumps(body),
        "attributes": {"ApproximateReceiveCount": "1"},
        "eventSource": "aws:sqs",
    }


@dataclass
class Bot:
    """The delivery half of mlpulse, wired for real, driven by hand."""

    fake: FakeSlack
    clock: FakeClock
    config: Config
    store: SqliteStore
    metrics: Metrics
    health: Health
    notifier: SlackNotifier
    deliverer: Deliverer
    pipeline: Pipeline

    sample = staticmethod(sample)
    sns = staticmethod(sns)
    sqs = staticmethod(sqs)

    def events(self, *documents: Any) -> list[Event]:
        return [e for document in documents for e in events_from(document, self.clock.now())]

    def submit(self, *documents: Any) -> Submitted:
        """Ingest documents (any envelope) received now."""
        return self.pipeline.submit(self.events(*documents))

    def deliver(self, max_passes: int = 50) -> int:
        """Delivery passes at the current instant until one neither delivers nor fails."""
        delivered = 0
        for _ in range(max_passes):
            result = self.deliverer.run_once()
            delivered += result.delivered
            if not result.delivered and not result.failed:
                return delivered
        raise AssertionError(f"delivery did not settle in {max_passes} passes")

    def run_for(self, seconds: float, step: float = 0.25) -> int:
        """Move the clock `seconds` forward in steps, delivering at each step."""
        delivered = self.deliver()
        for _ in range(round(seconds / step)):
            self.clock.advance(step)
            delivered += self.deliver()
        return delivered

    def slack_health(self) -> dict[str, Any]:
        healthy, report = self.health.snapshot()
        return {"healthy": healthy, **report["components"].get("slack", {})}

    def failed_count(self, kind: str, reason: str) -> float:
        value = self.metrics.registry.get_sample_value(
            "mlpulse_events_failed_total", {"kind": kind, "reason": reason}
        )
        return value or 0.0


MakeBot = Callable[..., Bot]


@pytest.fixture
def make_bot(fake_slack: FakeSlack, clock: FakeClock, store: SqliteStore) -> MakeBot:
    """`make_bot(token=..., **config)`: one wired bot per test (config as Config fields)."""

    def make(token: str = DEFAULT_TOKEN, **config: Any) -> Bot:
        settings = Config.model_validate(config)
        metrics, health = Metrics(), Health()
        notifier = SlackNotifier(token, base_url=fake_slack.url)
        deliverer = Deliverer(store, notifier, clock, settings, metrics, health)
        pipeline = Pipeline(settings, store, clock, metrics, deliverer.wake)
        return Bot(
            fake_slack, clock, settings, store, metrics, health, notifier, deliverer, pipeline
        )

    return make


@pytest.fixture
def bot(make_bot: MakeBot) -> Bot:
    """A bot with the defaults: everything to #mlpulse, no fallback, burst 3, 1 post/s."""
    return make_bot()


@pytest.fixture
def h(
    tmp_path: Path, fake_slack: FakeSlack, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Harness]:
    """A running app with Slack verification on, and incident #1 open on a failed training
    job's root message (modules that need another start define their own `h`)."""
    # Imported here: that module imports this conftest's samples.
    from tests.scenarios.test_incidents_support import failed_training_job, started_app

    with started_app(tmp_path, fake_slack, clock, monkeypatch) as harness:
        assert harness.submit(failed_training_job()) == 1
        harness.deliver()
        yield harness


MakeApp = Callable[..., "Harness"]


@pytest.fixture
def make_app(
    tmp_path: Path, fake_slack: FakeSlack, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> Iterator[MakeApp]:
    """`make_app(**config)`: the started App with this config (Config fields); modules
    whose `h` needs a config of its own build it with this."""
    from tests.scenarios.test_incidents_support import started_app

    stack: list[Any] = []

    def make(**config: Any) -> Harness:
        context = started_app(tmp_path, fake_slack, clock, monkeypatch, config)
        stack.append(context)
        return context.__enter__()

    yield make
    for context in reversed(stack):
        context.__exit__(None, None, None)
