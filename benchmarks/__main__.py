"""`make bench`: each figure against its SPEC §7 target, as a table and in results.json.

Figures measured so far (the rest arrive with their issues):
  events_per_s   parse -> route -> dedup -> store -> render, one core, SQS-sized batches
  rss_mb_100k    resident memory after 100,000 events through the same path
  drift_1m_s     seconds of drift statistics on 1,000,000 rows x 20 features (benchmarks/drift.py)
"""

from __future__ import annotations

import copy
import json
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.drift import drift_1m_s
from bot.clock import FakeClock
from bot.config import Config
from bot.ingest import events_from_text
from bot.metrics import Metrics
from bot.pipeline import Pipeline
from bot.routing import route
from bot.store.sqlite import SqliteStore
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


def _through_pipeline(count: int) -> float:
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
    return count / _through_pipeline(count)


def rss_mb_100k() -> float:
    _through_pipeline(100_000)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak_kb / 1024


FIGURES: list[tuple[str, Callable[[], float], str, Callable[[float], bool]]] = [
    ("events_per_s", events_per_s, ">= 3000", lambda v: v >= 3000),
    ("rss_mb_100k", rss_mb_100k, "< 150", lambda v: v < 150),
    ("drift_1m_s", drift_1m_s, "< 1", lambda v: v < 1),  # last: its arrays raise peak RSS
]


def main() -> int:
    results: dict[str, float] = {}
    print(f"{'figure':<16} {'value':>10}  {'target':<10} verdict")
    all_met = True
    for name, measure, target, met in FIGURES:
        value = measure()
        results[name] = round(value, 2)
        ok = met(value)
        all_met &= ok
        print(f"{name:<16} {value:>10.1f}  {target:<10} {'met' if ok else 'MISSED'}")
    (HERE / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    return 0 if all_met else 1


if __name__ == "__main__":
    sys.exit(main())
