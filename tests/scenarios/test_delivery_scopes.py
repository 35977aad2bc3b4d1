"""A workspace that has not granted the history scopes (issue 13, item 5): the lookup that
tells whether an attempt cut short reached Slack is refused (`missing_scope`). Delivery
degrades to at most once per post, and says so: a log line, a metric, /readyz.

`kill -9` while a post is in flight is played as in test_delivery_faults: the notifier's
post reaches Slack, then the "process" dies; a second bot on the same store takes over.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from bot.delivery.bursts import GROUP_AFTER
from notifiers.base import Failure, NotifyError
from notifiers.slack import SlackNotifier
from tests.fakes.slack_api import DEFAULT_TOKEN, Dropped, LostAnswer, RateLimited, SlackError
from tests.scenarios.conftest import Bot, MakeBot

CHANNEL = "C0MLPULSE"
TRAINING = "sagemaker-training-job-state-change-completed"
HISTORY = ("channels:history", "groups:history")


class Killed(BaseException):
    """The process dies (SIGKILL) at this point."""


def job(bot: Bot, status: str = "Failed", at: str = "2018-10-06T12:00:00Z") -> dict[str, Any]:
    return bot.sample(
        TRAINING,
        {
            "id": f"scope-{status}-{at}",
            "time": at,
            "detail.TrainingJobName": "churn-xgb",
            "detail.TrainingJobStatus": status,
            "detail.SecondaryStatus": status,
        },
    )


def dies_after_posting(bot: Bot, monkeypatch: pytest.MonkeyPatch) -> None:
    """The bot's next post reaches Slack, then the process dies before it learns so."""
    post = bot.notifier.post

    def post_then_die(*args: Any, **kwargs: Any) -> Any:
        post(*args, **kwargs)
        raise Killed

    monkeypatch.setattr(bot.notifier, "post", post_then_die)


def crash_and_take_over(make_bot: MakeBot, monkeypatch: pytest.MonkeyPatch, bot: Bot) -> Bot:
    dies_after_posting(bot, monkeypatch)
    with pytest.raises(Killed):
        bot.deliver()
    survivor = make_bot()  # a new process on the same store
    survivor.run_for(61)  # the dead process's lease runs out
    return survivor


def unconfirmed(bot: Bot) -> float:
    value = bot.metrics.registry.get_sample_value(
        "mlpulse_events_unconfirmed_total", {"kind": "training_job"}
    )
    return value or 0.0


