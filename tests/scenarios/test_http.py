"""`mlpulse run`'s HTTP side over real HTTP: liveness and readiness, metrics, bad requests,
SIGTERM. The server under load and attack: tests/scenarios/test_http_server.py."""

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
    # Also after a test that only stopped the loops: the scheduler's and the server's
    # threads would outlive it, and log against a closed store at the end of the run.
    if running.scheduler.running:
        running.shutdown()


def _get(app: App, path: str, data: bytes | None = None) -> tuple[int, bytes]:
    assert app.http is not None
    request = urllib.request.Request(f"http://127.0.0.1:{app.http.port}{path}", data=data)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_readyz_reports_each_component(app: App) -> None:
    status, body = _get(app, "/readyz")
    report = json.loads(body)
    assert status == 200
    assert report["status"] == "ok"
    assert set(report["components"]) == {"store", "queue", "slack_auth"}
    assert report["components"]["queue"]["detail"].startswith("no queue configured")


def test_healthz_is_liveness_and_stays_up_when_the_store_is_gone(app: App) -> None:
    assert json.loads(_get(app, "/healthz")[1]) == {"status": "ok"}
    app.store.close()
    status, body = _get(app, "/readyz")
    report = json.loads(body)
    assert status == 503
    assert report["components"]["store"]["ok"] is False
    assert _get(app, "/healthz")[0] == 200  # a restart would not bring the store back
    app.stop.set()  # the store is closed already; nothing left to shut down cleanly


def test_healthz_turns_red_when_a_part_of_the_process_died(app: App) -> None:
    app.stop.set()  # the delivery worker's loop ends, as it would on a crash
    app.deliverer.wake.set()  # at once, not after its idle wait (as long as the join below)
    for thread in app._threads:
        thread.join(timeout=5)
    status, body = _get(app, "/healthz")
    assert status == 503
    assert "delivery" in json.loads(body)["stopped"]
    app.stop.clear()


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


@pytest.mark.parametrize(
    "head",
    [
        b"POST /sns HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n",
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n",
    ],
    ids=["body", "headers"],
)
def test_oversized_requests_are_refused_unread(app: App, head: bytes) -> None:
    assert app.http is not None
    with socket.create_connection(("127.0.0.1", app.http.port), timeout=5) as client:
        # Only the headers are sent: the answer must come without waiting for the body.
        client.sendall(head)
        answer = client.recv(1024)
    status = answer.split(b" ", 2)[1]
    assert status in (b"413", b"431"), answer[:40]


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
