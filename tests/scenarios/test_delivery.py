"""Delivery against the fake Slack Web API: one root message per resource, its thread,
redeliveries and events out of order (README: How delivery behaves; RELIABILITY B2, B3, E5)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fakes.slack_api import Message
from tests.scenarios.conftest import Bot

CHANNEL = "C0MLPULSE"  # the fake's id for #mlpulse, the default channel
TRAINING = "sagemaker-training-job-state-change-completed"
JOB = "89c96cc8-dded-4739-afcc-6f1dc936701d"  # TrainingJobName in that sample


def training(
    bot: Bot, status: str, at: str, event_id: str, reason: str | None = None, name: str = JOB
) -> dict[str, Any]:
    """The published training-job sample as another state change of the same job."""
    changes: dict[str, Any] = {
        "id": event_id,
        "time": at,
        "detail.TrainingJobStatus": status,
        "detail.SecondaryStatus": status,
        "detail.TrainingJobName": name,
    }
    if reason is not None:
        changes["detail.FailureReason"] = reason
    return bot.sample(TRAINING, changes)


def posts(bot: Bot) -> list[Any]:
    return [c for c in bot.fake.calls("chat.postMessage") if c.ok]


def only_root(bot: Bot, channel: str = CHANNEL) -> Message:
    roots = bot.fake.roots(channel)
    assert len(roots) == 1, [r.all_text() for r in roots]
    return roots[0]


def test_one_root_per_resource_updated_in_place_with_a_thread_reply(bot: Bot) -> None:
    assert bot.submit(training(bot, "InProgress", "2018-10-06T12:00:00Z", "ev-1")).accepted == 1
    assert bot.deliver() == 1
    root = only_root(bot)
    assert "Training job In progress" in root.all_text()
    assert root.marker == "1:root"

    bot.clock.advance(5)
    reason = "AlgorithmError: loss is NaN <!channel> & more"
    bot.submit(training(bot, "Failed", "2018-10-06T12:26:13Z", "ev-2", reason))
    assert bot.deliver() == 1

    # One root, edited in place; the later event also told in its thread.
    assert [(c.args["channel"], c.args["ts"]) for c in bot.fake.calls("chat.update")] == [
        (CHANNEL, root.ts)
    ]
    assert len(posts(bot)) == 2
    root = only_root(bot)
    shown = root.all_text()
    assert "Training job Failed" in shown
    assert "In progress" not in shown
    assert "loss is NaN &lt;!channel&gt; &amp; more" in shown
    assert "<!channel>" not in shown
    assert len(root.edits) == 1
    (reply,) = bot.fake.replies(CHANNEL, root.ts)
    assert "*Failed*" in reply.all_text()
    assert reply.marker == "2:reply"
    assert bot.store.pending_count() == 0


def test_the_same_event_twice_is_posted_once(bot: Bot) -> None:
    event = training(bot, "Completed", "2018-10-06T12:26:13Z", "ev-same")
    first = bot.submit(event, event)  # twice in one batch
    assert (first.accepted, first.duplicates) == (1, 1)
    bot.deliver()
    bot.clock.advance(45)  # SQS redelivers after the visibility timeout
    again = bot.submit(event)
    assert (again.accepted, again.duplicates) == (0, 1)
    bot.run_for(10)

    assert len(posts(bot)) == 1
    assert bot.fake.calls("chat.update") == []
    assert len(bot.fake.messages()) == 1


@pytest.mark.parametrize(
    "message",
    [
        pytest.param("eventbridge", id="eventbridge-event"),
        pytest.param("alarm", id="classic-alarm-without-id"),
        pytest.param("text", id="plain-text-without-id-or-time"),
    ],
)
def test_an_sns_notification_delivered_twice_through_sqs_is_posted_once(
    bot: Bot, message: str
) -> None:
    inner: dict[str, Any] | str
    if message == "eventbridge":
        inner = training(bot, "Completed", "2018-10-06T12:26:13Z", "ev-sns")
    elif message == "alarm":
        inner = bot.sample("cloudwatch-alarm-sns-message-single-metric")
    else:
        inner = "Nightly retraining skipped: no new data"
    notification = bot.sns(inner, message_id="5c4c2d06-sns-message-id")

    first = bot.submit(bot.sqs(notification, message_id="sqs-first"))
    assert first.accepted == 1
    bot.deliver()
    bot.clock.advance(30)  # the same SNS message, handed to SQS a second time
    second = bot.submit(bot.sqs(notification, message_id="sqs-second"))
    bot.run_for(10)

    assert (second.accepted, second.duplicates) == (0, 1)
    assert len(posts(bot)) == 1
    assert len(bot.fake.messages()) == 1
    assert bot.fake.calls("chat.update") == []


def test_an_older_event_arriving_late_only_adds_a_reply(bot: Bot) -> None:
    bot.submit(training(bot, "Completed", "2018-10-06T12:26:13Z", "ev-new"))
    bot.deliver()
    bot.clock.advance(3)
    bot.submit(training(bot, "InProgress", "2018-10-06T12:00:00Z", "ev-old"))
    bot.run_for(5)

    root = only_root(bot)
    assert "Training job Completed" in root.all_text()
    assert "In progress" not in root.all_text()
    assert root.edits == []
    assert bot.fake.calls("chat.update") == []
    (reply,) = bot.fake.replies(CHANNEL, root.ts)
    assert "In progress" in reply.all_text()
    assert "Arrived after a newer update" in reply.all_text()
    assert bot.store.pending_count() == 0


def test_a_deleted_root_is_posted_again_and_later_updates_go_to_the_new_one(bot: Bot) -> None:
    bot.submit(training(bot, "InProgress", "2018-10-06T12:00:00Z", "ev-1"))
    bot.deliver()
    old = only_root(bot)
    bot.fake.delete(CHANNEL, old.ts)  # someone removes the alert in Slack

    bot.clock.advance(2)
    bot.submit(training(bot, "Failed", "2018-10-06T12:10:00Z", "ev-2", "OutOfMemory"))
    bot.run_for(3)
    new = only_root(bot)
    assert new.ts != old.ts
    assert "Training job Failed" in new.all_text()
    assert "OutOfMemory" in new.all_text()
    updates = bot.fake.calls("chat.update")
    assert [(c.args["ts"], c.answer) for c in updates] == [(old.ts, "message_not_found")]

    bot.submit(training(bot, "Stopped", "2018-10-06T12:20:00Z", "ev-3"))
    bot.run_for(3)
    updates = bot.fake.calls("chat.update")[1:]
    assert [(c.args["ts"], c.answer) for c in updates] == [(new.ts, "ok")]
    assert "Training job Stopped" in only_root(bot).all_text()
    (reply,) = bot.fake.replies(CHANNEL, new.ts)
    assert "*Stopped*" in reply.all_text()
    assert bot.fake.replies(CHANNEL, old.ts) == []
    assert bot.store.pending_count() == 0


def test_codepipeline_execution_root_shows_where_it_failed_and_why(bot: Bot) -> None:
    # The published samples of one execution (same execution-id). The STARTED sample was
    # published for us-east-1 and another day; moved to the others' region and just before.
    started = bot.sample(
        "codepipeline-pipeline-execution-state-change-started",
        {
            "region": "us-west-2",
            "resources": ["arn:aws:codepipeline:us-west-2:123456789012:myPipeline"],
            "time": "2020-01-31T18:50:02Z",
        },
    )
    action_failed = bot.sample("codepipeline-action-execution-state-change-failed-codedeploy")
    pipeline_failed = bot.sample("codepipeline-pipeline-execution-state-change-failed")
    keys = {event.key for event in bot.events(started, action_failed, pipeline_failed)}
    assert len(keys) == 1

    for document in (started, action_failed, pipeline_failed):
        assert bot.submit(document).accepted == 1
        bot.run_for(2)

    root = only_root(bot)
    shown = root.all_text()
    assert "CodePipeline Failed: myPipeline" in shown
    assert "Failed at" in shown
    assert "action Deploy › Deploy" in shown
    assert "Deployment &lt;ID&gt; failed" in shown
    replies = bot.fake.replies(CHANNEL, root.ts)
    assert len(replies) == 2
    assert "action Deploy › Deploy" in replies[0].all_text()
    assert len(posts(bot)) == 3  # the root and two replies, nothing else in the channel
    assert bot.store.pending_count() == 0
