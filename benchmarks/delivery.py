"""Issue 20's figures: what delivery and the store cost, measured full path against full
path, each a median of 3 runs with its spread (max - min) beside it.

full_path_ratio        seconds an event, mlpulse over a plain loop: the same events, parsed
                       and posted by a slack_sdk loop, and taken by mlpulse through intake,
                       the store and delivery (root, edit, reply) to the same fake Slack
delivery_ratio         Slack calls a second while delivering (pacing off), mlpulse over a
                       plain slack_sdk loop making the very calls mlpulse made (the same
                       posts, edits and replies, payloads and all, replayed to the same
                       fake): what mlpulse adds to the calls themselves  goal >= 0.8
post_loop_ratio        the same, over the plain post loop (one short post an event)
writes_per_call        committed SQLite write transactions a Slack call   goal <= 2
dynamodb_writes_call   DynamoDB write requests a Slack call (moto)        goal <= 2
backlog_mb_per_min     bytes mlpulse writes while a paced backlog waits for one channel
                       (default pace; 20 s, scaled to a minute)           goal <= 1 MB
store_bytes_per_event  the SQLite store after 60 simulated days of steady traffic, over the
                       events of its last 30 days (retention; audit kept 30 days)
ingest_rss_mb          peak RSS of `mlpulse ingest` of 100,000 events   goal (1M) <= 200 MB
events_cpu_first/last  events a CPU-second through parse, route, dedup and store, over the
events_cpu_drift       first and the last 10,000 of 200,000 (`--full`: of 1,000,000, and
                       ingest at 1,000,000); drift: last over first - 1  goal within 5 %

Every measurement runs in a process of its own (`python -m benchmarks.delivery child ...`)
against a fake Slack served by this one; what they print is read back as JSON.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
RUNS = 3
FULL = os.environ.get("MLPULSE_BENCH_FULL") == "1"
EVENTS = 1000  # full path and delivery: 200 jobs, 5 states each
SCALE = 1_000_000 if FULL else 200_000
SLICE = 10_000
INGEST = 1_000_000 if FULL else 100_000
BACKLOG_S = 20.0

_results: dict[str, tuple[float, float]] = {}  # figure -> (median, spread)


def _child(*argv: str, env: dict[str, str] | None = None) -> dict[str, float]:
    answer = subprocess.run(
        [sys.executable, "-m", "benchmarks.delivery", "child", *argv],
        capture_output=True,
        text=True,
        check=True,
        cwd=HERE.parent,
        env={**os.environ, **(env or {})},
    )
    return dict(json.loads(answer.stdout.strip().splitlines()[-1]))


def _median(name: str, runs: list[float]) -> float:
    _results[name] = (statistics.median(runs), max(runs) - min(runs))
    return _results[name][0]


@contextmanager
def _fake_slack() -> Iterator[Any]:
    from tests.fakes.slack_api import FakeSlack

    with FakeSlack() as fake:
        yield fake


# --- the full path and delivery, against the plain loop


def _path_runs() -> dict[str, list[float]]:
    runs: dict[str, list[float]] = {}
    for _ in range(RUNS):
        with _fake_slack() as fake, tempfile.TemporaryDirectory() as folder:
            plain = _child("plain", fake.url, str(EVENTS))
            before = len(fake.calls())
            ours = _child("mlpulse", fake.url, str(EVENTS))
            made = [(c.method, c.args) for c in fake.calls()[before:]]
            recorded = Path(folder) / "calls.json"
            recorded.write_text(json.dumps(made), encoding="utf-8")
            replayed = _child("replay", fake.url, str(recorded))
        calls = len(made)
        rate = calls / ours["delivery_s"]
        runs.setdefault("full_path_ratio", []).append(ours["total_s"] / plain["total_s"])
        runs.setdefault("delivery_ratio", []).append(rate / (calls / replayed["total_s"]))
        runs.setdefault("post_loop_ratio", []).append(rate / (EVENTS / plain["total_s"]))
        runs.setdefault("writes_per_call", []).append(ours["writes"] / calls)
    return runs


_PATH: dict[str, list[float]] = {}


def _path(name: str) -> float:
    if not _PATH:
        _PATH.update(_path_runs())
    return _median(name, _PATH[name])


def dynamodb_writes_call() -> float:
    from tests.fakes.moto_replicas import SerialDynamoMotoServer

    runs = []
    server = SerialDynamoMotoServer()
    try:
        for _ in range(RUNS):
            with _fake_slack() as fake:
                ours = _child("dynamodb", fake.url, "200", server.url)
                calls = len(fake.calls())
            runs.append(ours["writes"] / calls)
    finally:
        server.stop()
    return _median("dynamodb_writes_call", runs)


def backlog_mb_per_min() -> float:
    runs = []
    for _ in range(RUNS):
        with _fake_slack() as fake:
            ours = _child("backlog", fake.url, str(BACKLOG_S))
            posts = len(fake.calls("chat.postMessage"))
        assert posts > 0
        runs.append(ours["bytes"] / ours["seconds"] * 60 / 1e6)
    return _median("backlog_mb_per_min", runs)


def store_bytes_per_event() -> float:
    return _median("store_bytes_per_event", [_child("retention")["bytes_per_event"]])


def ingest_rss_mb() -> float:
    runs = []
    with tempfile.TemporaryDirectory() as folder:
        events = Path(folder) / "events.jsonl"
        _write_events(events, INGEST)
        for run in range(RUNS):
            env = {**os.environ, "MLPULSE_STORE": f"sqlite:///{folder}/ingest-{run}.db"}
            env.pop("MLPULSE_CONFIG", None)  # the built-in defaults (no mlpulse.yaml here)
            # `mlpulse ingest` as the console script runs it, then its own peak (VmHWM):
            # ru_maxrss would carry over this process's peak (Linux keeps it across exec).
            command = [sys.executable, "-c", _INGEST, "ingest", "--console", "--timeout", "0"]
            answer = subprocess.run(
                [*command, str(events)], capture_output=True, text=True, env=env, cwd=folder
            )
            if answer.returncode != 0:
                raise RuntimeError(f"mlpulse ingest exited {answer.returncode}: {answer.stderr}")
            runs.append(float(answer.stderr.strip().splitlines()[-1].split()[1]) / 1024)
    return _median("ingest_rss_mb", runs)


_INGEST = """
import sys
from pathlib import Path
from bot.cli.main import main
code = main(sys.argv[1:])
peak = next(l for l in Path("/proc/self/status").read_text().splitlines() if l.startswith("VmHWM"))
print(peak, file=sys.stderr)
sys.exit(code)
"""


def _write_events(path: Path, count: int) -> None:
    from benchmarks.pipeline import _bodies

    with path.open("w", encoding="utf-8") as out:
        for start in range(0, count, 1000):
            out.write("\n".join(_bodies(start, min(1000, count - start))) + "\n")


_SCALE: dict[str, list[float]] = {}


def _scale(name: str) -> float:
    if not _SCALE:
        for _ in range(RUNS):
            for key, value in _child("scale", str(SCALE)).items():
                _SCALE.setdefault(f"events_cpu_{key}", []).append(value)
    return _median(name, _SCALE[name])


def spread(name: str) -> float:
    """The spread of a figure already measured (0 for one run)."""
    return _results.get(name, (0.0, 0.0))[1]


# name, measure, target, met: as benchmarks/__main__.py's FIGURES
FIGURES: list[tuple[str, Callable[[], float], str, Callable[[float], bool]]] = [
    ("full_path_ratio", lambda: _path("full_path_ratio"), "info", lambda v: True),
    ("delivery_ratio", lambda: _path("delivery_ratio"), ">= 0.8", lambda v: v >= 0.8),
    ("post_loop_ratio", lambda: _path("post_loop_ratio"), "info", lambda v: True),
    ("writes_per_call", lambda: _path("writes_per_call"), "<= 2", lambda v: v <= 2),
    ("dynamodb_writes_call", dynamodb_writes_call, "<= 2", lambda v: v <= 2),
    ("backlog_mb_per_min", backlog_mb_per_min, "<= 1", lambda v: v <= 1),
    ("store_bytes_per_event", store_bytes_per_event, "info", lambda v: True),
    ("ingest_rss_mb", ingest_rss_mb, "<= 200", lambda v: v <= 200),
    ("events_cpu_first", lambda: _scale("events_cpu_first"), "info", lambda v: True),
    ("events_cpu_last", lambda: _scale("events_cpu_last"), "info", lambda v: True),
    ("events_cpu_drift", lambda: _scale("events_cpu_drift"), "> -0.05", lambda v: v > -0.05),
]


# --- the children: one measurement each, printed as JSON


def _plain(url: str, count: int) -> dict[str, float]:
    """What many teams run today: parse the event, post a line, with slack_sdk."""
    from slack_sdk import WebClient

    from benchmarks.slack import _job_events
    from tests.fakes.slack_api import DEFAULT_TOKEN

    raws = [json.dumps(doc) for doc in _job_events(count // 5)]
    client = WebClient(token=DEFAULT_TOKEN, base_url=url if url.endswith("/") else url + "/")
    started = time.perf_counter()
    for raw in raws:
        detail = json.loads(raw)["detail"]
        text = f"{detail['TrainingJobName']} is {detail['TrainingJobStatus']}"
        client.chat_postMessage(channel="#mlpulse", text=text)
    return {"total_s": time.perf_counter() - started}


def _replay(url: str, recorded: str) -> dict[str, float]:
    """The calls mlpulse made, made again by a plain slack_sdk loop: no store, no logic."""
    from slack_sdk import WebClient

    from tests.fakes.slack_api import DEFAULT_TOKEN

    calls = json.loads(Path(recorded).read_text(encoding="utf-8"))
    client = WebClient(token=DEFAULT_TOKEN, base_url=url if url.endswith("/") else url + "/")
    started = time.perf_counter()
    for method, args in calls:
        client.api_call(method, json=args)
    return {"total_s": time.perf_counter() - started}


def _mlpulse(url: str, count: int, store: Any = None) -> dict[str, float]:
    """The same events through intake (SQS-sized batches), the store and delivery to Slack,
    pacing off; the delivery part timed on its own, the store's writes counted."""
    from benchmarks.slack import _job_events
    from bot.config.models import Config
    from bot.core.clock import SystemClock
    from bot.delivery.worker import Deliverer
    from bot.ingress.ingest import events_from_text
    from bot.intake.accept import Pipeline
    from bot.ops.health import Health
    from bot.ops.telemetry import Metrics
    from notifiers.slack import SlackNotifier
    from tests.fakes.slack_api import DEFAULT_TOKEN

    raws = [json.dumps(doc) for doc in _job_events(count // 5)]
    with tempfile.TemporaryDirectory() as folder:
        counted = store or _CountingStore(str(Path(folder) / "bench.db"))
        clock, config = SystemClock(), Config()
        deliverer = Deliverer(
            counted, SlackNotifier(DEFAULT_TOKEN, url), clock, config, Metrics(), Health()
        )
        deliverer.pacer.interval = 0  # pacing off: the store and the path are measured
        pipeline = Pipeline(config, counted, clock, Metrics())
        started = time.perf_counter()
        for first in range(0, len(raws), 10):
            received = clock.now()
            pipeline.submit(
                [e for raw in raws[first : first + 10] for e in events_from_text(raw, received)]
            )
        stored = time.perf_counter()
        writes_before = counted.writes
        while counted.pending_count():
            deliverer.run_once()
        done = time.perf_counter()
        writes = counted.writes - writes_before
        counted.close()
    return {"total_s": done - started, "delivery_s": done - stored, "writes": writes}


def _counting_store_class() -> type:
    from bot.store.sqlite.store import SqliteStore

    class CountingStore(SqliteStore):
        """Counts committed write transactions (each one fsync)."""

        writes = 0

        @contextmanager
        def _tx(self) -> Iterator[Any]:
            self.writes += 1
            with super()._tx() as db:
                yield db

    return CountingStore


def _CountingStore(path: str) -> Any:
    return _counting_store_class()(path)


def _dynamodb(url: str, count: int, moto_url: str) -> dict[str, float]:
    """As `_mlpulse` on the DynamoDB store (moto), counting write requests."""
    from bot.store.dynamodb.store import DynamoDBStore
    from tests.fakes.moto import aws_client

    client = aws_client("dynamodb", moto_url)
    # moto keeps its tables per process, not per server: a table of this run's own.
    store = DynamoDBStore(f"bench-{os.getpid()}-{time.time_ns()}", client=client)
    counter = {"writes": 0}
    writes = ("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem")

    def tally(model: Any, **_: Any) -> None:
        if model.name in writes:
            counter["writes"] += 1

    client.meta.events.register("before-call.dynamodb.*", tally)

    class Counted:
        def __getattr__(self, name: str) -> Any:
            return getattr(store, name)

        @property
        def writes(self) -> int:
            return counter["writes"]

    return _mlpulse(url, count, Counted())


def _backlog(url: str, seconds: float) -> dict[str, float]:
    """300 failures (incidents: never folded into a digest) waiting for one channel at the
    default pace; the real delivery loop runs `seconds`; bytes the process wrote."""
    from benchmarks.pipeline import _bodies
    from bot.config.models import Config
    from bot.core.clock import SystemClock
    from bot.delivery.worker import Deliverer
    from bot.ingress.ingest import events_from_text
    from bot.intake.accept import Pipeline
    from bot.ops.health import Health
    from bot.ops.telemetry import Metrics
    from notifiers.slack import SlackNotifier
    from tests.fakes.slack_api import DEFAULT_TOKEN

    with tempfile.TemporaryDirectory() as folder:
        store = _CountingStore(str(Path(folder) / "backlog.db"))
        clock, config = SystemClock(), Config()
        received = clock.now()
        failures = []
        for body in _unique(_bodies(0, 300), 0):
            document = json.loads(body)
            document["detail"]["TrainingJobStatus"] = "Failed"
            failures.append(json.dumps(document))
        events = [e for body in failures for e in events_from_text(body, received)]
        Pipeline(config, store, clock, Metrics()).submit(events)
        deliverer = Deliverer(
            store, SlackNotifier(DEFAULT_TOKEN, url), clock, config, Metrics(), Health()
        )
        stop = threading.Event()
        loop = threading.Thread(target=deliverer.run, args=(stop,))
        written = _written()
        started = time.perf_counter()
        loop.start()
        time.sleep(seconds)
        stop.set()
        deliverer.wake.set()
        loop.join()
        elapsed = time.perf_counter() - started
        written = _written() - written
        store.close()
    return {"bytes": written, "seconds": elapsed, "writes": store.writes}


def _written() -> float:
    """Bytes this process passed to write() so far (its SQLite file and WAL)."""
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("wchar:"):
            return float(line.split()[1])
    return 0.0


def _retention() -> dict[str, float]:
    """60 simulated days of 400 events a day (tests/unit/store/sqlite's plateau test, at
    a bigger scale): the store's bytes over the events of its last 30 days."""
    from bot.config.models import Config
    from bot.core.clock import FakeClock
    from bot.delivery.worker import Deliverer
    from bot.intake.accept import Pipeline
    from bot.ops.health import Health
    from bot.ops.telemetry import Metrics
    from bot.store.sqlite.store import SqliteStore
    from tests.fakes.chat import CountingChat
    from tests.unit.store.sqlite.test_retention_plateau import run

    config = Config.model_validate(
        {
            "retention": {"audit": "30d"},
            "routes": [{"match": {"kind": "codepipeline"}, "incident": True}],
        }
    )
    clock = FakeClock(datetime(2026, 1, 1, tzinfo=UTC))
    pipelines, days = 200, 60
    with tempfile.TemporaryDirectory() as folder:
        store = SqliteStore(str(Path(folder) / "r.db"), config.retention)
        store._db.execute("PRAGMA synchronous=OFF")  # simulated days: the disk is not measured
        pipeline = Pipeline(config, store, clock, Metrics())
        deliverer = Deliverer(store, CountingChat(), clock, config, Metrics(), Health())
        for day in range(days):
            for step in (0, 1):
                pipeline.submit([run(day, n, step, clock.now()) for n in range(pipelines)])
                while store.pending_count():
                    deliverer.run_once()
                clock.advance(3600)
            for _ in range(22):
                while store.prune(clock.now()):
                    pass
                clock.advance(3600)
        size = store.size()
        store.close()
    return {"bytes_per_event": size / (pipelines * 2 * 30)}


def _scale_run(count: int) -> dict[str, float]:
    """Events a CPU-second through parse, route, dedup and store (no rendering: that is
    delivery's), over the first and the last SLICE of `count`."""
    from benchmarks.pipeline import _bodies
    from bot.config.models import Config
    from bot.core.clock import FakeClock
    from bot.ingress.ingest import events_from_text
    from bot.intake.accept import Pipeline
    from bot.ops.telemetry import Metrics
    from bot.store.sqlite.store import SqliteStore

    config = Config()
    clock = FakeClock(datetime(2026, 11, 25, tzinfo=UTC))
    ids = random.Random(20)
    spent: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        store = SqliteStore(str(Path(folder) / "scale.db"))
        pipeline = Pipeline(config, store, clock, Metrics())
        for first in range(0, count, 100):
            bodies = _as_sent(_unique(_bodies(first, 100), first), clock.now(), ids)
            started = time.process_time()
            for start in range(0, 100, 10):
                events = [
                    e
                    for body in bodies[start : start + 10]
                    for e in events_from_text(body, clock.now())
                ]
                pipeline.submit(events)
            spent.append(time.process_time() - started)
            clock.advance(timedelta(seconds=1).total_seconds())
        store.close()
    per_slice = SLICE // 100
    first_rate = SLICE / sum(spent[:per_slice])
    last_rate = SLICE / sum(spent[-per_slice:])
    return {"first": first_rate, "last": last_rate, "drift": last_rate / first_rate - 1}


def _as_sent(bodies: list[str], at: datetime, ids: random.Random) -> list[str]:
    """The events as AWS sends them: each with a random UUID for its id and the time it
    happened, which follows the clock (benchmarks.pipeline's bodies count their ids and
    repeat their times every hour, which no real stream does)."""
    sent = []
    for body in bodies:
        document = json.loads(body)
        document["id"] = str(uuid.UUID(int=ids.getrandbits(128), version=4))
        document["time"] = at.strftime("%Y-%m-%dT%H:%M:%SZ")
        sent.append(json.dumps(document))
    return sent


def _unique(bodies: list[str], first: int) -> list[str]:
    """benchmarks.pipeline's bodies name 5,000 jobs over and over: past them each state
    would be a duplicate. Every event here is a new one (a job of its own)."""
    return [
        body.replace(f'"job-{(first + n) % 5000}"', f'"job-{first + n}"')
        for n, body in enumerate(bodies)
    ]


CHILDREN: dict[str, Callable[..., dict[str, float]]] = {
    "plain": lambda url, n: _plain(url, int(n)),
    "mlpulse": lambda url, n: _mlpulse(url, int(n)),
    "replay": _replay,
    "dynamodb": lambda url, n, moto: _dynamodb(url, int(n), moto),
    "backlog": lambda url, seconds: _backlog(url, float(seconds)),
    "retention": _retention,
    "scale": lambda n: _scale_run(int(n)),
}


def main(names: list[str]) -> int:
    """These figures alone, as a table (`python -m benchmarks.delivery [--full] [NAME...]`:
    only the lines named, e.g. `events_cpu_drift`)."""
    for name, measure, target, met in FIGURES:
        if names and name not in names:
            continue
        value = measure()
        verdict = "met" if met(value) else "MISSED"
        print(f"{name:<22} {value:>10.3f}  ±{spread(name):<8.3f} {target:<8} {verdict}", flush=True)
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["child"]:
        print(json.dumps(CHILDREN[sys.argv[2]](*sys.argv[3:])))
    else:
        names = [arg for arg in sys.argv[1:] if arg != "--full"]
        if "--full" in sys.argv:
            os.environ["MLPULSE_BENCH_FULL"] = "1"
            os.execv(sys.executable, [sys.executable, "-m", "benchmarks.delivery", *names])
        sys.exit(main(names))
