"""Delivery when Slack misbehaves: 429, 5xx, lost answers, missing channels, a bad token,
refused payloads, and a burst into one channel (RELIABILITY E1-E5; README: How delivery behaves)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from notifiers import limits
from tests.fakes.slack_api import Dropped, LostAnswer, RateLimited, ServerError, SlackError
from tests.scenarios.conftest import Bot, MakeBot

CHANNEL = "C0MLPULSE"
FALLBACK = "C0FALLBK"
TRAINING = "sagemaker-training-job-state-change-completed"


def job(
    bot: Bot,
    name: str = "churn-xgb-2024-06-01",
    status: str = "InProgress",
    at: str = "2018-10-06T12:00:00Z",
    event_id: str | None = None,
) -> dict[str, Any]:
    """A state change of one training job, made from the published sample."""
    return bot.sample(
        TRAINING,
        {
            "id": event_id or f"{name}-{status}-{at}",
            "time": at,
            "detail.TrainingJobName": name,
            "detail.TrainingJobStatus": status,
            "detail.SecondaryStatus": status,
        },
    )


def post_times(bot: Bot, start: float) -> list[tuple[float, str]]:
    """Each chat.postMessage call: seconds after `start`, and Slack's answer."""
    return [(round(c.at - start, 3), c.answer) for c in bot.fake.calls("chat.postMessage")]


def now(bot: Bot) -> float:
    return bot.clock.now().timestamp()


# --- E1: 429


def test_429_waits_retry_after_then_delivers_everything_once(bot: Bot) -> None:
    bot.fake.fail("chat.postMessage", RateLimited(retry_after=3))
    bot.submit(job(bot, "job-a"), job(bot, "job-b"))
    start = now(bot)

    bot.deliver()
    for _ in range(5):  # 0.5 s steps up to 2.5 s: the channel is blocked, nothing is tried
        bot.clock.advance(0.5)
        bot.deliver()
    assert post_times(bot, start) == [(0.0, "ratelimited")]
    assert bot.store.pending_count() == 2

    bot.clock.advance(0.5)  # 3 s after the 429
    bot.deliver()
    bot.run_for(10)

    times = post_times(bot, start)
    assert times[0] == (0.0, "ratelimited")
    assert [answer for _, answer in times[1:]] == ["ok", "ok"]
    assert min(at for at, _ in times[1:]) == 3.0
    assert len(bot.fake.roots(CHANNEL)) == 2
    assert bot.store.pending_count() == 0
    assert bot.metrics.registry.get_sample_value("mlpulse_slack_rate_limited_total") == 1
    assert bot.fake.pending_faults() == 0


def test_429_on_an_update_waits_then_edits_and_replies_once(bot: Bot) -> None:
    bot.submit(job(bot))
    bot.deliver()
    (root,) = bot.fake.messages()
    bot.fake.fail("chat.update", RateLimited(retry_after=2))
    bot.submit(job(bot, status="Completed", at="2018-10-06T12:30:00Z"))
    start = now(bot)
    bot.deliver()
    bot.clock.advance(1.5)
    bot.deliver()
    assert [c.answer for c in bot.fake.calls("chat.update")] == ["ratelimited"]
    assert bot.fake.replies(CHANNEL, root.ts) == []

    bot.run_for(5)
    updates = bot.fake.calls("chat.update")
    assert [(round(c.at - start, 3), c.answer) for c in updates] == [
        (0.0, "ratelimited"),
        (2.0, "ok"),
    ]
    assert "Training job Completed" in bot.fake.message(CHANNEL, root.ts).all_text()
    assert len(bot.fake.replies(CHANNEL, root.ts)) == 1
    assert bot.store.pending_count() == 0


# --- E2: 5xx, connection reset, lost answers


def test_5xx_is_retried_with_backoff_and_delivered_once(bot: Bot) -> None:
    bot.fake.fail("chat.postMessage", ServerError(500), ServerError(503))
    bot.submit(job(bot))
    start = now(bot)
    bot.run_for(10)

    assert post_times(bot, start) == [(0.0, "http_500"), (1.0, "http_503"), (3.0, "ok")]
    assert len(bot.fake.messages()) == 1
    assert bot.store.pending_count() == 0
    assert bot.failed_count("training_job", "retry") == 2
    assert bot.fake.pending_faults() == 0


