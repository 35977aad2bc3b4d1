"""A route's routine activity in the channel's digest of the day (`routine: digest`), end to
end through the real pipeline, store and delivery into the fake Slack: a routine new
resource is a line of one digest, posted once and edited as its members change; a member
that fails leaves it for a message of its own, with its incident; a route that keeps the
default (`routine: message`) still posts a message per resource, even right after a fold.
Each test runs on SQLite and on DynamoDB (a moto server): the day's window, the capacity and
the members are the store's to keep.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.delivery.bursts import SENDING_S
from bot.delivery.worker import Deliverer
from bot.ops.health import Health
from bot.ops.telemetry import Metrics
from bot.store import Store
from bot.store.dynamodb.store import DynamoDBStore
from bot.store.sqlite.store import SqliteStore
from notifiers.base import Notifier
from notifiers.slack import SlackNotifier
from tests.fakes.moto import aws_client
from tests.fakes.moto_replicas import SerialDynamoMotoServer
from tests.fakes.slack_api import DEFAULT_TOKEN
from tests.goldens import slack_problems
from tests.scenarios.conftest import Bot, MakeBot

CHANNEL = "C0MLPULSE"
DIGEST_ROUTE = {"match": {"kind": ["training_job"]}, "routine": "digest"}


@pytest.fixture(scope="module")
def dynamo_url() -> Iterator[str]:
    server = SerialDynamoMotoServer()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", "dynamodb"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    opened: Store
    if request.param == "sqlite":
        opened = SqliteStore(str(tmp_path / "mlpulse.db"))
    else:
        client = aws_client("dynamodb", request.getfixturevalue("dynamo_url"))
        opened = DynamoDBStore(f"t-{uuid.uuid4().hex}", client=client)
    yield opened
    opened.close()


def job(name: str, status: str, n: int) -> dict[str, Any]:
    return Bot.sample(
        "sagemaker-training-job-state-change-completed",
        {
            "id": f"routine-{n}",
            "detail.TrainingJobName": name,
            "detail.TrainingJobStatus": status,
            "detail.SecondaryStatus": "Failed" if status == "Failed" else status,
            "detail.FailureReason": "AlgorithmError: exit code 1" if status == "Failed" else None,
        },
    )


def endpoint(n: int) -> dict[str, Any]:
    return Bot.sample("sagemaker-endpoint-state-change-in-service", {"id": f"endpoint-{n}"})


def test_routine_runs_are_lines_of_one_digest_edited_as_they_change(make_bot: MakeBot) -> None:
    bot = make_bot(routes=[DIGEST_ROUTE])
    bot.submit(job("churn-0300", "InProgress", 1))
    bot.run_for(1)
    bot.clock.advance(3 * 3600)  # hours apart: not a burst, still the same day's digest
    bot.submit(job("churn-0600", "InProgress", 2))
    bot.run_for(1)
    bot.submit(job("churn-0300", "Completed", 3), job("churn-0600", "Completed", 4))
    bot.run_for(15)  # a digest is edited at most every 10 s

    (digest,) = bot.fake.roots(CHANNEL)
    text = digest.all_text()
    assert "2 resources grouped in one message" in text
    assert "`churn-0300` — Completed" in text and "`churn-0600` — Completed" in text
    assert bot.fake.replies(CHANNEL, digest.ts) == []  # lines, not threads
    assert not [c for c in bot.fake.calls("chat.postMessage") if c.ok][1:]  # one post
    assert bot.store.pending_count() == 0


def test_a_member_that_fails_leaves_the_digest_for_a_message_with_its_incident(
    make_bot: MakeBot,
) -> None:
    bot = make_bot(routes=[DIGEST_ROUTE])
    bot.submit(job("churn-0300", "InProgress", 1), job("churn-0600", "InProgress", 2))
    bot.run_for(1)
    bot.submit(job("churn-0600", "Failed", 3))
    bot.run_for(15)

    digest, failure = bot.fake.roots(CHANNEL)
    assert "1 resource grouped" in digest.all_text() and "churn-0600" not in digest.all_text()
    assert "churn-0600" in failure.all_text() and "exit code 1" in failure.all_text()
    assert "Acknowledge" in failure.all_text()
    assert bot.store.incident_for_key(bot.events(job("churn-0600", "Failed", 3))[0].key)


def test_a_route_that_keeps_messages_is_not_folded_after_a_routine_fold(make_bot: MakeBot) -> None:
    """The day's digest is no burst: the next alert of another route, held a moment by the
    channel's pace, waits for its own message instead of joining the digest."""
    bot = make_bot(routes=[DIGEST_ROUTE], slack={"burst": 1})
    bot.submit(job("churn-0300", "InProgress", 1))
    bot.deliver()
    bot.submit(endpoint(1))
    bot.run_for(3)

    digest, alert = bot.fake.roots(CHANNEL)
    assert "grouped in one message" in digest.all_text()
    assert "grouped" not in alert.all_text() and "Endpoint" in alert.all_text()


