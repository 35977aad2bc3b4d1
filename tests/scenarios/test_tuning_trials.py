"""A tuning job keeps its trials together (issue 14), end to end over HTTP to the fake Slack:
an HPO burst of 50 trials is one root message, whose tally counts every trial once (0 lost)
and names the best objective value so far; its thread gets the failed trials only, no trial
gets a root or a burst digest line, and redeliveries count nothing twice. Trials arriving
before the tuning job's own events, in any order, make the same one message."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from bot.aws.logtail import LogReader
from bot.config.models import Config
from bot.core.clock import FakeClock
from bot.delivery.worker import Deliverer
from bot.intake.accept import Pipeline
from bot.ops.health import Health
from bot.ops.telemetry import Metrics
from bot.store.sqlite.store import SqliteStore
from notifiers.slack import SlackNotifier
from tests.fakes.moto import moto_url  # noqa: F401 (fixture)
from tests.fakes.slack_api import DEFAULT_TOKEN, FakeSlack, Message
from tests.scenarios.conftest import Bot
from tests.scenarios.platform_day import START, Arrival, Day, Tuning
from tests.unit.commands.platform import PlatformAws, aws, moto_server  # noqa: F401 (fixtures)

CHANNEL = "C0MLPULSE"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


PASSES = 5_000  # a tuning job's items go one a pass: they are one resource's, in order


def settle(bot: Bot, seconds: float = 600) -> None:
    """Deliver while the clock moves a second at a time, until nothing is left."""
    for _ in range(round(seconds)):
        bot.deliver(PASSES)
        if not bot.store.pending_count():
            return
        bot.clock.advance(1)
    raise AssertionError(f"{bot.store.pending_count()} items still pending")


def play(bot: Bot, arrivals: list[Arrival], *, at_once: bool = False) -> None:
    """Submit the events as they arrive (the fake clock moved to each arrival), delivering
    as they come; `at_once`: all in one burst, then delivery at the default pace."""
    if at_once:
        bot.submit(*(arrival.event for arrival in arrivals))
    else:
        for arrival in arrivals:
            moved = (arrival.at - bot.clock.now()).total_seconds()
            if moved > 0:
                bot.clock.advance(moved)
            bot.submit(arrival.event)
            bot.deliver(PASSES)
    settle(bot)


def root_of(bot: Bot) -> tuple[Message, list[Message]]:
    roots = bot.fake.roots(CHANNEL)
    assert len(roots) == 1, [root.text for root in roots]
    return roots[0], bot.fake.replies(CHANNEL, roots[0].ts)


def field(message: Message, label: str) -> str | None:
    for attachment in message.attachments or []:
        for block in attachment["blocks"]:
            for item in block.get("fields") or []:
                head, _, value = item["text"].partition("\n")
                if head == f"*{label}*":
                    return str(value)
    return None


def check_tally(root: Message, tuning: Tuning) -> None:
    counts = (tuning.count("Completed"), tuning.count("Failed"), tuning.count("Stopped"))
    assert sum(counts) == len(tuning.trials)
    assert field(root, "Trials seen") == "{} completed · {} failed · {} stopped".format(*counts)
    best = tuning.best
    assert field(root, "Best so far") == f"validation:auc = {best.auc:.6g} ({best.name})"


def failed_trials_in(replies: list[Message], tuning: Tuning) -> list[str]:
    failed = [trial.name for trial in tuning.trials if trial.status == "Failed"]
    return [name for name in failed if any(name in (reply.text or "") for reply in replies)]


@pytest.mark.parametrize("at_once", [False, True], ids=["as-they-come", "all-at-once"])
def test_an_hpo_burst_of_50_trials_is_one_message_with_its_failures_in_its_thread(
    bot: Bot, at_once: bool
) -> None:
    day = Day(seed=50)
    tuning = day.tuning_job("fraud-hpo-1125", START, trials=50, parallel=10)
    arrivals = day.arrivals(redelivered=0.2)
    play(bot, arrivals, at_once=at_once)

    root, replies = root_of(bot)
    assert root.text is not None and root.text.startswith(":large_green_circle: Tuning job")
    check_tally(root, tuning)
    assert field(root, "Training jobs") == (
        f"{tuning.count('Completed')} Completed, {tuning.count('Failed')} NonRetryableError,"
        f" {tuning.count('Stopped')} Stopped"
    )
    failed = [trial.name for trial in tuning.trials if trial.status == "Failed"]
    assert 0 < len(failed) < 50
    assert failed_trials_in(replies, tuning) == failed  # each failed trial, in order
    trial_replies = [reply for reply in replies if "trial " in (reply.text or "")]
    assert len(trial_replies) == len(failed)  # and no other trial
    assert all("Failed" in (reply.text or "") for reply in trial_replies)
    assert [reply.text for reply in replies if "trial " not in (reply.text or "")] == [
        "Completed: fraud-hpo-1125"
    ]  # the tuning job's own end
    posts = bot.fake.calls("chat.postMessage")
    assert [call for call in posts if "thread_ts" not in call.args and call.ok] != []
    assert not any("grouped" in (call.args.get("text") or "") for call in posts)
    trial_events = sum(
        1 for a in arrivals if a.event["detail-type"].startswith("SageMaker Training")
    )
    assert (
        bot.metrics.registry.get_sample_value(
            "mlpulse_events_received_total", {"kind": "training_job"}
        )
        == trial_events
    )  # every trial's event was taken in, redeliveries too
    assert bot.metrics.registry.get_sample_value(
        "mlpulse_events_deduped_total", {"kind": "training_job"}
    ) == trial_events - 3 * len(tuning.trials)  # and each redelivery dropped: 3 events a trial


def test_trials_before_the_tuning_job_s_own_events_in_any_order_make_one_message(
    bot: Bot,
) -> None:
    day = Day(seed=7)
    tuning = day.tuning_job("churn-hpo", START, trials=20, parallel=4, own_events=False)
    arrivals = day.arrivals(redelivered=0.2)
    random.Random(3).shuffle(arrivals)  # SNS and SQS keep no order
    for n, arrival in enumerate(arrivals):
        arrivals[n] = Arrival(START + timedelta(seconds=n), arrival.event)
    play(bot, arrivals)

    root, replies = root_of(bot)
    assert root.text is not None and "Tuning job In progress: churn-hpo" in root.text
    counts = (tuning.count("Completed"), tuning.count("Failed"), tuning.count("Stopped"))
    assert field(root, "Trials seen") == "{} completed · {} failed · {} stopped".format(*counts)
    # No Objective from the tuning job yet: which end is best is not known, so both show.
    shown = field(root, "Objective so far")
    aucs = [trial.auc for trial in tuning.trials if trial.auc is not None]
    assert shown is not None and f"from {min(aucs):.6g} " in shown
    assert f" to {max(aucs):.6g} " in shown
    assert sorted(failed_trials_in(replies, tuning)) == sorted(
        trial.name for trial in tuning.trials if trial.status == "Failed"
    )

    # The tuning job's own end, later, takes the message over and keeps the tally.
    ending = Day(seed=7)
    again = ending.tuning_job("churn-hpo", START, trials=20, parallel=4)
    last = ending.events[-1]
    bot.clock.advance(60)
    bot.submit(last.event)
    settle(bot)
    root, _ = root_of(bot)
    assert root.text is not None and root.text.startswith(":large_green_circle: Tuning job")
    check_tally(root, again)


@pytest.fixture
def logged_bot(
    fake_slack: FakeSlack,
    clock: FakeClock,
    store: SqliteStore,
    aws: PlatformAws,  # noqa: F811
) -> Iterator[Bot]:
    config = Config()
    metrics, health = Metrics(), Health()
    notifier = SlackNotifier(DEFAULT_TOKEN, base_url=fake_slack.url)
    logs: Any = LogReader(aws)  # type: ignore[arg-type]
    deliverer = Deliverer(store, notifier, clock, config, metrics, health, logs=logs)
    pipeline = Pipeline(config, store, clock, metrics, deliverer.wake)
    yield Bot(fake_slack, clock, config, store, metrics, health, notifier, deliverer, pipeline)


def test_only_the_first_failed_trial_gets_its_log_tail(logged_bot: Bot) -> None:
    day = Day(seed=50)
    tuning = day.tuning_job("fraud-hpo-1125", START, trials=30, parallel=10, failing=0.3)
    play(logged_bot, day.arrivals())

    _, replies = root_of(logged_bot)
    failed = [trial.name for trial in tuning.trials if trial.status == "Failed"]
    assert len(failed) > 1
    tails = [n for n, reply in enumerate(replies) if "log lines" in (reply.text or "").lower()]
    (tail,) = tails
    first = next(reply for reply in replies if "trial " in (reply.text or ""))
    assert first.text is not None and first.text.startswith("Failed: trial ")
    assert replies.index(first) < tail  # under the first failure, after its reply
    assert f"training job {first.text.removeprefix('Failed: trial ')}" in (replies[tail].text or "")
    assert len(failed_trials_in(replies, tuning)) == len(failed)
