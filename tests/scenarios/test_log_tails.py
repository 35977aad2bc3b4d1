"""The log tail under a failed job's or build's alert (issue 14), end to end: events through
the real pipeline, store and delivery, posted over HTTP to the fake Slack, the logs read from
a moto server's CloudWatch Logs with the bot's own clients (the demo's, on empty backends).
A Logs that refuses is a botocore Stubber answering AccessDeniedException in the client's
place (moto's server does not enforce IAM without a policy set up for it).

The tail is a reply in the alert's thread, posted after the alert, once, with the log link;
no lines yet, a refusal and another account's job each get one line saying so."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
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
from tests.conftest import REPO
from tests.fakes.moto import moto_url  # noqa: F401 (fixture)
from tests.fakes.slack_api import DEFAULT_TOKEN, FakeSlack, LostAnswer, Message
from tests.scenarios.conftest import Bot, sample
from tests.unit.commands.platform import (  # noqa: F401 (fixtures)
    PlatformAws,
    aws,
    moto_server,
    real_now,
)

CHANNEL = "C0MLPULSE"
ACCOUNT = "123456789012"  # moto's, so the bot's own
REGION = "eu-west-1"  # the demo clients' region
TRAINING_GROUP = "/aws/sagemaker/TrainingJobs"


@pytest.fixture
def bot(fake_slack: FakeSlack, clock: FakeClock, store: SqliteStore, aws: PlatformAws) -> Bot:  # noqa: F811
    """The delivery half of mlpulse, reading logs with the moto-backed clients."""
    config = Config()
    metrics, health = Metrics(), Health()
    notifier = SlackNotifier(DEFAULT_TOKEN, base_url=fake_slack.url)
    logs = LogReader(aws)  # type: ignore[arg-type]  # the demo's clients, in shape
    deliverer = Deliverer(store, notifier, clock, config, metrics, health, logs=logs)
    pipeline = Pipeline(config, store, clock, metrics, deliverer.wake)
    return Bot(fake_slack, clock, config, store, metrics, health, notifier, deliverer, pipeline)


@pytest.fixture
def logs(aws: PlatformAws) -> Iterator[Any]:  # noqa: F811
    yield aws.real.logs


def write(logs: Any, group: str, stream: str, lines: list[str], start: int = 0) -> None:
    with contextlib.suppress(logs.exceptions.ResourceAlreadyExistsException):
        logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    base = int(real_now().timestamp() * 1000) - 600_000  # Logs refuses events > 14 days old
    events = [
        {"timestamp": base + (start + n) * 1000, "message": line} for n, line in enumerate(lines)
    ]
    logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=events)


def failed_job(name: str, account: str = ACCOUNT, n: int = 1) -> dict[str, Any]:
    return sample(
        "sagemaker-training-job-state-change-completed",
        {
            "id": f"tail-{n}",
            "account": account,
            "region": REGION,
            "detail.TrainingJobName": name,
            "detail.TrainingJobStatus": "Failed",
            "detail.SecondaryStatus": "Failed",
            "detail.FailureReason": "AlgorithmError: ExecuteUserScriptError: exit code 1",
        },
    )


def thread(bot: Bot) -> tuple[Message, list[Message]]:
    (root,) = bot.fake.roots(CHANNEL)
    return root, bot.fake.replies(CHANNEL, root.ts)


def button_urls(message: Message) -> list[str]:
    return [
        element["url"]
        for block in message.blocks or []
        if block["type"] == "actions"
        for element in block["elements"]
    ]


def test_a_failed_training_job_gets_the_last_lines_of_its_logs_in_its_thread(
    bot: Bot, logs: Any
) -> None:
    write(logs, TRAINING_GROUP, "churn-7/algo-1-1764000000", [f"epoch {n}" for n in range(30)])
    write(logs, TRAINING_GROUP, "churn-7/algo-2-1764000000", ["Traceback <!channel> & co"], 30)
    write(logs, TRAINING_GROUP, "churn-70/algo-1-1764000000", ["another job's line"])
    bot.submit(failed_job("churn-7"))
    bot.run_for(1)

    root, (tail,) = thread(bot)
    assert root.marker == "1:root" and tail.marker == "1:logs"
    posts = bot.fake.calls("chat.postMessage")
    assert [call.args.get("thread_ts") for call in posts] == [None, root.ts]  # alert first
    text = tail.all_text()
    assert "Last 20 log lines" in text and "training job `churn-7` (2 streams" in text
    assert "Traceback &lt;!channel&gt; &amp; co" in text and "<!channel>" not in text
    assert "epoch 29" in text and "epoch 10" not in text and "another job" not in text
    assert "[algo-2-1764000000] Traceback" in text  # two hosts: each line names its own
    (url,) = button_urls(tail)
    assert "#logStream:group=/aws/sagemaker/TrainingJobs;prefix=churn-7%2F" in url
    assert bot.store.pending_count() == 0


def test_a_job_without_logs_yet_gets_one_line_saying_so(bot: Bot) -> None:
    bot.submit(failed_job("never-started"))
    bot.run_for(1)
    _, (line,) = thread(bot)
    assert line.text is not None
    assert line.text.startswith("No log lines yet for the training job never-started")
    assert "in `/aws/sagemaker/TrainingJobs` (streams `never-started/…`)" in line.all_text()


def test_logs_that_refuse_get_one_line_naming_the_permission(bot: Bot, aws: PlatformAws) -> None:  # noqa: F811
    aws.stub(
        "logs",
        "describe_log_streams",
        error="AccessDeniedException",
        message="User: arn:aws:sts::123456789012:assumed-role/mlpulse/i is not authorized to"
        " perform: logs:DescribeLogStreams on resource: arn:aws:logs:eu-west-1:123456789012:"
        "log-group:/aws/sagemaker/TrainingJobs:log-stream:",
    )
    bot.submit(failed_job("denied"))
    bot.run_for(1)
    root, (line,) = thread(bot)
    assert "Could not read the logs of the training job `denied`: missing permission" in (
        line.all_text()
    )
    assert "logs:DescribeLogStreams" in line.all_text()
    assert root.marker == "1:root"  # the alert itself went out as ever


def test_another_account_s_job_gets_one_line_saying_where_its_logs_are(bot: Bot) -> None:
    bot.submit(failed_job("elsewhere", account="210987654321"))
    bot.run_for(1)
    _, (line,) = thread(bot)
    assert "they are in account 210987654321" in line.all_text()


def test_a_failed_build_gets_the_tail_of_the_stream_its_event_names(bot: Bot, logs: Any) -> None:
    path = REPO / "tests/fixtures/real/events/024-codebuild-build-failed-yaml-file-error.json"
    build = json.loads(path.read_text(encoding="utf-8"))
    build.update(account=ACCOUNT, region=REGION)
    info = build["detail"]["additional-information"]["logs"]
    write(
        logs,
        info["group-name"],
        info["stream-name"],
        ["[Container] Phase DOWNLOAD_SOURCE", "YAML_FILE_ERROR"],
    )
    bot.submit(build)
    bot.run_for(1)
    root, (tail,) = thread(bot)
    assert root.all_text().count("YAML_FILE_ERROR") >= 1
    assert "Last 2 log lines" in tail.all_text() and "the build `functionci-" in tail.all_text()
    assert button_urls(tail) == [info["deep-link"]]


def test_a_pipeline_whose_codebuild_action_failed_gets_the_build_s_tail(
    bot: Bot, logs: Any
) -> None:
    """The failed action names its build (`<project>:<uuid>`); the build's own failure opens
    no incident of its own (a pipeline ran it), so the tail goes where the incident is."""
    path = (
        REPO
        / "tests/fixtures/real/events/017-codepipeline-action-failed-codebuild-notification-rule.json"
    )
    action = json.loads(path.read_text(encoding="utf-8"))
    action.update(account=ACCOUNT, region=REGION)
    write(logs, "/aws/codebuild/sin-dev", "86a1cd00-9509-4929-ac8b-7d3a8c10c2bc", ["npm ERR! 1"])
    bot.submit(action)
    bot.run_for(1)
    root, (tail,) = thread(bot)
    assert "sin-dev:86a1cd00-9509-4929-ac8b-7d3a8c10c2bc" in root.all_text()  # the Build fact
    assert "Acknowledge" in root.all_text()  # the pipeline's incident
    assert "npm ERR! 1" in tail.all_text() and "the build `sin-dev`" in tail.all_text()


def test_a_tail_whose_answer_was_lost_is_found_not_posted_again(bot: Bot, logs: Any) -> None:
    write(logs, TRAINING_GROUP, "lost/algo-1-1764000000", ["the last line"])
    bot.submit(failed_job("lost"))
    bot.deliverer.run_once()  # the alert
    assert len(bot.fake.messages()) == 1
    bot.fake.fail("chat.postMessage", LostAnswer())
    bot.run_for(10)

    _, (tail,) = thread(bot)
    assert tail.marker == "1:logs"
    assert [c.answer for c in bot.fake.calls("chat.postMessage")] == ["ok", "lost"]
    assert len(bot.fake.calls("conversations.replies")) == 1  # looked for, and found
    assert bot.store.pending_count() == 0


def test_alerts_waiting_for_the_channel_go_before_the_tails(bot: Bot) -> None:
    bot.submit(*(failed_job(f"burst-{n}", n=n) for n in range(5)))
    bot.run_for(12)
    posts = [c for c in bot.fake.calls("chat.postMessage") if c.ok]
    kinds = ["tail" if "thread_ts" in c.args else "root" for c in posts]
    assert kinds == ["root"] * 5 + ["tail"] * 5
    assert bot.store.pending_count() == 0
