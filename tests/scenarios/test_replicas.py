"""Issue 9's acceptance scenario: two real `mlpulse run` processes on one SQS queue and one
DynamoDB table (a moto server) post to a fake Slack. Every event is sent twice, some as
raw EventBridge events, some in SNS envelopes (both copies under one MessageId), and one
replica is killed with SIGKILL mid-stream, while one of its posts is in flight. Then every
resource has exactly one root message showing its final state, every state is in its
thread once, no post is made twice, and the survivor stops on SIGTERM within 10 s
(RELIABILITY B2, D3, D5, E2, G2).

Leases last MLPULSE_LEASE_SECONDS (3 s here, not 60) and the queue's visibility timeout is
5 s, so the dead replica's leased items and received-but-not-deleted messages come back
within the test. The pace is raised (config `slack.posts_per_second`) so that no resource
is folded into a burst digest: each must have a root message of its own.

The in-process tests below kill a replica at each step of a delivery instead (a store or
Slack call returns, then the "process" dies), and let the other replica take over once
the lease runs out: from a fresh list, and from the list its pass read before the death.
"""

from __future__ import annotations

import json
import random
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pytest

from bot.config.models import Config
from bot.core.clock import FakeClock
from bot.core.outcomes import display_status
from bot.delivery.journal import HOLD_S
from bot.delivery.worker import Deliverer
from bot.ingress.ingest import events_from
from bot.intake.accept import Pipeline
from bot.ops.health import Health
from bot.ops.telemetry import Metrics
from bot.store import OutboxItem, Store
from bot.store.dynamodb.store import DynamoDBStore
from notifiers.base import Notifier
from notifiers.slack import SlackNotifier
from tests.fakes.moto import messages_left, send_all
from tests.fakes.moto_replicas import ACCESS_KEY, REGION, SECRET_KEY, SerialDynamoMotoServer
from tests.fakes.slack_api import DEFAULT_TOKEN, FakeSlack, Message
from tests.scenarios.conftest import sample, sns
from tests.scenarios.processes import run_env, wait_until, without_proxies

LEASE_S = 3
VISIBILITY_S = 5
RESOURCES = 40
KILL_AFTER_POSTS = 15  # Slack posts made before one replica is killed
POST_DELAY_S = 1.5  # how long a post takes while the test waits to catch one in flight
CONFIG = """\
default_channel: "#mlpulse"
routes:
  - match: {kind: training_job}
    channel: "#ml-alerts"
slack:
  posts_per_second: 50
  burst: 50
"""


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

    def started(self) -> bool:
        """Listening, or gone (which the caller then reports)."""
        return "listening on" in self.text() or self.process.poll() is not None

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


def posting(dynamodb: Any, table: str, pid: int) -> list[int]:
    """The outbox items that the replica with this pid holds a live lease on and has marked
    in flight: it is posting them."""
    params: dict[str, Any] = {
        "TableName": table,
        "FilterExpression": "contains(lease_owner, :pid) AND lease_until > :now"
        " AND in_flight = :yes",
        "ExpressionAttributeValues": {
            ":pid": {"S": f":{pid}:"},  # the owner id is host:pid:random
            ":now": {"N": str(time.time())},
            ":yes": {"BOOL": True},
        },
        "ProjectionExpression": "id",
    }
    found: list[int] = []
    while True:
        answer = dynamodb.scan(**params)
        found += [int(item["id"]["N"]) for item in answer.get("Items", [])]
        if not answer.get("LastEvaluatedKey"):
            return found
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


class SlowSlack(FakeSlack):
    """The fake Slack, whose chat.postMessage takes `post_delay` seconds when it is set: the
    message is stored once the delay is over, whether the poster still waits or not."""

    post_delay = 0.0

    def handle(self, method: str, args: dict[str, Any], token: str | None) -> Any:
        if method == "chat.postMessage" and self.post_delay:
            time.sleep(self.post_delay)
        return super().handle(method, args, token)


@pytest.fixture(scope="module")
def moto() -> Iterator[SerialDynamoMotoServer]:
    server = SerialDynamoMotoServer()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def slack(monkeypatch: pytest.MonkeyPatch) -> Iterator[SlowSlack]:
    without_proxies(monkeypatch)
    fake = SlowSlack()
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()


