"""`mlpulse demo`: the real pipeline, store and delivery on an embedded platform, with a
terminal standing in for Slack. Needs no AWS account and no Slack workspace."""

from __future__ import annotations

import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from bot.clock import SystemClock
from bot.config import Config
from bot.delivery import Deliverer
from bot.demo.script import script
from bot.health import Health
from bot.ingest import events_from
from bot.metrics import Metrics
from bot.pipeline import Pipeline
from bot.store.sqlite import SqliteStore
from notifiers.console import ConsoleNotifier

_DEMO_CONFIG = Config.model_validate(
    {
        "default_channel": "#ml-alerts",
        "routes": [
            {"match": {"kind": ["endpoint", "alarm", "model_monitor"]}, "channel": "#ml-serving"},
            {"match": {"kind": ["codepipeline", "codebuild"]}, "channel": "#ml-cicd"},
            {
                "match": {"kind": "training_job", "outcome": "failed", "tags": {"stage": "prod"}},
                "mention": "@here",
            },
        ],
    }
)


def run_demo(out: TextIO | None = None) -> int:
    out = out or sys.stdout
    with tempfile.TemporaryDirectory(prefix="mlpulse-demo-") as folder:
        store = SqliteStore(str(Path(folder) / "demo.db"))
        clock, metrics = SystemClock(), Metrics()
        notifier = ConsoleNotifier(out)
        deliverer = Deliverer(store, notifier, clock, _DEMO_CONFIG, metrics, Health())
        pipeline = Pipeline(_DEMO_CONFIG, store, clock, metrics)
        out.write("mlpulse demo: a morning on an ML platform, as Slack would show it\n")
        received = datetime.now(UTC)
        accepted = duplicates = 0
        for raw in script(datetime(2026, 11, 25, 3, 0, tzinfo=UTC)):
            submitted = pipeline.submit(events_from(raw, received))
            accepted += submitted.accepted
            duplicates += submitted.duplicates
            deliverer.drain(timeout=5)
        store.close()
    out.write(
        f"\n{accepted} alerts delivered, {duplicates} redelivered event(s) recognised and not "
        "posted again.\n"
    )
    return 0
