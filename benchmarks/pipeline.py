"""Figures for the event path: throughput and memory."""

from __future__ import annotations

import copy
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bot.config.models import Config
from bot.core.clock import FakeClock
from bot.ingress.ingest import events_from_text
from bot.intake.accept import Pipeline
from bot.intake.routing import route
from bot.ops.telemetry import Metrics
from bot.store.sqlite.store import SqliteStore
from notifiers.render import render_alert

HERE = Path(__file__).parent
SAMPLE = (
    HERE.parent
    / "tests"
    / "fixtures"
    / "aws"
    / "sagemaker-training-job-state-change-completed.json"
)
BATCH = 10  # one SQS receive


def _bodies(start: int, count: int) -> list[str]:
    """SQS message bodies: training-job events for 5,000 jobs in three states."""
    base = json.loads(SAMPLE.read_text())
    bodies = []
    for n in range(start, start + count):
        doc = copy.deepcopy(base)
        doc["id"] = f"bench-{n}"
        doc["detail"]["TrainingJobName"] = f"job-{n % 5000}"
        doc["detail"]["TrainingJobStatus"] = ("InProgress", "Completed", "Failed")[n % 3]
        doc["time"] = f"2026-11-25T03:{(n // 60) % 60:02d}:{n % 60:02d}Z"
        bodies.append(json.dumps(doc))
    return bodies


def through_pipeline(count: int) -> float:
    """Seconds to take `count` events from message bodies to rendered payloads via the
    store; the bodies are made batch by batch, outside the timed part."""
    config = Config()
    elapsed = 0.0
    with tempfile.TemporaryDirectory() as folder:
        store = SqliteStore(str(Path(folder) / "bench.db"))
        pipeline = Pipeline(config, store, FakeClock(), Metrics())
        received = datetime(2026, 11, 25, tzinfo=UTC)
        for offset in range(0, count, BATCH):
            bodies = _bodies(offset, BATCH)
            started = time.perf_counter()
            events = [e for body in bodies for e in events_from_text(body, received)]
            pipeline.submit(events)
            for event in events:
                render_alert(event, route(event, config))
            elapsed += time.perf_counter() - started
        store.close()
    return elapsed


def events_per_s() -> float:
    count = 6_000
    return count / through_pipeline(count)


def rss_mb_100k() -> float:
    """Peak resident memory of a fresh process that loads the bot as `mlpulse run` does
    and takes 100,000 events through the store; a process of its own, so that what other
    figures loaded or allocated does not count."""
    child = subprocess.run(
        [sys.executable, "-m", "benchmarks.pipeline", "rss"],
        capture_output=True,
        text=True,
        check=True,
        cwd=HERE.parent,
    )
    return float(child.stdout.strip())


if __name__ == "__main__" and sys.argv[1:] == ["rss"]:
    import bot.app  # noqa: F401 - what the running bot has loaded

    through_pipeline(100_000)
    # VmHWM, the peak of this process's own memory: ru_maxrss would carry over the peak
    # of the benchmark process that forked it (Linux keeps it across exec).
    status = Path("/proc/self/status")
    if status.exists():
        peak = next(line for line in status.read_text().splitlines() if line.startswith("VmHWM"))
        print(int(peak.split()[1]) / 1024)
    else:
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