def test_two_replicas_post_each_resource_once_when_one_is_killed(
    tmp_path: Path, moto: SerialDynamoMotoServer, slack: SlowSlack
) -> None:
    sqs, dynamodb = moto.client("sqs"), moto.client("dynamodb")
    table = f"mlpulse-replicas-{uuid.uuid4().hex[:8]}"
    store = DynamoDBStore(table, client=dynamodb)  # creates the table the replicas share
    queue_url = str(
        sqs.create_queue(
            # moto's state is per process, shared with other modules' servers: a name of its own
            QueueName=f"{table}-events",
            Attributes={"VisibilityTimeout": str(VISIBILITY_S)},
        )["QueueUrl"]
    )
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    everything = resources(start)
    before_kill, after_kill = stream(everything)
    (tmp_path / "mlpulse.yaml").write_text(CONFIG, encoding="utf-8")
    env = run_env(
        tmp_path,
        store=f"dynamodb://{table}",
        queue_url=queue_url,
        slack_url=slack.url,
        aws_url=moto.url,
        region=REGION,
        credentials=(ACCESS_KEY, SECRET_KEY),
        LEASE_SECONDS=str(LEASE_S),
    )
    victim = start_replica("replica-a", env, tmp_path)
    survivor = start_replica("replica-b", env, tmp_path)
    replicas = (victim, survivor)

    def logs() -> str:
        return "\n".join(f"--- {r.log.name}\n{r.tail()}" for r in replicas)

    try:
        for replica in replicas:
            wait_until(f"{replica.log.name} listening", replica.started, 30, logs)
            assert replica.process.poll() is None, logs()

        # The first part of the stream. Once posts flow, Slack slows down so that a post is
        # seen in flight, and the victim is killed while one of its posts is: Slack then
        # carries it out, but the victim never learns its ts nor marks the item done.
        send_all(sqs, queue_url, before_kill)
        wait_until(
            f"{KILL_AFTER_POSTS} posts",
            lambda: len(slack.calls("chat.postMessage")) >= KILL_AFTER_POSTS,
            30,
            logs,
        )
        slack.post_delay = POST_DELAY_S
        caught: list[int] = []

        def victim_posting() -> bool:
            caught[:] = posting(dynamodb, table, victim.process.pid)
            return bool(caught)

        wait_until("a post of the victim in flight", victim_posting, 20, logs)
        assert victim.process.poll() is None, logs()
        victim.process.send_signal(signal.SIGKILL)
        assert victim.process.wait(timeout=10) == -signal.SIGKILL
        slack.post_delay = 0.0
        posts_at_kill = len(slack.calls("chat.postMessage"))

        send_all(sqs, queue_url, after_kill)

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
    assert posts_at_kill < len(messages), "the kill came after the last post, not mid-stream"

    # No post was made twice: every marker reached Slack once (a retry found it instead).
    twice = {marker: n for marker, n in post_markers(slack).items() if n > 1}
    assert not twice, f"posted more than once: {twice}"
    shown = Counter(message.marker for message in messages)
    assert None not in shown, "a message without an mlpulse marker"
    assert max(shown.values()) == 1, {m: n for m, n in shown.items() if n > 1}
    assert not [m for m in shown if str(m).startswith("digest:")], "a resource was folded"
    for item_id in caught:  # what the victim was posting when it died went out once
        assert [m for m in shown if str(m).startswith(f"{item_id}:")], item_id

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
    check = DynamoDBStore(table, client=moto.client("dynamodb"))
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
    return [
        m
        for m in messages
        if m.channel == root.channel and m.thread_ts == root.ts and not m.is_root
    ]


# --- a replica killed at each step, in process -------------------------------------------


class Killed(BaseException):
    """The process died here (SIGKILL): nothing after this point ran."""


class DiesAfter:
    """`target` (a store or a notifier) as a replica sees it, until the `nth` call of
    `method` returns: then the replica dies."""

    def __init__(self, target: Any, method: str, nth: int) -> None:
        self.target, self.method, self.nth = target, method, nth
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        real = getattr(self.target, name)
        if name != self.method:
            return real

        def call(*args: Any, **kwargs: Any) -> Any:
            result = real(*args, **kwargs)
            self.calls += 1
            if self.calls == self.nth:
                raise Killed(f"after {name} #{self.nth}")
            return result

        return call


class Lists:
    """A store that keeps the list its last `due` answered (`listed`), and answers its
    first `due` with `first` when given: the list of a pass that began long before."""

    def __init__(self, store: Any, first: list[OutboxItem] | None = None) -> None:
        self.store, self.first = store, first
        self.listed: list[OutboxItem] = []

    def due(self, now: datetime, limit: int) -> list[OutboxItem]:
        first, self.first = self.first, None
        self.listed = first if first is not None else self.store.due(now, limit)
        return self.listed

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