def test_the_day_digest_stays_one_message_once_the_channel_id_is_known(
    make_bot: MakeBot,
) -> None:
    """Routes name the channel (`#mlpulse`); Slack answers with its id, which this process
    learns from its first post of an alert. The day's digest is found again by the route's
    name, as another replica or a restarted process (which know no ids) would find it."""
    bot = make_bot(routes=[DIGEST_ROUTE])
    bot.submit(job("churn-0300", "InProgress", 1))
    bot.run_for(1)
    bot.submit(endpoint(1))  # an alert of its own: the channel's id is known from here on
    bot.run_for(2)
    bot.clock.advance(3 * 3600)
    bot.submit(job("churn-0600", "InProgress", 2))
    bot.run_for(15)

    digest, alert = bot.fake.roots(CHANNEL)
    assert "Endpoint" in alert.all_text()
    assert "2 resources grouped" in digest.all_text() and "churn-0600" in digest.all_text()


def test_a_member_failing_on_a_route_without_incidents_still_gets_a_message(
    make_bot: MakeBot,
) -> None:
    """`incident: false` keeps the failure from opening an incident, not from being seen:
    a failure is never routine (as when it is a resource's first event), so it leaves the
    day's digest for a message of its own, with its thread."""
    bot = make_bot(routes=[{**DIGEST_ROUTE, "incident": False}])
    bot.submit(job("churn-0300", "InProgress", 1), job("churn-0600", "InProgress", 2))
    bot.run_for(1)
    bot.submit(job("churn-0600", "Failed", 3))
    bot.run_for(15)

    digest, failure = bot.fake.roots(CHANNEL)
    assert "1 resource grouped" in digest.all_text() and "churn-0600" not in digest.all_text()
    assert "churn-0600" in failure.all_text() and "exit code 1" in failure.all_text()
    assert "Acknowledge" not in failure.all_text()  # no incident, as the route says
    assert bot.store.unresolved_incidents() == []


@pytest.fixture
def twin(store: Store, request: pytest.FixtureRequest) -> Iterator[Store]:
    """A second store object on the same data, as another replica has."""
    opened: Store
    if isinstance(store, SqliteStore):
        opened = SqliteStore(store.path)
    else:
        assert isinstance(store, DynamoDBStore)
        client = aws_client("dynamodb", request.getfixturevalue("dynamo_url"))
        opened = DynamoDBStore(store.table, client=client)
    yield opened
    opened.close()


def replica(bot: Bot, store: Store) -> Deliverer:
    """Another replica on the bot's data, with its own Slack client and channel ids."""
    notifier = SlackNotifier(DEFAULT_TOKEN, base_url=bot.fake.url)
    return Deliverer(store, notifier, bot.clock, bot.config, Metrics(), Health())


def during_digest_post(
    monkeypatch: pytest.MonkeyPatch, notifier: Notifier, then: Callable[[], None]
) -> None:
    """`then` runs as `notifier` posts a digest: after the members were read, before the
    post is recorded. Once."""
    post = notifier.post
    done: list[bool] = []

    def posting(channel: str, payload: Any, thread_ts: Any = None, marker: Any = None) -> Any:
        if marker and marker.startswith("digest:") and not done:
            done.append(True)
            then()
        return post(channel, payload, thread_ts, marker)

    monkeypatch.setattr(notifier, "post", posting)


def runs(first: int, last: int) -> list[dict[str, Any]]:
    return [job(f"churn-{n:02d}", "InProgress", n) for n in range(first, last)]


