"""`mlpulse run`'s HTTP side over real HTTP: health, metrics, bad requests, SIGTERM."""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app import App
from bot.config.models import Config
from bot.config.settings import Settings
from bot.ingress.ingest import events_from, parse_document
from notifiers.console import ConsoleNotifier
from tests.conftest import FIXTURES


@pytest.fixture
def app(tmp_path: Path) -> Iterator[App]:
    settings = Settings(store=f"sqlite:///{tmp_path / 'http.db'}", port=0)
    running = App(settings, Config(), notifier=ConsoleNotifier(io.StringIO()), sqs_clients={})
    running.start(port=0)
    yield running
    if not running.stop.is_set():
        running.shutdown()


def _get(app: App, path: str, data: bytes | None = None) -> tuple[int, bytes]:
    assert app.http is not None
    request = urllib.request.Request(f"http://127.0.0.1:{app.http.port}{path}", data=data)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_healthz_reports_each_component(app: App) -> None:
    status, body = _get(app, "/healthz")
    report = json.loads(body)
    assert status == 200
    assert report["status"] == "ok"
    assert set(report["components"]) == {"store", "queue", "slack"}
    assert report["components"]["queue"]["detail"].startswith("no queue configured")


def test_healthz_turns_red_when_the_store_is_gone(app: App) -> None:
    app.store.close()
    status, body = _get(app, "/healthz")
    report = json.loads(body)
    assert status == 503
    assert report["components"]["store"]["ok"] is False
    app.stop.set()  # the store is closed already; nothing left to shut down cleanly


def test_metrics_count_received_events_by_kind(app: App) -> None:
    document = parse_document(
        (FIXTURES / "sagemaker-training-job-state-change-completed.json").read_text()
    )
    app.pipeline.submit(events_from(document, app.clock.now()))
    status, body = _get(app, "/metrics")
    text = body.decode()
    assert status == 200
    assert 'mlpulse_events_received_total{kind="training_job"} 1.0' in text
    assert "mlpulse_outbox_depth" in text


def test_unknown_routes_and_methods(app: App) -> None:
    assert _get(app, "/nope")[0] == 404
    assert _get(app, "/healthz", data=b"{}")[0] == 405


def test_oversized_body_is_refused_unread(app: App) -> None:
    assert app.http is not None
    with socket.create_connection(("127.0.0.1", app.http.port), timeout=5) as client:
        # Only the headers are sent: the answer must come without waiting for the body.
        client.sendall(b"POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n")
        answer = client.recv(1024)
    assert answer.startswith(b"HTTP/1.0 413") or answer.startswith(b"HTTP/1.1 413")


def test_sigterm_stops_run_within_ten_seconds(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "MLPULSE_SLACK_API_URL": "http://127.0.0.1:9/api/",  # nothing listens: Slack is down
        "MLPULSE_STORE": f"sqlite:///{tmp_path / 'run.db'}",
        "MLPULSE_PORT": "0",
    }
    env.pop("MLPULSE_SQS_QUEUE_URLS", None)
    with subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run"],
        env=env,
        cwd=tmp_path,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        assert process.stderr is not None
        for line in process.stderr:
            if "listening on" in line:
                break
        else:
            pytest.fail("mlpulse run never started listening")
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        assert time.monotonic() - started < 10
