"""Issue 9's acceptance scenario: two real `mlpulse run` processes on one SQS queue and one
DynamoDB table (a moto server) post to a fake Slack. Every event is sent twice, some as
raw EventBridge events, some in SNS envelopes (both copies under one MessageId), and one
replica is killed with SIGKILL while it holds a delivery lease, mid-stream. Then every
resource has exactly one root message showing its final state, every state is in its
thread once, no post is made twice, and the survivor stops on SIGTERM within 10 s
(RELIABILITY B2, D3, D5, E2, G2).

Leases last MLPULSE_LEASE_SECONDS (3 s here, not 60) and the queue's visibility timeout is
5 s, so the dead replica's leased items and received-but-not-deleted messages come back
within the test. The pace is raised (config `slack.posts_per_second`) so that no resource
is folded into a burst digest: each must have a root message of its own.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.ingest import events_from
from bot.status import display_status
from bot.store.dynamodb import DynamoDBStore
from tests.fakes.moto_replicas import ACCESS_KEY, REGION, SECRET_KEY, SerialDynamoMotoServer
from tests.fakes.slack_api import DEFAULT_TOKEN, FakeSlack, Message
from tests.scenarios.conftest import sample, sns

TABLE = "mlpulse-replicas"
LEASE_S = 3
VISIBILITY_S = 5
RESOURCES = 40
KILL_AFTER_POSTS = 15  # Slack posts made before one replica is killed
CONFIG = """\
default_channel: "#mlpulse"
routes:
  - match: {kind: training_job}
    channel: "#ml-alerts"
slack:
  posts_per_second: 50
  burst: 50
