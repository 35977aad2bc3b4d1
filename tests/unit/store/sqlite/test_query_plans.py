"""Flat cost per event (issue 20): every statement the SQLite store runs while accepting,
delivering, acting on incidents, answering commands and pruning finds its rows through an
index, so its cost does not grow with the store. The statements are the ones actually run
(traced on the store's connection, with their values), and each is checked with EXPLAIN
QUERY PLAN: a full SCAN of a table that grows with traffic fails the test.

Bounded scans are allowed by name: pruning reads the oldest rows of `audit` (and of an
older file's `seen`) in rowid order with a LIMIT, and the few silences are read whole.
(`make bench` measures the same thing as time: events/s over the first and the last slice
of a 1M-event store.)"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from bot.config.models import Config
from bot.core.clock import FakeClock
from bot.core.events import Event, Kind, Outcome
from bot.core.incident import Action, Source
from bot.delivery.worker import Deliverer
from bot.incidents.service import IncidentService
from bot.intake.accept import Pipeline
from bot.ops.health import Health
from bot.ops.telemetry import Metrics
from bot.store.sqlite.store import SqliteStore
from tests.fakes.chat import CountingChat
from tests.unit.store.conftest import T0

GROWING = (
    "seen",
    "seen_digests",
    "roots",
    "outbox",
    "incidents",
    "incident_keys",
    "audit",
    "digests",
)
BOUNDED = (  # statements allowed to SCAN: what they read is bounded by a LIMIT
    "DELETE FROM seen WHERE rowid IN (SELECT rowid FROM seen ORDER BY rowid LIMIT",
    "DELETE FROM audit WHERE id IN (SELECT id FROM audit ORDER BY id LIMIT",
)
_SCAN = re.compile(r"^SCAN (\w+)(?: AS \w+)?(?: USING (?:COVERING )?INDEX (\w+))?")


def run(n: int, status: str, outcome: Outcome, minutes: int) -> Event:
    return Event(
        id=f"{n}-{status}",
        kind=Kind.CODEPIPELINE,
        key=f"codepipeline:123456789012:us-east-1:deploy:run-{n}",
        series="codepipeline:123456789012:us-east-1:deploy",
        name="deploy",
        title="Pipeline execution",
        status=status,
        outcome=outcome,
        time=T0 + timedelta(minutes=minutes),
    )


def traced_session(tmp_path: Path) -> list[str]:
    """Every statement a day of the store's life runs: events in, incidents opened,
    repeated and resolved, deliveries, a burst folded into a digest, button clicks,
    command reads, scheduled work, pruning."""
    config = Config.model_validate(
        {"routes": [{"match": {"kind": "codepipeline"}, "incident": True}]}
    )
    clock = FakeClock(T0)
    store = SqliteStore(str(tmp_path / "s.db"))
    statements: list[str] = []
    store._db.set_trace_callback(statements.append)
    pipeline = Pipeline(config, store, clock, Metrics())
    deliverer = Deliverer(store, CountingChat(), clock, config, Metrics(), Health())
    incidents = IncidentService(store, config, clock)

    pipeline.submit([run(n, "InProgress", Outcome.RUNNING, n) for n in range(5)])
    pipeline.submit([run(n, "Failed", Outcome.FAILED, 10 + n) for n in range(3)])
    pipeline.submit([run(0, "Failed", Outcome.FAILED, 10)])  # a duplicate
    for _ in range(5):
        deliverer.run_once()
    (incident,) = store.unresolved_incidents()
    store.transition(incident.id, Action.ACK, "U1", Source.BUTTON, clock.now())
    store.incident_for_key(run(1, "", Outcome.FAILED, 0).key)
    incidents.silence("other-*", timedelta(hours=1), "U1", "#ops")
    store.record_refusal("U2", "silence", clock.now())
    clock.advance(7200)
    incidents.tick()
    pipeline.submit([run(9, "Succeeded", Outcome.SUCCEEDED, 200)])  # resolves the series
    paced = Config.model_validate({"slack": {"posts_per_second": 1, "burst": 1}})
    news = [run(20 + n, "InProgress", Outcome.RUNNING, 300) for n in range(6)]
    pipeline.submit([e.model_copy(update={"kind": Kind.TRAINING_JOB}) for e in news])
    burst = Deliverer(store, CountingChat(1.0), clock, paced, Metrics(), Health())
    for _ in range(3):
        burst.run_once()
    store.pending_count()
    store.active_silences(clock.now())
    store.prune(clock.now() + timedelta(days=500))
    store.prune(clock.now() + timedelta(days=500))  # the dedup sweep on from where it was
    store.close()
    return statements


def full_scans(db_path: Path, statement: str) -> list[str]:
    import sqlite3

    if not statement.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE", "INSERT")):
        return []
    with sqlite3.connect(db_path) as db:
        plan = [row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {statement}")]
    scans = []
    for step in plan:
        match = _SCAN.match(step)
        if match is None or match.group(1) not in GROWING:
            continue
        index = match.group(2)
        if index in ("incidents_one_unresolved", "digests_dirty"):
            continue  # partial indexes: only the unresolved, only the dirty
        scans.append(step)
    return scans


def test_no_statement_scans_a_table_that_grows(tmp_path: Path) -> None:
    statements = traced_session(tmp_path)
    assert any("INTO digests" in statement for statement in statements)  # a burst folded
    assert full_scans(tmp_path / "s.db", "SELECT * FROM roots WHERE channel = 'C1'")

    problems = {
        statement: scans
        for statement in dict.fromkeys(statements)
        if not statement.startswith(BOUNDED) and (scans := full_scans(tmp_path / "s.db", statement))
    }

    assert problems == {}
