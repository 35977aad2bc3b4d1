"""The failure policy as a table: each kind of failure, on an item with so many attempts
behind it, gets one remedy; and only an alert not yet posted moves to the fallback."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any, cast

import pytest

from bot.config.models import Config
from bot.core.clock import FakeClock
from bot.delivery.channels import Aliases
from bot.delivery.failures import RULES, FailureHandler, Remedy, fallback_for, remedy
from bot.delivery.pacing import Pacer
from bot.ops.health import Health
from bot.ops.telemetry import Metrics
from bot.store import OutboxItem, Store
from notifiers.base import Failure, NotifyError
from tests.unit.delivery.conftest import T0, item


def test_every_failure_has_a_rule() -> None:
    assert set(RULES) == set(Failure)


def _remedy(
    retry_in: float | None,
    counts: bool = True,
    unhealthy: str | None = None,
    pause_channel: bool = False,
    reroute: bool = False,
) -> Remedy:
    return Remedy(retry_in, counts, unhealthy, pause_channel, reroute)


CASES = [
    # failure, Retry-After, attempts so far -> remedy
    (Failure.RATE_LIMITED, 7.0, 0, _remedy(7.0, counts=False, pause_channel=True)),
    (Failure.RATE_LIMITED, None, 5, _remedy(1.0, counts=False, pause_channel=True)),
    (
        Failure.CHANNEL,
        None,
        0,
        _remedy(300.0, unhealthy="cannot post to C1: channel_not_found", reroute=True),
    ),
    (Failure.AUTH, None, 0, _remedy(60.0, unhealthy="Slack refused our token: invalid_auth")),
    (Failure.INVALID, None, 0, _remedy(None)),
    (Failure.RETRY, None, 0, _remedy(1.0)),
    (Failure.RETRY, None, 2, _remedy(4.0)),
    (Failure.RETRY, None, 3, _remedy(8.0, unhealthy="Slack unreachable: http_503")),
    (Failure.RETRY, None, 8, _remedy(256.0, unhealthy="Slack unreachable: http_503")),
    (Failure.RETRY, None, 9, _remedy(300.0, unhealthy="Slack unreachable: http_503")),
    (Failure.RETRY, None, 40, _remedy(300.0, unhealthy="Slack unreachable: http_503")),
    (Failure.GONE, None, 1, _remedy(2.0)),
    (Failure.UNVERIFIABLE, None, 0, replace(_remedy(None), unconfirmed=True)),
]
DETAILS = {
    Failure.CHANNEL: "channel_not_found",
    Failure.AUTH: "invalid_auth",
    Failure.RETRY: "http_503",
}


@pytest.mark.parametrize(("failure", "retry_after", "attempts", "expected"), CASES)
def test_remedy(
    failure: Failure, retry_after: float | None, attempts: int, expected: Remedy
) -> None:
    error = NotifyError(failure, DETAILS.get(failure, "x"), retry_after=retry_after)
    assert remedy(error, attempts, "C1") == expected


def test_braces_in_slack_s_answer_are_shown_as_they_are() -> None:
    error = NotifyError(Failure.AUTH, "{channel} {0}")
    assert remedy(error, 0, "C1").unhealthy == "Slack refused our token: {channel} {0}"


@pytest.mark.parametrize(
    ("channel", "stage", "failing", "fallback", "expected"),
    [
        ("#ml-alerts", 0, "#ml-alerts", "#fallback", "#fallback"),
        ("#ml-alerts", 0, "#ml-alerts", None, None),  # no fallback configured
        ("#ml-alerts", 1, "#ml-alerts", "#fallback", None),  # its root is posted already
        (None, 0, "#mlpulse", "#fallback", None),  # a notice has no route to change
        ("#fallback", 0, "#fallback", "#fallback", None),  # the fallback itself fails
        ("#fallback", 0, "CFALL", "#fallback", None),  # ... by the id Slack answered with
    ],
)
def test_fallback_for(
    channel: str | None, stage: int, failing: str, fallback: str | None, expected: str | None
) -> None:
    aliases = Aliases()
    aliases.learn("#fallback", "CFALL")
    assert fallback_for(item(channel, stage=stage), failing, fallback, aliases) == expected


# --- the remedy applied: store, health, metrics and pacing


class RecordingStore:
    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: self.calls.append((name, *args, *kwargs.values()))


@dataclass
class Applied:
    store: RecordingStore
    metrics: Metrics
    health: Health
    pacer: Pacer

    def slack_detail(self) -> str | None:
        component = self.health.snapshot()[1]["components"].get("slack")
        return None if component is None or component["ok"] else str(component["detail"])

    def count(self, name: str, **labels: str) -> float:
        return self.metrics.registry.get_sample_value(name, labels) or 0.0


def apply(error: NotifyError, outbox_item: OutboxItem, channel: str = "C1") -> Applied:
    store, metrics, health = RecordingStore(), Metrics(), Health()
    pacer = Pacer(1.0, 3)
    config = Config(fallback_channel="#fallback")
    handler = FailureHandler(
        cast(Store, store), FakeClock(T0), config, metrics, health, pacer, Aliases()
    )
    handler.handle(outbox_item, channel, error)
    return Applied(store, metrics, health, pacer)


def test_a_429_blocks_the_channel_and_spends_no_attempt() -> None:
    applied = apply(NotifyError(Failure.RATE_LIMITED, "ratelimited", retry_after=3), item())
    error = "rate_limited: ratelimited"
    assert applied.store.calls == [("retry_later", 7, T0 + timedelta(seconds=3), error, False)]
    assert applied.pacer.wait("C1", T0.timestamp()) == 3.0
    assert applied.pacer.allowance("C1").burst == 1  # the channel's burst is not ours
    assert applied.count("mlpulse_slack_rate_limited_total") == 1
    assert applied.count("mlpulse_events_failed_total", kind="codepipeline", reason="rate_limited")
    assert applied.slack_detail() is None


def test_a_channel_we_cannot_post_to_sends_the_alert_to_the_fallback() -> None:
    outbox_item = item()
    applied = apply(NotifyError(Failure.CHANNEL, "channel_not_found"), outbox_item)
    assert outbox_item.decision is not None
    moved = replace(outbox_item.decision, channel="#fallback")
    assert applied.store.calls == [("reroute", 7, moved)]
    assert applied.slack_detail() == "cannot post to C1: channel_not_found"


def test_a_payload_refused_in_every_form_is_parked() -> None:
    applied = apply(NotifyError(Failure.INVALID, "invalid_blocks"), item())
    assert applied.store.calls == [("give_up", 7, "invalid: invalid_blocks")]
    assert applied.count("mlpulse_events_undeliverable_total", kind="codepipeline") == 1


def test_slack_unreachable_backs_off_and_turns_unhealthy_at_the_third_attempt() -> None:
    applied = apply(NotifyError(Failure.RETRY, "http_503"), item(attempts=3))
    when = T0 + timedelta(seconds=8)
    assert applied.store.calls == [("retry_later", 7, when, "retry: http_503", True)]
    assert applied.slack_detail() == "Slack unreachable: http_503"


def test_a_post_that_cannot_be_looked_up_is_parked_counted_and_said() -> None:
    error = NotifyError(Failure.UNVERIFIABLE, "missing_scope (needs channels:history)")
    applied = apply(error, item())
    reason = "unverifiable: missing_scope (needs channels:history)"
    assert applied.store.calls == [("give_up", 7, reason)]
    assert applied.count("mlpulse_events_unconfirmed_total", kind="codepipeline") == 1
    assert applied.count("mlpulse_events_undeliverable_total", kind="codepipeline") == 0
    healthy, report = applied.health.snapshot()
    slack = report["components"]["slack"]
    assert healthy and slack["ok"]  # a caveat about crash recovery, not an outage
    assert slack["detail"].startswith("delivering; cannot look up a post whose answer was lost")
    assert "missing_scope (needs channels:history)" in slack["detail"]
    assert "channels:history and groups:history" in slack["detail"]