@dataclass
class Twins:
    """Two replicas' stores on one table, and what they deliver through."""

    a: DynamoDBStore
    b: DynamoDBStore
    clock: FakeClock
    slack: FakeSlack

    def notifier(self) -> SlackNotifier:
        return SlackNotifier(DEFAULT_TOKEN, base_url=self.slack.url)

    def deliverer(self, store: Any, notifier: Any) -> Deliverer:
        config = Config()
        return Deliverer(
            cast(Store, store), cast(Notifier, notifier), self.clock, config, Metrics(), Health()
        )

    def submit(self, *documents: dict[str, Any]) -> None:
        events = [e for d in documents for e in events_from(d, self.clock.now())]
        Pipeline(Config(), self.a, self.clock, Metrics()).submit(events)

    def settle(self, deliverer: Deliverer) -> None:
        """Deliver (moving the clock on between passes) until the outbox is empty."""
        for _ in range(30):
            deliverer.run_once()
            if self.b.pending_count() == 0:
                return
            self.clock.advance(1)
        pytest.fail(f"{self.b.pending_count()} item(s) left in the outbox")


@pytest.fixture
def twins(moto: SerialDynamoMotoServer, clock: FakeClock, fake_slack: FakeSlack) -> Iterator[Twins]:
    table = f"mlpulse-twins-{uuid.uuid4().hex[:8]}"
    a = DynamoDBStore(table, client=moto.client("dynamodb"))
    b = DynamoDBStore(table, client=moto.client("dynamodb"))
    yield Twins(a, b, clock, fake_slack)
    a.close()
    b.close()


# Each step of delivering a resource's first event (its root message) and its second (an
# edit of the root, then a reply in its thread), as the call that returns before the death.
# Delivery's records go to the store in as few writes as it can (bot.delivery.journal):
# the claim marks the item's post in flight, the reply's too, before the root's edit.
STEPS = [
    ("store", "claim_batch", 1),  # leased, the root's post marked in flight, not yet posted
    ("notifier", "post", 1),  # the root is in Slack; its ts is not recorded
    ("store", "write", 1),  # recorded, and the item done, in one write
    ("store", "claim_batch", 2),  # the second item leased, its reply marked in flight
    ("notifier", "update", 1),  # the root shows the new state; the store does not know
    ("notifier", "post", 2),  # the reply is in Slack; nothing of it is recorded
    ("store", "write", 2),  # the state recorded, and the item done
]


@pytest.mark.parametrize("listed", ["fresh", "stale"])
@pytest.mark.parametrize(("part", "method", "nth"), STEPS)
def test_a_replica_killed_at_any_step_leaves_nothing_posted_twice(
    twins: Twins, part: str, method: str, nth: int, listed: str
) -> None:
    """The survivor takes over once the lease runs out; with `stale`, its pass works from
    the list the victim's last pass read, so only the claim can tell it what was done."""
    job = training_job(1, twins.clock.now() - timedelta(minutes=30))
    twins.submit(*job.states)
    notifier: Any = twins.notifier()
    store: Any = twins.a
    if part == "store":
        store = DiesAfter(store, method, nth)
    else:
        notifier = DiesAfter(notifier, method, nth)
    victim_store = Lists(store)
    victim = twins.deliverer(victim_store, notifier)
    with pytest.raises(Killed):
        for _ in range(5):
            victim.run_once()

    twins.clock.advance(61)  # the victim's 60 s lease runs out
    first = victim_store.listed if listed == "stale" else None
    twins.settle(twins.deliverer(Lists(twins.b, first), twins.notifier()))

    messages = twins.slack.messages()
    markers = Counter(m.marker for m in messages)
    assert max(markers.values()) == 1, markers
    (root,) = [m for m in messages if m.is_root]
    assert "Completed" in root.all_text()
    replies = [str(m.marker) for m in messages if not m.is_root]
    assert len(replies) == 1 and replies[0].endswith(":reply"), replies
    stored = twins.b.root(job.key)
    assert stored is not None and (stored.channel, stored.ts) == (root.channel, root.ts)


# Three resources leased in one batch (one write), then delivered one after another: the
# death falls before, between and after their posts, in both passes (roots, then the
# edits and replies of their second events).
BATCH_STEPS = [
    ("store", "claim_batch", 1),  # all three marked in flight, nothing posted
    ("notifier", "post", 1),  # one root posted, two marked but never sent
    ("notifier", "post", 2),
    ("notifier", "post", 3),  # all three posted, none recorded
    ("store", "write", 1),
    ("store", "claim_batch", 2),  # the three replies marked in flight before any edit
    ("notifier", "update", 2),  # two roots edited, one reply posted
    ("notifier", "post", 5),  # two replies posted, none recorded
    ("notifier", "post", 6),
]


