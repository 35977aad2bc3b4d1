"""Liveness and readiness of a real `mlpulse run` process through a Slack outage and a bad
token (issue 17): `/healthz` stays 200, `/readyz` says what is wrong, every failed check is
an ERROR line and `mlpulse_slack_auth_ok` is 0; identifiers stay on the metrics port."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.slack_api import DEFAULT_TOKEN, FakeSlack, ServerError
from tests.scenarios.processes import RunProcess, serve_env, start_run, wait_until, without_proxies

CHECK_S = 0.3  # MLPULSE_SLACK_CHECK_SECONDS here (300 by default)


@pytest.fixture
def slack(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSlack]:
    without_proxies(monkeypatch)
    with FakeSlack() as fake:
        yield fake


def get(port: int, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def errors(run: RunProcess, about: str) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in run.text().splitlines() if line.startswith("{")]
    return [line for line in lines if line["level"] == "error" and about in line["message"]]


def test_a_slack_outage_keeps_liveness_while_readiness_says_what_is_wrong(
    tmp_path: Path, slack: FakeSlack
) -> None:
    slack.token = "xoxb-another-workspace"  # the bot's token is refused: invalid_auth
    run = start_run(
        "run", serve_env(tmp_path, slack.url, SLACK_CHECK_SECONDS=str(CHECK_S)), tmp_path
    )
    try:
        # Said at start-up, before the first request, and again at every failed check.
        assert errors(run, "Slack token check failed: invalid_auth"), run.tail()
        wait_until(
            "a failed re-check",
            lambda: len(errors(run, "invalid_auth")) >= 3,
            15,
            run.tail,
        )
        assert get(run.port, "/healthz") == (200, '{"status": "ok"}')
        status, body = get(run.port, "/readyz")
        assert status == 503
        auth = json.loads(body)["components"]["slack_auth"]
        assert auth["ok"] is False and auth["detail"] == "auth.test failed: invalid_auth"
        assert "mlpulse_slack_auth_ok 0.0" in get(run.port, "/metrics")[1]

        # Slack itself down (HTTP 500): still alive, still not ready.
        slack.token = DEFAULT_TOKEN
        slack.fail("auth.test", *[ServerError()] * 1000)
        wait_until("a 500 seen", lambda: bool(errors(run, "failed: http_500.")), 15, run.tail)
        assert get(run.port, "/healthz")[0] == 200
        assert "http_500" in get(run.port, "/readyz")[1]
        logged = [json.loads(line) for line in run.text().splitlines() if line.startswith("{")]
        assert not [line for line in logged if line["logger"].startswith("slack_sdk")]

        # Back: ready again at the next check, the gauge at 1.
        slack.clear_faults("auth.test")
        wait_until("ready again", lambda: get(run.port, "/readyz")[0] == 200, 15, run.tail)
        assert "mlpulse_slack_auth_ok 1.0" in get(run.port, "/metrics")[1]
    finally:
        assert run.stop() == 0


def test_identifiers_only_on_the_metrics_port(tmp_path: Path, slack: FakeSlack) -> None:
    run = start_run("run", serve_env(tmp_path, slack.url, METRICS_PORT="0"), tmp_path)
    try:
        public, metrics = run.ports()
        assert get(public, "/metrics")[0] == 404
        assert "mlpulse_slack_auth_ok 1.0" in get(metrics, "/metrics")[1]
        shown = get(public, "/readyz")
        assert shown[0] == 200
        assert str(tmp_path) not in shown[1] and "mlpulse-test" not in shown[1]
        detailed = json.loads(get(metrics, "/readyz")[1])
        assert detailed["components"]["slack_auth"]["identity"] == "mlpulse in mlpulse-test"
        assert get(metrics, "/healthz")[0] == 200
    finally:
        assert run.stop() == 0