def parked(tmp_path: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(tmp_path / "mlpulse.db") as db:
        rows = db.execute("SELECT state, last_error FROM outbox WHERE state != 'pending'")
        return [(str(state), str(error)) for state, error in rows]


def test_a_root_cut_short_by_kill_9_is_not_posted_twice_and_the_operator_is_told(
    make_bot: MakeBot,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    first = make_bot()
    first.fake.revoke(*HISTORY)
    first.submit(job(first))

    with caplog.at_level(logging.ERROR, logger="bot.delivery.failures"):
        survivor = crash_and_take_over(make_bot, monkeypatch, first)

    (root,) = survivor.fake.roots(CHANNEL)  # once, not twice
    assert [c.answer for c in survivor.fake.calls("conversations.history")] == ["missing_scope"]
    assert survivor.store.pending_count() == 0
    assert parked(tmp_path) == [
        ("undeliverable", "unverifiable: missing_scope (needs channels:history)")
    ]
    assert unconfirmed(survivor) == 1
    health = survivor.slack_health()
    assert health["healthy"] and health["ok"]  # delivery works: a caveat, not an outage
    assert "channels:history" in health["detail"] and "at most once" in health["detail"]
    (line,) = [r.getMessage() for r in caplog.records if "cannot be looked up" in r.getMessage()]
    assert "training_job:123456789012:us-east-1:churn-xgb" in line
    assert "channels:history and groups:history" in line

    # The resource's next state finds no root on record: it gets a fresh one, and the
    # caveat stays on /readyz while posts go through.
    survivor.submit(job(survivor, "Completed", "2018-10-06T12:30:00Z"))
    survivor.run_for(2)
    fresh = [m for m in survivor.fake.roots(CHANNEL) if m.ts != root.ts]
    assert len(fresh) == 1 and "Completed" in fresh[0].all_text()
    assert "channels:history" in survivor.slack_health()["detail"]
    survivor.submit(job(survivor, "Stopped", "2018-10-06T12:40:00Z"))
    survivor.run_for(2)
    assert len(survivor.fake.roots(CHANNEL)) == 2  # later news edits the fresh root
    assert {c.args["ts"] for c in survivor.fake.calls("chat.update")} == {fresh[0].ts}


def test_a_thread_reply_cut_short_is_not_posted_twice_and_later_news_still_flows(
    make_bot: MakeBot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    first = make_bot()
    first.fake.revoke(*HISTORY)
    first.submit(job(first, "InProgress"))
    first.deliver()
    (root,) = first.fake.roots(CHANNEL)
    first.submit(job(first, "Completed", "2018-10-06T12:30:00Z"))

    survivor = crash_and_take_over(make_bot, monkeypatch, first)

    assert len(survivor.fake.replies(CHANNEL, root.ts)) == 1  # once, not twice
    assert [c.answer for c in survivor.fake.calls("conversations.replies")] == ["missing_scope"]
    assert unconfirmed(survivor) == 1
    assert [state for state, _ in parked(tmp_path)] == ["undeliverable"]
    survivor.submit(job(survivor, "Stopped", "2018-10-06T12:40:00Z"))
    survivor.run_for(2)
    assert len(survivor.fake.replies(CHANNEL, root.ts)) == 2
    assert len(survivor.fake.roots(CHANNEL)) == 1


def test_a_lost_answer_without_the_scopes_is_not_posted_again(bot: Bot) -> None:
    bot.fake.revoke(*HISTORY)
    bot.fake.fail("chat.postMessage", LostAnswer())
    bot.submit(job(bot))
    bot.run_for(10)

    assert len(bot.fake.roots(CHANNEL)) == 1
    assert [c.answer for c in bot.fake.calls("chat.postMessage")] == ["lost"]
    assert unconfirmed(bot) == 1
    assert bot.store.pending_count() == 0


def test_an_attempt_that_never_reached_slack_is_not_repeated_either(bot: Bot) -> None:
    """At most once: without the lookup a dropped post and a lost answer look alike. The
    alert is parked and counted; the resource's next state posts a fresh root."""
    bot.fake.revoke(*HISTORY)
    bot.fake.fail("chat.postMessage", Dropped())
    bot.submit(job(bot, "InProgress"))
    bot.run_for(10)
    assert bot.fake.roots(CHANNEL) == []
    assert unconfirmed(bot) == 1

    bot.submit(job(bot, "Completed", "2018-10-06T12:30:00Z"))
    bot.run_for(2)
    (root,) = bot.fake.roots(CHANNEL)
    assert "Completed" in root.all_text()


def test_with_the_scopes_refused_nothing_changes_until_an_attempt_is_cut_short(bot: Bot) -> None:
    bot.fake.revoke(*HISTORY)
    bot.submit(job(bot, "InProgress"))
    bot.deliver()
    bot.submit(job(bot, "Completed", "2018-10-06T12:30:00Z"))
    bot.deliver()

    assert len(bot.fake.messages()) == 2
    assert bot.fake.calls("conversations.history") == []
    assert bot.fake.calls("conversations.replies") == []
    assert bot.slack_health()["detail"] == "delivering"
    assert unconfirmed(bot) == 0


def test_a_digest_cut_short_is_posted_again_rather_than_hiding_its_burst(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    """A digest has no buttons and stands for a whole burst: of a lost copy and a second
    copy, the second is the lesser harm."""
    bot.fake.revoke(*HISTORY)
    news = [
        bot.sample(
            TRAINING,
            {
                "id": f"burst-{n}",
                "detail.TrainingJobName": f"hpo-{n:02d}",
                "detail.TrainingJobStatus": "InProgress",
            },
        )
        for n in range(3 + GROUP_AFTER + 2)
    ]
    bot.submit(*news)
    bot.deliver()  # the first three go at once, the rest are held back: a digest opens
    posted = len(bot.fake.calls("chat.postMessage"))
    bot.fake.fail("chat.postMessage", LostAnswer())
    with caplog.at_level(logging.WARNING, logger="bot.delivery.bursts"):
        bot.run_for(5)

    digests = [m for m in bot.fake.roots(CHANNEL) if "grouped in one message" in m.all_text()]
    assert len(digests) == 2
    assert len(bot.fake.calls("chat.postMessage")) == posted + 2
    assert any("posting it again" in r.getMessage() for r in caplog.records)
    assert not bot.store.dirty_digests()


# --- the notifier: which refusals are which


def test_a_refused_history_lookup_is_unverifiable_not_a_bad_token(bot: Bot) -> None:
    bot.fake.revoke("channels:history")
    with pytest.raises(NotifyError) as refused:
        bot.notifier.find_posted(CHANNEL, "1:root", None, 0.0)
    assert refused.value.failure == Failure.UNVERIFIABLE
    assert refused.value.detail == "missing_scope (needs channels:history)"


def test_a_refused_channel_listing_makes_the_lookup_unverifiable_too(bot: Bot) -> None:
    bot.fake.revoke("channels:read")
    with pytest.raises(NotifyError) as refused:
        bot.notifier.find_posted("#mlpulse", "1:root", None, 0.0)  # a name needs the list
    assert refused.value.failure == Failure.UNVERIFIABLE


def test_a_post_refused_for_a_scope_is_a_credentials_problem(bot: Bot) -> None:
    bot.fake.revoke("chat:write")
    with pytest.raises(NotifyError) as refused:
        bot.notifier.post(CHANNEL, {"text": "hello"}, None, "1:root")
    assert refused.value.failure == Failure.AUTH
    assert refused.value.detail == "missing_scope (needs chat:write)"


def test_the_start_up_check_warns_when_the_history_scopes_are_missing(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    notifier = SlackNotifier(DEFAULT_TOKEN, base_url=bot.fake.url)
    with caplog.at_level(logging.WARNING, logger="notifiers.slack"):
        notifier.check()
        assert caplog.records == [] and notifier.history_readable
        bot.fake.revoke("groups:history")
        assert notifier.check() == "mlpulse in mlpulse-test"
        assert not notifier.history_readable  # delivery marks no batch ahead (batches.py)
    (warning,) = caplog.records
    assert "groups:history" in warning.getMessage()
    assert "channels:history" not in warning.getMessage()


def test_a_429_is_retried_as_usual_without_the_scopes(bot: Bot) -> None:
    """Slack said plainly it took nothing: there is nothing to look up."""
    bot.fake.revoke(*HISTORY)
    bot.fake.fail("chat.postMessage", RateLimited(1), SlackError("invalid_blocks"))
    bot.submit(job(bot))
    bot.run_for(5)

    assert [c.answer for c in bot.fake.calls("chat.postMessage")] == [
        "ratelimited",
        "invalid_blocks",
        "ok",
    ]
    assert len(bot.fake.roots(CHANNEL)) == 1
    assert unconfirmed(bot) == 0


def test_a_root_recorded_before_the_crash_needs_no_lookup(
    make_bot: MakeBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The process dies right after recording the root: the root and the item's end are
    one write (bot.delivery.journal), so the survivor has nothing left to do or look up."""
    first = make_bot()
    first.fake.revoke(*HISTORY)
    first.submit(job(first))
    write = first.store.write

    def write_then_die(*args: Any, **kwargs: Any) -> None:
        write(*args, **kwargs)
        raise Killed

    monkeypatch.setattr(first.store, "write", write_then_die)
    with pytest.raises(Killed):
        first.deliver()
    monkeypatch.undo()

    survivor = make_bot()
    survivor.run_for(61)

    assert len(survivor.fake.messages()) == 1  # no reply saying the root again
    assert survivor.fake.calls("conversations.history") == []
    assert survivor.store.pending_count() == 0
    assert unconfirmed(survivor) == 0