@pytest.mark.parametrize(("part", "method", "nth"), BATCH_STEPS)
def test_a_replica_killed_mid_batch_leaves_nothing_posted_twice_or_lost(
    twins: Twins, part: str, method: str, nth: int
) -> None:
    jobs = [training_job(n, twins.clock.now() - timedelta(minutes=30)) for n in (1, 2, 3)]
    twins.submit(*(state for job in jobs for state in job.states))
    notifier: Any = twins.notifier()
    store: Any = twins.a
    if part == "store":
        store = DiesAfter(store, method, nth)
    else:
        notifier = DiesAfter(notifier, method, nth)
    victim = twins.deliverer(store, notifier)
    victim.pacer.interval = 0  # pacing off: one batch takes all three
    with pytest.raises(Killed):
        for _ in range(5):
            victim.run_once()
    if (method, nth) == ("claim_batch", 1):  # one write leased and marked all three
        assert [i.in_flight for i in twins.b.due(twins.clock.now(), 10)] == [True] * 3

    twins.clock.advance(61)  # the victim's 60 s lease runs out
    twins.settle(twins.deliverer(twins.b, twins.notifier()))

    messages = twins.slack.messages()
    markers = Counter(m.marker for m in messages)
    assert max(markers.values()) == 1, markers
    roots = [m for m in messages if m.is_root]
    assert len(roots) == 3 and all("Completed" in m.all_text() for m in roots)
    replies = [str(m.marker) for m in messages if not m.is_root]
    assert len(replies) == 3 and all(r.endswith(":reply") for r in replies), replies
    for job in jobs:
        stored = twins.b.root(job.key)
        assert stored is not None and stored.ts in {m.ts for m in roots}


class Corpse:
    """`target` as the dead replica sees it: once `death` has struck, nothing more reaches
    it, not even the writes a dying pass would make (a process killed makes none)."""

    def __init__(self, target: Any, death: DiesAfter) -> None:
        self.target, self.death = target, death

    def __getattr__(self, name: str) -> Any:
        real = getattr(self.target, name)
        if not callable(real):
            return real

        def call(*args: Any, **kwargs: Any) -> Any:
            if self.death.calls >= self.death.nth:
                raise Killed(f"{name} after the death")
            return real(*args, **kwargs)

        return call


# Failures (incidents: never folded into a digest) for one channel at a post a second,
# delivered by the loop (Deliverer.run): each post's records are held across passes and
# ride on a later claim (bot.delivery.journal), the claim a pace interval short of HOLD_S
# after the first post carrying the records of all the posts before it.
CARRYING = int(HOLD_S)  # the claim that carries the first posts' records
HELD_STEPS = [
    ("notifier", "post", 1),  # posted; the pass that made it has not ended
    ("store", "claim_batch", 2),  # the first post's records held across a pass, lost
    ("notifier", "post", 3),  # three posts made, none recorded
    ("store", "claim_batch", CARRYING),  # the records of the posts before it carried
    ("notifier", "post", CARRYING + 2),  # two posts held again, the last just made
]


@pytest.mark.parametrize(("part", "method", "nth"), HELD_STEPS)
def test_a_replica_killed_while_its_records_are_held_leaves_nothing_posted_twice_or_lost(
    twins: Twins, part: str, method: str, nth: int
) -> None:
    start = twins.clock.now() - timedelta(minutes=30)
    jobs = [training_job(n, start) for n in range(0, 4 * (CARRYING + 3), 4)]
    twins.submit(*(job.states[-1] for job in jobs))  # each a failure: a root of its own
    death = DiesAfter(twins.a if part == "store" else twins.notifier(), method, nth)
    if part == "store":
        store, notifier = Corpse(death, death), Corpse(twins.notifier(), death)
    else:
        store, notifier = Corpse(twins.a, death), Corpse(death, death)
    paced = Config.model_validate({"slack": {"posts_per_second": 1, "burst": 1}})
    victim = Deliverer(
        cast(Store, store), cast(Notifier, notifier), twins.clock, paced, Metrics(), Health()
    )
    with pytest.raises(Killed):
        victim.run(threading.Event(), pause=twins.clock.advance)
    if (method, nth) == ("claim_batch", 2):  # held across the pass: not in the store yet
        assert twins.b.root(jobs[0].key) is None
        assert len(twins.slack.messages()) == 1
    if (method, nth) == ("claim_batch", CARRYING):  # one claim wrote them all
        assert all(twins.b.root(job.key) is not None for job in jobs[: CARRYING - 1])

    twins.clock.advance(61)  # the victim's 60 s lease runs out
    twins.settle(twins.deliverer(twins.b, twins.notifier()))

    messages = twins.slack.messages()
    markers = Counter(m.marker for m in messages)
    assert max(markers.values()) == 1, markers
    assert len(messages) == len(jobs) and all(m.is_root for m in messages)
    for job in jobs:
        stored = twins.b.root(job.key)
        assert stored is not None and stored.ts in {m.ts for m in messages}


