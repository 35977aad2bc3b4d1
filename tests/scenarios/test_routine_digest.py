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
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.store import Store
from bot.store.dynamodb.store import DynamoDBStore
from bot.store.sqlite.store import SqliteStore
from tests.fakes.moto import aws_client
from tests.fakes.moto_replicas import SerialDynamoMotoServer
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