def test_a_post_whose_answer_was_lost_is_found_not_posted_again(bot: Bot) -> None:
    bot.fake.fail("chat.postMessage", LostAnswer())
    bot.submit(job(bot))
    bot.run_for(10)

    (root,) = bot.fake.messages()
    assert root.marker == "1:root"
    assert [c.answer for c in bot.fake.calls("chat.postMessage")] == ["lost"]
    assert bot.fake.pending_faults() == 0
    (lookup,) = bot.fake.calls("conversations.history")
    assert lookup.args["channel"] == CHANNEL
    assert lookup.args["include_all_metadata"] in ("true", "1")
    assert bot.store.pending_count() == 0

    # The found message is the resource's root: the next state edits it.
    bot.submit(job(bot, status="Failed", at="2018-10-06T12:30:00Z"))
    bot.run_for(3)
    assert [c.args["ts"] for c in bot.fake.calls("chat.update")] == [root.ts]
    assert len(bot.fake.replies(CHANNEL, root.ts)) == 1
    assert len(bot.fake.roots(CHANNEL)) == 1


def test_a_thread_reply_whose_answer_was_lost_is_found_not_posted_again(bot: Bot) -> None:
    bot.submit(job(bot))
    bot.deliver()
    (root,) = bot.fake.messages()

    bot.fake.fail("chat.postMessage", LostAnswer())
    bot.submit(job(bot, status="Completed", at="2018-10-06T12:30:00Z"))
    bot.run_for(10)

    (reply,) = bot.fake.replies(CHANNEL, root.ts)
    assert reply.marker == "2:reply"
    assert len(bot.fake.calls("chat.update")) == 1  # the root is not edited a second time
    (lookup,) = bot.fake.calls("conversations.replies")
    assert lookup.args["ts"] == root.ts
    assert len(bot.fake.messages()) == 2
    assert bot.store.pending_count() == 0


class Killed(BaseException):
    """The process dies (SIGKILL) at this point."""