class SlowPosts:
    """A notifier whose posts take `seconds` of the clock, and during whose `nth` post
    `meanwhile` runs (the other replica's pass)."""

    def __init__(
        self, notifier: Any, clock: FakeClock, seconds: float, nth: int, meanwhile: Any
    ) -> None:
        self.notifier, self.clock, self.seconds = notifier, clock, seconds
        self.nth, self.meanwhile = nth, meanwhile
        self.posts = 0

    def post(self, *args: Any, **kwargs: Any) -> Any:
        self.clock.advance(self.seconds)
        self.posts += 1
        if self.posts == self.nth:
            self.meanwhile()
        return self.notifier.post(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.notifier, name)


def test_a_lease_runs_from_its_claim_not_from_the_start_of_the_pass(twins: Twins) -> None:
    """A pass that outlasts a lease (a slow Slack: 40 s a post, leases of 60 s) still holds
    each item it claims for a whole lease: the other replica, passing meanwhile, leaves it
    alone instead of posting it too."""
    first, second = (training_job(n, twins.clock.now() - timedelta(minutes=30)) for n in (1, 2))
    twins.submit(first.states[0], second.states[0])
    other = twins.deliverer(twins.b, twins.notifier())
    slow = SlowPosts(twins.notifier(), twins.clock, 40, 2, other.run_once)
    twins.deliverer(twins.a, slow).run_once()

    assert twins.a.pending_count() == 0
    markers = Counter(m.marker for m in twins.slack.messages())
    assert max(markers.values()) == 1, markers
    assert len(twins.slack.messages()) == 2


def test_a_slow_pass_is_paced_by_the_time_of_each_post(twins: Twins) -> None:
    """Posts that take 1.5 s each keep within a pace of one a second: a pass that has been
    posting for a while holds nothing back and folds nothing into a digest (in the scenario
    above, passes slowed by the other replica did)."""
    jobs = [training_job(n, twins.clock.now() - timedelta(minutes=30)) for n in range(5)]
    twins.submit(*(job.states[0] for job in jobs))
    slow = SlowPosts(twins.notifier(), twins.clock, 1.5, 0, None)
    twins.deliverer(twins.a, slow).run_once()

    markers = sorted(str(m.marker) for m in twins.slack.messages())
    assert len(markers) == 5 and all(m.endswith(":root") for m in markers), markers


def test_a_digest_left_by_all_its_members_is_still_edited(twins: Twins) -> None:
    """Six runs start at once: three are posted, three folded into a digest (the pace).
    Then all six fail, and each failure opens an incident, so every digest member gets a
    message of its own. The emptied digest is still edited, with a valid message (an
    empty section is refused by Slack, and the edit was retried for ever)."""
    runs = [execution(n, twins.clock.now() - timedelta(minutes=30)) for n in (1, 2, 4, 5, 7, 8)]
    twins.submit(*(run.states[0] for run in runs))
    deliverer = twins.deliverer(twins.a, twins.notifier())
    for _ in range(5):
        deliverer.run_once()
        twins.clock.advance(1)
    assert [m for m in twins.slack.messages() if m.marker == "digest:1"]

    twins.submit(*(run.states[1] for run in runs))
    for _ in range(60):
        deliverer.run_once()
        if not twins.a.pending_count() and not twins.a.dirty_digests():
            break
        twins.clock.advance(1)
    assert not twins.a.dirty_digests()
    assert twins.a.pending_count() == 0
    roots = [m for m in twins.slack.messages() if m.is_root and m.marker != "digest:1"]
    assert len(roots) == len(runs)  # every run a message of its own, once
    refused = [c for c in twins.slack.calls("chat.update") if not c.ok]
    assert not refused, refused
