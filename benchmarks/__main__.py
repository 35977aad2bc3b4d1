"""`make bench`: each figure against its target, as a table and in results.json.

events_per_s         parse -> route -> dedup -> store -> render, one core, SQS-sized batches
rss_mb_100k          resident memory after 100,000 events through the same path
burst_posts          chat.postMessage calls for 1,000 job events into one channel, against
burst_lost           a fake Slack allowing 3 at once and 1 a second (fake clock); events
burst_429s           neither posted nor shown as a digest line; 429 answers seen
slash_ack_p99_ms     signed `/mlpulse incidents` through /slack/events, in process, p99
http_ack_p99_ms      signed `/mlpulse jobs` (AWS-backed) over HTTP, 200 a second: ack p99
http_20_clients_p99_ms  200 of them from 20 clients, 20 connections open at all times: ack p99
http_at_once_p99_ms  200 of them over HTTP at once (benchmarks/slack_load.py): ack p99,
http_at_once_max_ms  the slowest ack (Slack gives up after 3 s),
http_not_200         answers other than 200 in both runs (Bolt's old `404 unhandled request`),
http_answered        how many of the 200 at once were answered through response_url,
http_answered_s      and how long until the last of them was
drift_1m_s           seconds of drift statistics on 1,000,000 rows x 20 features already in
                     memory (benchmarks/drift.py)
drift_1m_file_s      `mlpulse drift --baseline A.csv --current B.csv` on two 1,000,000 x 20
drift_1m_file_rss_mb CSV files on disk, the whole command as a process: wall seconds, peak
                     RSS in MB (benchmarks/drift_files.py)
full_path_ratio ...  what delivery and the store cost, full path against full path, medians
                     of 3 runs (benchmarks/delivery.py; `--full` scales them to 1M events)
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

from benchmarks import delivery, slack, slack_load
from benchmarks.drift import drift_1m_s
from benchmarks.drift_files import drift_1m_file_rss_mb, drift_1m_file_s
from benchmarks.pipeline import events_per_s, rss_mb_100k

HERE = Path(__file__).parent


_BURST: dict[str, float] = {}
# By (spread, clients): 1 s (200 a second), 0 (at once), or 0 from 20 clients.
_LOAD: dict[tuple[float, int | None], dict[str, float]] = {}


def _burst(name: str) -> float:
    if not _BURST:
        _BURST.update(slack.burst())
    return _BURST[name]


def _load(spread_s: float, name: str, clients: int | None = None) -> float:
    if (spread_s, clients) not in _LOAD:
        _LOAD[spread_s, clients] = slack_load.figures(spread_s, clients)
    return _LOAD[spread_s, clients][name]


def _not_200() -> float:
    return _load(1.0, "not_200") + _load(0.0, "not_200") + _load(0.0, "not_200", 20)


FIGURES: list[tuple[str, Callable[[], float], str, Callable[[float], bool]]] = [
    ("events_per_s", events_per_s, ">= 3000", lambda v: v >= 3000),
    ("rss_mb_100k", rss_mb_100k, "< 150", lambda v: v < 150),
    ("burst_posts", lambda: _burst("burst_posts"), "<= 20", lambda v: v <= 20),
    ("burst_lost", lambda: _burst("burst_lost"), "= 0", lambda v: v == 0),
    ("burst_429s", lambda: _burst("burst_429s"), "= 0", lambda v: v == 0),
    ("slash_ack_p99_ms", slack.slash_ack_p99_ms, "< 50", lambda v: v < 50),
    ("http_ack_p99_ms", lambda: _load(1.0, "ack_p99_ms"), "< 50", lambda v: v < 50),
    (
        "http_20_clients_p99_ms",
        lambda: _load(0.0, "ack_p99_ms", 20),
        "< 50",
        lambda v: v < 50,
    ),
    ("http_at_once_p99_ms", lambda: _load(0.0, "ack_p99_ms"), "< 50", lambda v: v < 50),
    ("http_at_once_max_ms", lambda: _load(0.0, "ack_max_ms"), "< 3000", lambda v: v < 3000),
    ("http_not_200", _not_200, "= 0", lambda v: v == 0),
    ("http_answered", lambda: _load(0.0, "answered"), "= 200", lambda v: v == 200),
    ("http_answered_s", lambda: _load(0.0, "answered_s"), "info", lambda v: True),
    ("drift_1m_file_s", drift_1m_file_s, "<= 3", lambda v: v <= 3),  # in a child process
    ("drift_1m_file_rss_mb", drift_1m_file_rss_mb, "<= 1024", lambda v: v <= 1024),
    *delivery.FIGURES,
    ("drift_1m_s", drift_1m_s, "< 1", lambda v: v < 1),  # last: its arrays raise peak RSS
]


def main() -> int:
    if "--full" in sys.argv:  # the 1M-event figures (long): read when benchmarks.delivery loads
        os.environ["MLPULSE_BENCH_FULL"] = "1"
        os.execv(sys.executable, [sys.executable, "-m", "benchmarks"])
    results: dict[str, float] = {}
    print(f"{'figure':<22} {'value':>10}  {'target':<10} verdict")
    all_met = True
    for name, measure, target, met in FIGURES:
        value = measure()
        results[name] = round(value, 2)
        ok = met(value)
        all_met &= ok
        print(f"{name:<22} {value:>10.1f}  {target:<10} {'met' if ok else 'MISSED'}")
    (HERE / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    return 0 if all_met else 1


if __name__ == "__main__":
    sys.exit(main())
