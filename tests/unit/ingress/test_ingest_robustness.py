"""Shapes that once got past the readers: they must come out as alerts, never exceptions."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.app import App
from bot.config.models import Config
from bot.config.settings import Settings
from bot.core.errors import InputError
from bot.ingress.http import Request
from bot.ingress.ingest import events_from, events_from_text, parse_document
from notifiers.console import ConsoleNotifier

NOW = datetime(2026, 11, 25, tzinfo=UTC)


@pytest.mark.parametrize(
    "trigger",
    [
        {"Metrics": 2.5},
        {"Metrics": [{"MetricStat": {"Metric": [1]}}]},
        {"Metrics": [{"MetricStat": {"Metric": {"Dimensions": [{"name": {"x": 1}, "value": 2}]}}}]},
        {"Metrics": [{"MetricStat": {"Metric": {"Dimensions": "InstanceId"}}}]},
        {"MetricName": "m", "Dimensions": {"name": "x"}},
    ],
)
def test_a_classic_alarm_with_a_misshapen_trigger_is_still_an_alarm(trigger: Any) -> None:
    (event,) = events_from({"AlarmName": "a", "NewStateValue": "ALARM", "Trigger": trigger}, NOW)
    assert event.kind == "alarm" and event.name == "a" and event.status == "ALARM"


def test_json_nested_too_deeply_is_text_in_a_queue_and_bad_input_in_a_file() -> None:
    (event,) = events_from_text("[" * 100_000, NOW)
    assert event.title == "Message"
    with pytest.raises(InputError, match="nested too deeply"):
        parse_document("[" * 100_000, "deep.json")


def test_socket_mode_without_a_signing_secret_starts_and_refuses_http(tmp_path: Path) -> None:
    settings = Settings(
        store=f"sqlite:///{tmp_path / 's.db'}",
        port=0,
        slack_bot_token="xoxb-test",  # type: ignore[arg-type]
        slack_app_token="xapp-test",  # type: ignore[arg-type]
        slack_api_url="http://127.0.0.1:9/api/",
    )
    app = App(settings, Config(), notifier=ConsoleNotifier(io.StringIO()), sqs_clients={})
    try:
        assert app.slack_app is not None  # commands and buttons, over Socket Mode
        answer = app.slack_events(Request("POST", "/slack/events", {}, b"x"))
        assert answer.status == 401  # nothing over HTTP can be verified
    finally:
        app.store.close()


def test_the_queue_consumer_outlives_an_unexpected_error() -> None:
    import threading

    from bot.core.clock import FakeClock
    from bot.ingress.sqs import QueueConsumer
    from bot.ops.health import Health
    from bot.ops.telemetry import Metrics

    class Queue:
        calls = 0

        def receive_message(self, **_: Any) -> dict[str, Any]:
            Queue.calls += 1
            if Queue.calls == 1:
                raise RuntimeError("a bug somewhere below")
            return {"Messages": []}

    stop, health, pauses = threading.Event(), Health(), []

    def pause(seconds: float) -> None:
        pauses.append(seconds)
        ok, report = health.snapshot()
        assert not ok and "RuntimeError" in report["components"]["queue"]["detail"]

    consumer = QueueConsumer({"q": Queue()}, None, FakeClock(), Metrics(), health)  # type: ignore[arg-type]
    original = consumer.poll_once

    def poll(url: str) -> int:
        if Queue.calls >= 3:
            stop.set()
        return original(url)

    consumer.poll_once = poll  # type: ignore[method-assign]
    consumer.run(stop, sleep=pause)
    assert pauses and Queue.calls >= 3  # it kept polling after the error
    assert health.snapshot()[0]  # and is healthy again
