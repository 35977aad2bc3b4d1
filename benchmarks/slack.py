"""Figures that need Slack: a burst into one channel against a throttling fake Slack, the
slash-command acknowledgement, and a plain boto3+slack_sdk loop as a baseline."""

from __future__ import annotations

import copy
import hashlib
import hmac
import io
import json
import statistics
import tempfile
import time
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from unittest import mock

from benchmarks.pipeline import SAMPLE
from bot.app import App
from bot.config.models import Config
from bot.config.settings import Settings
from bot.core.clock import FakeClock
from bot.delivery.worker import Deliverer
from bot.ingress.http import Request
from bot.ingress.ingest import events_from
from bot.ingress.slack import interactions
from bot.intake.accept import Pipeline
from bot.ops.health import Health
from bot.ops.telemetry import Metrics
from bot.store.sqlite.store import SqliteStore
from notifiers.console import ConsoleNotifier
from notifiers.slack import SlackNotifier
from tests.fakes.slack_api import DEFAULT_TOKEN, FakeSlack

STATES = ("InProgress", "InProgress", "InProgress", "Completed", "Completed")  # 5 a job
SECRET = "bench-signing-secret"


def _job_events(jobs: int) -> list[dict[str, Any]]:
    base = json.loads(SAMPLE.read_text())
    events = []
    for step, status in enumerate(STATES):
        for n in range(jobs):
            doc = copy.deepcopy(base)
            doc["id"] = f"burst-{n}-{step}"
            doc["time"] = f"2026-11-25T03:{10 + step:02d}:{n % 60:02d}Z"
            doc["detail"]["TrainingJobName"] = f"hpo-1125-{n:03d}"
            doc["detail"]["TrainingJobStatus"] = status
            doc["detail"]["SecondaryStatus"] = (
                "Starting",
                "Downloading",
                "Training",
                "Uploading",
                "Completed",
            )[step]
            events.append(doc)
    return events


def burst(events: int = 1000) -> dict[str, float]:
    """1,000 training-job events (200 jobs x 5) into one channel; Slack allows 3 at once and
    one a second, on a fake clock. Posts made, events lost, 429s seen."""
    clock = FakeClock(datetime(2026, 11, 25, 3, 30, tzinfo=UTC))
    config = Config.model_validate({"default_channel": "#mlpulse"})
    with (
        tempfile.TemporaryDirectory() as folder,
        FakeSlack(clock=lambda: clock.now().timestamp(), post_limit=(3, 1.0)) as fake,
    ):
        store = SqliteStore(str(Path(folder) / "burst.db"))
        metrics = Metrics()
        notifier = SlackNotifier(DEFAULT_TOKEN, fake.url)
        deliverer = Deliverer(store, notifier, clock, config, metrics, Health())
        pipeline = Pipeline(config, store, clock, metrics)
        received = clock.now()
        for raw in _job_events(events // len(STATES)):
            pipeline.submit(events_from(raw, received))
            deliverer.run_once()
        for _ in range(3600):
            if not store.pending_count() and not store.dirty_digests():
                break
            clock.advance(1.0)
            deliverer.run_once()
        posts = fake.calls("chat.postMessage")
        shown = _sum(metrics, "mlpulse_events_delivered_total") + _sum(
            metrics, "mlpulse_events_grouped_total"
        )
        accepted = _sum(metrics, "mlpulse_events_received_total") - _sum(
            metrics, "mlpulse_events_deduped_total"
        )
        store.close()
    return {
        "burst_posts": float(len(posts)),
        "burst_lost": accepted - shown,
        "burst_429s": float(sum(1 for call in posts if call.answer != "ok")),
    }


def _sum(metrics: Metrics, name: str) -> float:
    return sum(
        sample.value
        for family in metrics.registry.collect()
        for sample in family.samples
        if sample.name == name
    )


def slash_ack_p99_ms(requests: int = 500) -> float:
    """`/mlpulse incidents`, signed, through the app's /slack/events handler, in process,
    one after another: the acknowledgement only (the listing follows through response_url).
    The work queue is made room for all of them, so that each is acknowledged as queued
    work, not turned away as busy (they come faster than the listings are answered)."""
    with (
        tempfile.TemporaryDirectory() as folder,
        FakeSlack() as fake,
        mock.patch.object(interactions, "WAITING", requests),
    ):
        settings = Settings(
            store=f"sqlite:///{folder}/slash.db",
            port=0,
            slack_bot_token=DEFAULT_TOKEN,  # type: ignore[arg-type]
            slack_signing_secret=SECRET,  # type: ignore[arg-type]
            slack_api_url=fake.url,
        )
        app = App(settings, Config(), notifier=ConsoleNotifier(io.StringIO()), sqs_clients={})
        assert app.slack is not None
        timings = []
        for n in range(requests):
            request = _signed_command("incidents", n, fake.response_url(f"t{n}"))
            started = time.perf_counter()
            response = app.slack.handle(request)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status == 200, response.body
        app.shutdown()  # lets the queued listings answer before the store closes
    return statistics.quantiles(timings, n=100)[98]


def _signed_command(text: str, n: int, response_url: str) -> Request:
    body = urllib.parse.urlencode(
        {
            "command": "/mlpulse",
            "text": text,
            "user_id": "U0BENCH",
            "channel_id": "C0MLPULSE",
            "team_id": "T0BENCH",
            "trigger_id": f"t{n}",
            "response_url": response_url,
        }
    ).encode()
    headers = {k.lower(): v for k, v in signed_headers(body, int(time.time())).items()}
    return Request("POST", "/slack/events", headers, body)


def signed_headers(body: bytes, timestamp: int) -> dict[str, str]:
    """The headers Slack sends with `body`, signed with the benchmarks' secret."""
    base = f"v0:{timestamp}:".encode() + body
    return {
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": "v0=" + hmac.new(SECRET.encode(), base, hashlib.sha256).hexdigest(),
        "Content-Type": "application/x-www-form-urlencoded",
    }
