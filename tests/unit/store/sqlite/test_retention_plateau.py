"""Issue 20's retention acceptance: 60 simulated days of steady traffic (a fake clock) give
a SQLite store whose size stops growing. Each day 30 pipelines run twice (a start, then a
success or a failure that opens an incident the next day's success resolves), every event
goes through intake and delivery to a chat backend that takes everything, and the store is
pruned every simulated hour, as the scheduler does every minute.

The audit is kept 30 days here instead of 400, so that its plateau too falls within the 60
days; every other lifetime is the default."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.config.models import Config
from bot.core.clock import FakeClock
from bot.core.events import Event, Kind, Outcome
from bot.delivery.worker import Deliverer
from bot.intake.accept import Pipeline
from bot.ops.health import Health
from bot.ops.telemetry import Metrics
from bot.store.sqlite.store import SqliteStore
from tests.fakes.chat import CountingChat

START = datetime(2026, 1, 1, tzinfo=UTC)
PIPELINES = 30
DAYS = 60
TABLES = ("seen_digests", "roots", "incidents", "incident_keys", "audit", "outbox", "digests")


def run(day: int, pipeline: int, step: int, at: datetime) -> Event:
    failed = step == 1 and (day + pipeline) % 5 == 0
    status = ("InProgress", "Failed" if failed else "Succeeded")[step]
    outcome = (Outcome.RUNNING, Outcome.FAILED if failed else Outcome.SUCCEEDED)[step]
    name = f"train-{pipeline}"
    return Event(
        id=f"{day}-{pipeline}-{step}",
        kind=Kind.CODEPIPELINE,
        key=f"codepipeline:123456789012:us-east-1:{name}:run-{day}",
        series=f"codepipeline:123456789012:us-east-1:{name}",
        name=name,
        title="Pipeline execution",
        status=status,
        outcome=outcome,
        time=at,
    )


def test_sixty_days_of_steady_traffic_reach_a_plateau(tmp_path: Path) -> None:
    config = Config.model_validate(
        {
            "retention": {"audit": "30d"},
            "routes": [{"match": {"kind": "codepipeline"}, "incident": True}],
        }
    )
    clock = FakeClock(START)
    store = SqliteStore(str(tmp_path / "mlpulse.db"), config.retention)
    pipeline = Pipeline(config, store, clock, Metrics())
    deliverer = Deliverer(store, CountingChat(), clock, config, Metrics(), Health())
    sizes: list[int] = []
    rows: list[dict[str, int]] = []
    for day in range(DAYS):
        for step in (0, 1):
            pipeline.submit([run(day, n, step, clock.now()) for n in range(PIPELINES)])
            while store.pending_count():
                deliverer.run_once()
            clock.advance(timedelta(hours=1).total_seconds())
        for _ in range(22):  # the rest of the day, pruned every hour
            store.prune(clock.now())
            clock.advance(timedelta(hours=1).total_seconds())
        sizes.append(store.size())
        rows.append(
            {t: store._db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}
        )

    # A week of events (2 a pipeline a day, one row each), a day's slack.
    assert rows[-1]["seen_digests"] <= 8 * 2 * PIPELINES
    assert rows[-1]["roots"] <= 31 * PIPELINES  # a month of runs
    assert rows[-1]["outbox"] == 0
    for table in TABLES:  # nothing grows in the last 20 days
        assert rows[-1][table] <= max(row[table] for row in rows[35:45]) * 1.05, (table, rows[-1])
    assert sizes[-1] <= max(sizes[35:45]) * 1.05, sizes
    assert sizes[-1] < sizes[29] * 1.3, sizes  # and it levelled off where the lifetimes end
    store.close()