def test_runs_another_replica_folds_while_the_digest_is_posted_reach_its_message(
    make_bot: MakeBot, twin: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Replica one reads the digest's members and posts it; meanwhile replica two folds
    more runs into it (its own post of the digest waits for the channel's pace). Recording
    the post must not clear the mark of the runs it did not show."""
    bot = make_bot(routes=[DIGEST_ROUTE])
    other = replica(bot, twin)
    other.pacer.rate_limited("#mlpulse", bot.clock.now().timestamp() + 5)

    def fold_elsewhere() -> None:
        bot.submit(*runs(6, 12))
        other.run_once()

    during_digest_post(monkeypatch, bot.notifier, fold_elsewhere)
    bot.submit(*runs(0, 6))
    bot.run_for(15)

    (digest,) = bot.fake.roots(CHANNEL)
    assert "12 resources grouped" in digest.all_text()
    assert bot.store.pending_count() == 0


def test_a_digest_another_replica_is_posting_is_left_to_it(
    make_bot: MakeBot, twin: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Replica one marks the digest in flight and posts it; meanwhile replica two refreshes
    the same dirty digest. It must leave it (the mark is one replica's at a time): before,
    it looked the post up, found nothing yet, and posted a second copy."""
    bot = make_bot(routes=[DIGEST_ROUTE])
    other = replica(bot, twin)
    during_digest_post(monkeypatch, bot.notifier, other.run_once)
    bot.submit(*runs(0, 6))

    bot.run_for(15)
    for _ in range(8):
        bot.clock.advance(0.25)
        other.run_once()

    digests = [m for m in bot.fake.roots(CHANNEL) if "grouped in one message" in m.all_text()]
    assert len(digests) == 1
    assert "6 resources grouped" in digests[0].all_text()
    assert not bot.store.dirty_digests()


def test_a_digest_found_posted_by_an_earlier_attempt_is_edited_to_its_members(
    make_bot: MakeBot, twin: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Replica one posts the digest and dies before recording it; replica two folds more
    runs, finds the post by its marker, and must edit it: it shows replica one's members."""
    bot = make_bot(routes=[DIGEST_ROUTE])
    other = replica(bot, twin)

    class Died(Exception):
        pass

    def die() -> None:
        raise Died

    post = bot.notifier.post

    def post_then_die(channel: str, payload: Any, thread_ts: Any = None, marker: Any = None) -> Any:
        post(channel, payload, thread_ts, marker)
        die()

    monkeypatch.setattr(bot.notifier, "post", post_then_die)
    bot.submit(*runs(0, 6))
    with pytest.raises(Died):
        bot.deliverer.run_once()
    bot.submit(*runs(6, 12))
    # The dead replica's mark on the digest keeps the other off it until it runs out.
    for _ in range(int(SENDING_S / 0.25) + 60):
        bot.clock.advance(0.25)
        other.run_once()

    (digest,) = bot.fake.roots(CHANNEL)
    assert "12 resources grouped" in digest.all_text()
    assert twin.pending_count() == 0


def test_a_line_another_replica_refreshes_while_it_changes_shows_its_new_state(
    make_bot: MakeBot, twin: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Replica one absorbs a run's completion into its line; replica two edits the digest
    just before the new state is written. The digest is marked after the write, so the
    completion is not left off the message."""
    bot = make_bot(routes=[DIGEST_ROUTE])
    other = replica(bot, twin)
    bot.submit(*runs(0, 2))
    bot.deliver()
    bot.clock.advance(11)
    journal = bot.deliverer.journal
    write = journal.advance_state
    done: list[bool] = []

    def refresh_elsewhere_first(*args: Any, **kwargs: Any) -> bool:
        if not done:
            done.append(True)
            other.run_once()
        return write(*args, **kwargs)

    monkeypatch.setattr(journal, "advance_state", refresh_elsewhere_first)
    bot.submit(job("churn-00", "Completed", 100))
    bot.run_for(15)

    assert done
    (digest,) = bot.fake.roots(CHANNEL)
    assert "`churn-00` — Completed" in digest.all_text()


def test_a_line_that_leaves_while_another_replica_refreshes_is_gone_from_the_digest(
    make_bot: MakeBot, twin: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run fails: replica one posts its message; replica two edits the digest while that
    post is under way, still showing the run as a line. The line goes once the run's
    message is recorded."""
    bot = make_bot(routes=[DIGEST_ROUTE])
    other = replica(bot, twin)
    bot.submit(*runs(0, 2))
    bot.deliver()
    bot.clock.advance(11)
    post = bot.notifier.post
    done: list[bool] = []

    def refresh_elsewhere_first(
        channel: str, payload: Any, thread_ts: Any = None, marker: Any = None
    ) -> Any:
        if marker and marker.endswith(":root") and not done:
            done.append(True)
            other.run_once()
        return post(channel, payload, thread_ts, marker)

    monkeypatch.setattr(bot.notifier, "post", refresh_elsewhere_first)
    bot.submit(job("churn-00", "Failed", 100))
    bot.run_for(15)

    assert done
    digest, failure = bot.fake.roots(CHANNEL)
    assert "churn-00" in failure.all_text()
    assert "1 resource grouped" in digest.all_text() and "churn-00" not in digest.all_text()


def test_a_day_past_a_digests_capacity_opens_another_and_both_keep_within_slack_limits(
    make_bot: MakeBot, store: Store
) -> None:
    """230 routine runs over a day: the first 200 are lines of one digest, the rest of a
    second; each message counts all of its members, lists the newest (fewer than 25 when
    names are long) and says how many more there are."""
    if isinstance(store, DynamoDBStore):
        pytest.skip("DynamoDB's capacity count is the contract suite's (tests/unit/store)")
    bot = make_bot(routes=[DIGEST_ROUTE])
    for hour in range(23):  # ten runs an hour, with long names
        bot.submit(
            *(
                job(f"nightly-{n:03d}-" + "x" * 80, "InProgress", n)
                for n in range(hour * 10, hour * 10 + 10)
            )
        )
        bot.deliver()
        bot.clock.advance(3600)
    bot.run_for(15)

    first, second = bot.fake.roots(CHANNEL)
    assert "200 resources grouped" in first.all_text()
    assert "30 resources grouped" in second.all_text()
    for digest, count in ((first, 200), (second, 30)):  # what the lines leave out is said
        listed = digest.all_text().count("`nightly-")
        assert 10 <= listed <= 25 and f"…and {count - listed} more." in digest.all_text()
    payloads = [{"text": m.text, "blocks": m.blocks} for m in (first, second)]
    assert slack_problems(payloads) == []
    assert bot.store.pending_count() == 0


def test_a_digest_whose_members_all_left_before_it_was_posted_posts_nothing(
    make_bot: MakeBot,
) -> None:
    """A run that starts and fails while the channel's pace holds the digest back leaves it
    empty: no "0 resources" message; the next routine run posts it."""
    bot = make_bot(routes=[DIGEST_ROUTE], slack={"burst": 1})
    bot.submit(endpoint(1))
    bot.deliver()  # the channel's one post for now
    bot.submit(job("churn-0300", "InProgress", 1))
    bot.deliver()  # a line of a digest the pace holds back
    bot.submit(job("churn-0300", "Failed", 2))
    bot.run_for(5)
    texts = [root.all_text() for root in bot.fake.roots(CHANNEL)]
    assert len(texts) == 2 and "churn-0300" in texts[1]
    assert not any("grouped" in text for text in texts)

    bot.submit(job("churn-0600", "InProgress", 3))
    bot.run_for(5)
    digest = bot.fake.roots(CHANNEL)[-1].all_text()
    assert "1 resource grouped" in digest and "churn-0600" in digest


def test_a_routine_run_behind_an_alert_in_one_pass_is_folded_not_leased_ahead(
    make_bot: MakeBot,
) -> None:
    """Delivery leases the items it can send now in one write (bot.delivery.batches); a
    routine first event behind them is the digest's, never leased and marked as a post."""
    bot = make_bot(routes=[DIGEST_ROUTE])
    bot.submit(endpoint(1), job("churn-0300", "InProgress", 1))
    bot.deliver()
    assert bot.store.pending_count() == 0
    alert, digest = bot.fake.roots(CHANNEL)
    assert "Endpoint" in alert.all_text() and "churn-0300" in digest.all_text()