"""
_PROXIES = ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy")


# --- the events: 40 resources, 2 or 3 states each, each state sent twice ------------------


@dataclass(frozen=True)
class Resource:
    name: str
    key: str
    channel: str  # the fake's channel id
    states: tuple[dict[str, Any], ...]  # EventBridge events, oldest first

    @property
    def final_status(self) -> str:
        (event,) = events_from(self.states[-1], datetime.now(UTC))
        return event.status


def _stamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def training_job(index: int, start: datetime) -> Resource:
    name = f"rep-train-{index:02d}"
    arn = f"arn:aws:sagemaker:us-east-1:123456789012:training-job/{name}"
    final = "Failed" if index % 4 == 0 else "Completed"
    states = []
    for step, status in enumerate(("InProgress", final)):
        changes: dict[str, Any] = {
            "id": f"{name}-{step}",
            "time": _stamp(start + timedelta(minutes=10 * step)),
            "resources.0": arn,
            "detail.TrainingJobName": name,
            "detail.TrainingJobArn": arn,
            "detail.TrainingJobStatus": status,
            "detail.SecondaryStatus": "Training" if status == "InProgress" else status,
        }
        if status == "Failed":
            changes["detail.FailureReason"] = "AlgorithmError: out of memory"
        states.append(sample("sagemaker-training-job-state-change-completed", changes))
    return _resource(name, "C0ALERTS", states)


def execution(index: int, start: datetime) -> Resource:
    name = f"rep-sfn-{index:02d}"
    arn = f"arn:aws:states:us-east-1:123456789012:execution:nightly-train:{name}"
    final = ("succeeded", "failed", "timed-out")[index % 3]
    states = []
    for step, fixture in enumerate(("running", final)):
        changes = {
            "id": f"{name}-{step}",
            "time": _stamp(start + timedelta(minutes=5 * step)),
            "resources.0": arn,
            "detail.executionArn": arn,
            "detail.name": name,
        }
        states.append(sample(f"stepfunctions-execution-status-change-{fixture}", changes))
    return _resource(name, "C0MLPULSE", states)


def alarm(index: int, start: datetime) -> Resource:
    """ALARM, OK, and for every other alarm ALARM again: incidents open, resolve, reopen."""
    name = f"rep-alarm-{index:02d}"
    values = ("ALARM", "OK", "ALARM") if index % 2 else ("ALARM", "OK")
    states = []
    previous = "OK"
    for step, value in enumerate(values):
        at = start + timedelta(minutes=7 * step)
        changes = {
            "id": f"{name}-{step}",
            "time": _stamp(at),
            "resources.0": f"arn:aws:cloudwatch:us-east-1:123456789012:alarm:{name}",
            "detail.alarmName": name,
            "detail.state.value": value,
            "detail.state.timestamp": at.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "detail.previousState.value": previous,
        }
        states.append(sample("cloudwatch-alarm-state-change-single-metric", changes))
        previous = value
    return _resource(name, "C0MLPULSE", states)


def _resource(name: str, channel: str, states: list[dict[str, Any]]) -> Resource:
    keys = {event.key for state in states for event in events_from(state, datetime.now(UTC))}
    (key,) = keys  # every state is news of the same resource
    return Resource(name, key, channel, tuple(states))


def resources(start: datetime) -> list[Resource]:
    makers: tuple[Callable[[int, datetime], Resource], ...] = (training_job, execution, alarm)
    return [
        makers[index % 3](index, start + timedelta(seconds=index)) for index in range(RESOURCES)
    ]


def copies(resource: Resource, step: int) -> tuple[str, str]:
    """The two SQS bodies of one state: both raw, both the same SNS notification (one
    MessageId), or one of each, as SNS fan-out and redelivery produce them."""
    state = resource.states[step]
    raw = json.dumps(state)
    enveloped = json.dumps(sns(state, f"sns-{resource.name}-{step}"))
    mode = (int(resource.name[-2:]) + step) % 3
    return ((raw, raw), (enveloped, enveloped), (raw, enveloped))[mode]


def stream(all_resources: list[Resource], seed: int = 9) -> tuple[list[str], list[str]]:
    """The SQS bodies in sending order, split where the replica is killed.

    State n of every resource goes out in wave n (shuffled), with the second copy of half
    of them; the other second copies come one wave later. The kill falls inside wave 1."""
    rng = random.Random(seed)
    waves: list[list[str]] = [[] for _ in range(4)]
    for resource in all_resources:
        for step in range(len(resource.states)):
            first, second = copies(resource, step)
            waves[step].append(first)
            waves[step + rng.randrange(2)].append(second)
    for wave in waves:
        rng.shuffle(wave)
    middle = len(waves[1]) // 2
    return waves[0] + waves[1][:middle], waves[1][middle:] + waves[2] + waves[3]


# --- the processes -----------------------------------------------------------------------


@dataclass
class Replica:
    process: subprocess.Popen[bytes]
    log: Path

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.text().splitlines()[-lines:])


def start_replica(name: str, env: dict[str, str], cwd: Path) -> Replica:
    log = cwd / f"{name}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run"],
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    return Replica(process, log)


def wait_until(what: str, ready: Callable[[], bool], timeout: float, why: Callable[[], str]) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout:g} s\n{why()}")
        time.sleep(0.05)


def send(sqs: Any, queue_url: str, bodies: list[str]) -> None:
    for start in range(0, len(bodies), 10):
        entries = [
            {"Id": str(index), "MessageBody": body}
            for index, body in enumerate(bodies[start : start + 10])
        ]
        answer = sqs.send_message_batch(QueueUrl=queue_url, Entries=entries)
        assert not answer.get("Failed"), answer["Failed"]


def messages_left(sqs: Any, queue_url: str) -> int:
    """Visible plus in-flight messages: what no replica has deleted yet."""
    attributes = sqs.get_queue_attributes(
        QueueUrl=queue_url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(
        attributes["ApproximateNumberOfMessagesNotVisible"]
    )


def holds_lease(dynamodb: Any, pid: int) -> bool:
    """Whether the replica with this pid holds a live lease on an outbox item: it is in the
    middle of delivering it."""
    params: dict[str, Any] = {
        "TableName": TABLE,
        "FilterExpression": "contains(lease_owner, :pid) AND lease_until > :now",
        "ExpressionAttributeValues": {":pid": {"S": f":{pid}:"}, ":now": {"N": str(time.time())}},
        "Select": "COUNT",
    }
    while True:
        answer = dynamodb.scan(**params)
        if answer.get("Count"):
            return True
        if not answer.get("LastEvaluatedKey"):
            return False
        params["ExclusiveStartKey"] = answer["LastEvaluatedKey"]


def post_markers(slack: FakeSlack) -> Counter[str]:
    """chat.postMessage calls that Slack carried out, by the marker mlpulse gave them."""
    found: Counter[str] = Counter()
    for call in slack.calls("chat.postMessage"):
        if call.answer in ("ok", "lost"):
            metadata = call.args.get("metadata") or {}
            found[str((metadata.get("event_payload") or {}).get("marker"))] += 1
    return found


# --- the scenario ------------------------------------------------------------------------


@pytest.fixture
def moto() -> Iterator[SerialDynamoMotoServer]:
    server = SerialDynamoMotoServer()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def slack(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSlack]:
    for name in _PROXIES:
        monkeypatch.delenv(name, raising=False)
    with FakeSlack() as fake:
        yield fake


def test_two_replicas_post_each_resource_once_when_one_is_killed(
    tmp_path: Path, moto: SerialDynamoMotoServer, slack: FakeSlack
) -> None:
    sqs, dynamodb = moto.client("sqs"), moto.client("dynamodb")
    store = DynamoDBStore(TABLE, client=dynamodb)  # creates the table the replicas share
    queue_url = str(
        sqs.create_queue(
            QueueName="mlpulse-events", Attributes={"VisibilityTimeout": str(VISIBILITY_S)}
        )["QueueUrl"]
    )
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    everything = resources(start)
    before_kill, after_kill = stream(everything)
    (tmp_path / "mlpulse.yaml").write_text(CONFIG, encoding="utf-8")
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("AWS_", "MLPULSE_", "SLACK_")) and name not in _PROXIES
    }
    env.update(
        MLPULSE_STORE=f"dynamodb://{TABLE}",
        MLPULSE_SQS_QUEUE_URLS=queue_url,
        MLPULSE_CONFIG=str(tmp_path / "mlpulse.yaml"),
        MLPULSE_SLACK_API_URL=slack.url,
        MLPULSE_PORT="0",
        MLPULSE_LEASE_SECONDS=str(LEASE_S),
        SLACK_BOT_TOKEN=DEFAULT_TOKEN,
        AWS_ENDPOINT_URL=moto.url,
        AWS_DEFAULT_REGION=REGION,
        AWS_ACCESS_KEY_ID=ACCESS_KEY,
        AWS_SECRET_ACCESS_KEY=SECRET_KEY,
        NO_PROXY="127.0.0.1,localhost",
    )
    victim = start_replica("replica-a", env, tmp_path)
    survivor = start_replica("replica-b", env, tmp_path)
    replicas = (victim, survivor)

    def logs() -> str:
        with (tmp_path / "slack-calls.txt").open("w") as out:  # DEBUG
            for c in slack.calls():
                md = (c.args.get("metadata") or {}).get("event_payload", {}).get("marker")
                out.write(f"{c.at:.3f} {c.method} {c.answer} {c.args.get('channel')} {md} {c.args.get('thread_ts')}\n")
        return "\n".join(f"--- {r.log.name}\n{r.tail()}" for r in replicas)

    try:
        for replica in replicas:
            wait_until(
                f"{replica.log.name} listening",
                lambda r=replica: "listening on" in r.text() or r.process.poll() is not None,
                30,
                logs,
            )
            assert replica.process.poll() is None, logs()

        # The first part of the stream; the kill once posts flow and the victim is mid-delivery.
        send(sqs, queue_url, before_kill)
        wait_until(
            f"{KILL_AFTER_POSTS} posts",
            lambda: len(slack.calls("chat.postMessage")) >= KILL_AFTER_POSTS,
            30,
            logs,
        )
        pid = victim.process.pid
        wait_until("the victim holding a lease", lambda: holds_lease(dynamodb, pid), 20, logs)
        assert victim.process.poll() is None, logs()
        victim.process.send_signal(signal.SIGKILL)
        assert victim.process.wait(timeout=10) == -signal.SIGKILL
        posts_at_kill = len(slack.calls("chat.postMessage"))

        send(sqs, queue_url, after_kill)

        def settled() -> bool:
            # In this order: an empty queue means every event is in the store.
            return (
                messages_left(sqs, queue_url) == 0
                and store.pending_count() == 0
                and not store.dirty_digests()
            )

        wait_until("queue and outbox empty", settled, 45, logs)
        assert survivor.process.poll() is None, logs()

        stopping = time.monotonic()
        survivor.process.send_signal(signal.SIGTERM)
        assert survivor.process.wait(timeout=10) == 0, logs()
        assert time.monotonic() - stopping < 10
    finally:
        for replica in replicas:
            if replica.process.poll() is None:
                replica.process.kill()
                replica.process.wait(timeout=10)
        store.close()

    messages = slack.messages()
    logs()  # DEBUG
    with (tmp_path / "messages.txt").open("w") as out:  # DEBUG
        for m in messages:
            out.write(f"{m.channel} {m.ts} {m.thread_ts} {m.marker} {m.all_text()[:150]!r}\n")
    assert posts_at_kill < len(messages), "the kill came after the last post, not mid-stream"

    # No post was made twice: every marker reached Slack once (a retry found it instead).
    twice = {marker: n for marker, n in post_markers(slack).items() if n > 1}
    assert not twice, f"posted more than once: {twice}"
    shown = Counter(message.marker for message in messages)
    assert None not in shown, "a message without an mlpulse marker"
    assert max(shown.values()) == 1, {m: n for m, n in shown.items() if n > 1}
    assert not [m for m in shown if str(m).startswith("digest:")], "a resource was folded"

    # Exactly one root message per resource, none missing, each showing the final state.
    roots = [message for message in messages if message.is_root]
    for resource in everything:
        mentioned = re.compile(rf"(?<![\w-]){re.escape(resource.name)}(?![\w-])")
        own = [root for root in roots if mentioned.search(root.all_text())]
        assert len(own) == 1, f"{resource.name}: {len(own)} root messages"
        (root,) = own
        assert root.channel == resource.channel
        assert display_status(resource.final_status) in root.all_text(), resource.name
        replies = replies_of(messages, root)
        events = Counter(str(m.marker).rsplit(":", 1)[-1] for m in replies)
        assert events["reply"] == len(resource.states) - 1, (resource.name, events)
    assert len(roots) == len(everything)

    # The store agrees with Slack: each resource's root is the message found there.
    check = DynamoDBStore(TABLE, client=moto.client("dynamodb"))
    try:
        by_ts = {(root.channel, root.ts): root for root in roots}
        for resource in everything:
            stored = check.root(resource.key)
            assert stored is not None and stored.digest_id is None, resource.name
            assert (stored.channel, stored.ts) in by_ts, resource.name
            assert stored.event.status == resource.final_status, resource.name
    finally:
        check.close()


def replies_of(messages: list[Message], root: Message) -> list[Message]:
    return [m for m in messages if m.channel == root.channel and m.thread_ts == root.ts and not m.is_root]