def test_a_restart_after_dying_between_post_and_record_does_not_post_twice(
    make_bot: MakeBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = make_bot()
    posted_then_died = first.notifier.post

    def post_then_die(*args: Any, **kwargs: Any) -> Any:
        posted_then_died(*args, **kwargs)
        raise Killed

    monkeypatch.setattr(first.notifier, "post", post_then_die)
    first.submit(job(first))
    with pytest.raises(Killed):
        first.deliver()
    assert len(first.fake.messages()) == 1

    second = make_bot()  # a new process on the same store
    second.run_for(5)
    assert second.store.pending_count() == 1  # the dead process's lease still holds it
    second.run_for(60)  # the lease runs out; the new process takes the item over
    (root,) = second.fake.messages()
    assert len(second.fake.calls("chat.postMessage")) == 1
    assert second.store.pending_count() == 0
    second.submit(job(second, status="Completed", at="2018-10-06T12:30:00Z"))
    second.run_for(3)
    assert [c.args["ts"] for c in second.fake.calls("chat.update")] == [root.ts]


def test_a_connection_reset_before_slack_acted_is_posted_on_retry(bot: Bot) -> None:
    bot.fake.fail("chat.postMessage", Dropped())
    bot.submit(job(bot))
    bot.run_for(5)

    assert [c.answer for c in bot.fake.calls("chat.postMessage")] == ["dropped", "ok"]
    assert len(bot.fake.messages()) == 1
    assert bot.store.pending_count() == 0


# --- E3: the channel is gone, or the token is bad


@pytest.mark.parametrize("failure", ["channel_not_found", "not_in_channel"])
def test_a_channel_we_cannot_post_to_sends_the_alert_to_the_fallback(
    make_bot: MakeBot, failure: str
) -> None:
    if failure == "channel_not_found":
        bot = make_bot(default_channel="#retired-alerts", fallback_channel="#mlpulse-fallback")
    else:
        bot = make_bot(default_channel="#mlpulse", fallback_channel="#mlpulse-fallback")
        bot.fake.fail("chat.postMessage", SlackError("not_in_channel"))
    bot.submit(job(bot))
    bot.deliver()

    (alert,) = bot.fake.messages()
    assert alert.channel == FALLBACK
    assert "Training job In progress" in alert.all_text()
    assert [c.answer for c in bot.fake.calls("chat.postMessage")] == [failure, "ok"]
    assert bot.store.pending_count() == 0
    assert bot.failed_count("training_job", "channel") == 1

    # Later states of the resource follow its root into the fallback channel.
    bot.clock.advance(2)
    bot.submit(job(bot, status="Failed", at="2018-10-06T12:30:00Z"))
    bot.run_for(3)
    assert [c.args["channel"] for c in bot.fake.calls("chat.update")] == [FALLBACK]
    assert len(bot.fake.replies(FALLBACK, alert.ts)) == 1
    assert len(bot.fake.calls("chat.postMessage")) == 3


def test_without_a_fallback_the_alert_is_kept_and_health_turns_red(make_bot: MakeBot) -> None:
    bot = make_bot(default_channel="#retired-alerts")
    bot.submit(job(bot))
    bot.run_for(30, step=1)

    assert bot.fake.messages() == []
    assert bot.store.pending_count() == 1
    health = bot.slack_health()
    assert health["healthy"] is False
    assert health["ok"] is False
    assert "#retired-alerts" in health["detail"]
    assert "channel_not_found" in health["detail"]
    assert len(bot.fake.calls("chat.postMessage")) == 1  # no hammering

    bot.fake.add_channel("C0RETIRED", "retired-alerts")  # someone brings it back
    bot.run_for(300, step=10)
    (alert,) = bot.fake.messages()
    assert alert.channel == "C0RETIRED"
    assert bot.store.pending_count() == 0
    assert bot.slack_health()["ok"] is True


def test_invalid_auth_keeps_the_alert_and_turns_health_red(make_bot: MakeBot) -> None:
    bot = make_bot(token="xoxb-revoked-token")
    bot.submit(job(bot))
    bot.run_for(10, step=1)

    assert bot.fake.messages() == []
    assert bot.store.pending_count() == 1
    assert {c.answer for c in bot.fake.calls("chat.postMessage")} == {"invalid_auth"}
    health = bot.slack_health()
    assert (health["healthy"], health["ok"]) == (False, False)
    assert "invalid_auth" in health["detail"]
    assert "xoxb-revoked-token" not in health["detail"]

    bot.fake.token = "xoxb-revoked-token"  # the workspace accepts it again
    bot.run_for(60, step=5)
    assert len(bot.fake.messages()) == 1
    assert bot.store.pending_count() == 0
    assert bot.slack_health()["ok"] is True


# --- E4: refused payloads


@pytest.mark.parametrize("error", ["msg_blocks_too_long", "invalid_blocks"])
def test_a_refused_root_is_resent_as_plain_text_once(bot: Bot, error: str) -> None:
    bot.fake.fail("chat.postMessage", SlackError(error))
    bot.submit(job(bot, status="Failed", at="2018-10-06T12:30:00Z"))
    bot.deliver()

    calls = bot.fake.calls("chat.postMessage")
    assert [c.answer for c in calls] == [error, "ok"]
    assert "attachments" in calls[0].args
    (alert,) = bot.fake.messages()
    assert alert.blocks is None
    assert alert.attachments is None
    assert alert.text is not None
    assert alert.text.startswith(":red_circle: Training job Failed: churn-xgb-2024-06-01")
    assert alert.marker == "1:root"
    assert bot.store.pending_count() == 0
    assert bot.fake.pending_faults() == 0

    # It is the resource's root all the same.
    bot.submit(job(bot, status="Stopped", at="2018-10-06T12:40:00Z"))
    bot.run_for(3)
    assert [c.args["ts"] for c in bot.fake.calls("chat.update")] == [alert.ts]


@pytest.mark.parametrize("error", ["msg_blocks_too_long", "invalid_blocks"])
def test_a_refused_update_is_resent_as_plain_text_and_the_reply_still_posted(
    bot: Bot, error: str
) -> None:
    bot.submit(job(bot))
    bot.deliver()
    (root,) = bot.fake.messages()
    bot.fake.fail("chat.update", SlackError(error))
    bot.submit(job(bot, status="Failed", at="2018-10-06T12:30:00Z"))
    bot.run_for(3)

    assert [c.answer for c in bot.fake.calls("chat.update")] == [error, "ok"]
    shown = bot.fake.message(CHANNEL, root.ts)
    assert shown.text is not None
    assert shown.text.startswith(":red_circle: Training job Failed: churn-xgb-2024-06-01")
    assert shown.attachments in (None, [])
    assert len(bot.fake.replies(CHANNEL, root.ts)) == 1
    assert len(bot.fake.roots(CHANNEL)) == 1
    assert bot.store.pending_count() == 0


@pytest.mark.parametrize("arrives", ["as-the-first-event", "as-an-update"])
def test_an_oversized_hostile_failure_is_sent_within_limits_and_mentions_nobody(
    bot: Bot, arrives: str
) -> None:
    huge = "<!channel> <@U0ADMIN> & " + "x" * 9000
    failed = bot.sample(
        "codepipeline-action-execution-state-change-failed-codedeploy",
        {
            "detail.type.provider": huge,
            "detail.execution-result.error-code": huge,
            "detail.execution-result.external-execution-summary": huge,
            "detail.pipeline-execution-attempt": huge,
            "additionalAttributes": {
                "failedStage": huge,
                "failedActions": [{"action": "Deploy", "additionalInformation": huge}],
            },
        },
    )
    if arrives == "as-an-update":
        started = bot.sample(
            "codepipeline-pipeline-execution-state-change-started",
            {
                "region": "us-west-2",
                "resources": ["arn:aws:codepipeline:us-west-2:123456789012:myPipeline"],
                "time": "2020-01-31T18:50:02Z",
            },
        )
        bot.submit(started)
        bot.deliver()
        bot.clock.advance(1)
    bot.submit(failed)
    bot.run_for(3)

    sent = bot.fake.calls("chat.postMessage") + bot.fake.calls("chat.update")
    assert {c.answer for c in sent} == {"ok"}
    for call in sent:  # every payload was checked before sending (RELIABILITY E4)
        payload: dict[str, Any] = {
            k: call.args[k] for k in ("text", "blocks", "attachments") if k in call.args
        }
        assert limits.problems(payload) == [], call.method
    (root,) = bot.fake.roots(CHANNEL)
    assert "CodePipeline Failed: myPipeline" in root.all_text()
    for message in bot.fake.messages():
        assert "<!channel>" not in message.all_text()
        assert "<@U0ADMIN>" not in message.all_text()
    assert bot.store.pending_count() == 0


# --- pacing (about one post a second per channel, no 429 storm)


@pytest.mark.parametrize(("burst", "per_second"), [(3, 1.0), (5, 2.0)])
def test_a_burst_of_failures_into_one_channel_is_paced_and_all_of_it_delivered(
    make_bot: MakeBot, burst: int, per_second: float
) -> None:
    """Failures open incidents, so each keeps a message of its own: paced, none lost."""
    bot = make_bot(slack={"burst": burst, "posts_per_second": per_second})
    bot.fake.post_limit = (burst, 1.0 / per_second)  # Slack's own limit, on the fake clock
    start = now(bot)
    bot.submit(*(job(bot, f"hpo-trial-{n:02d}", status="Failed") for n in range(10)))

    bot.deliver()
    first = post_times(bot, start)
    assert len(first) == burst

    bot.run_for(10)
    times = post_times(bot, start)
    assert {answer for _, answer in times} == {"ok"}  # not a single 429
    assert len(times) == 10
    assert max(Counter(at for at, _ in times).values()) <= burst
    roots = bot.fake.roots(CHANNEL)
    assert len(roots) == 10
    assert {r.all_text().count("hpo-trial-") > 0 for r in roots} == {True}
    assert bot.store.pending_count() == 0
    assert max(at for at, _ in times) <= (10 - burst) / per_second


@pytest.mark.parametrize(("burst", "per_second"), [(3, 1.0), (5, 2.0)])
def test_a_burst_of_news_is_grouped_into_one_digest_and_none_lost(
    make_bot: MakeBot, burst: int, per_second: float
) -> None:
    """What outruns the pace becomes lines of one digest message."""
    bot = make_bot(slack={"burst": burst, "posts_per_second": per_second})
    bot.fake.post_limit = (burst, 1.0 / per_second)
    start = now(bot)
    bot.submit(*(job(bot, f"hpo-trial-{n:02d}") for n in range(10)))

    bot.run_for(10)
    times = post_times(bot, start)
    assert {answer for _, answer in times} == {"ok"}
    assert len(times) == burst + 1  # the first ones, then the digest
    assert max(Counter(at for at, _ in times).values()) <= burst
    texts = [root.all_text() for root in bot.fake.roots(CHANNEL)]
    (digest,) = [text for text in texts if "grouped in one message" in text]
    shown = {
        f"hpo-trial-{n:02d}" for n in range(10) if any(f"hpo-trial-{n:02d}" in t for t in texts)
    }
    assert len(shown) == 10  # every resource is a message or a digest line
    assert f"{10 - burst} resources" in digest
    assert bot.store.pending_count() == 0

    # Later news of a grouped resource edits the digest; it posts nothing more.
    bot.submit(job(bot, "hpo-trial-09", status="Completed", at="2018-10-06T12:30:00Z"))
    bot.run_for(20)
    assert len(post_times(bot, start)) == burst + 1
    (digest,) = [
        r.all_text() for r in bot.fake.roots(CHANNEL) if "grouped in one message" in r.all_text()
    ]
    assert "Completed" in digest
