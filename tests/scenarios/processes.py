"""Running `mlpulse run` as a real process in a scenario: the environment it gets, and
waiting on what it does. The process sees only what the test gives it: no MLPULSE_, SLACK_
or AWS_ variable of the machine running the tests, and no proxy (every peer is on
127.0.0.1)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.fakes.slack_api import DEFAULT_TOKEN

PROXIES = ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy")


def without_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    """This process's own clients (the tests') talk to 127.0.0.1 directly too."""
    for name in PROXIES:
        monkeypatch.delenv(name, raising=False)


def run_env(
    tmp_path: Path,
    *,
    store: str,
    queue_url: str,
    slack_url: str,
    aws_url: str,
    region: str,
    credentials: tuple[str, str] = ("testing", "testing"),
    **settings: str,
) -> dict[str, str]:
    """The environment of `mlpulse run` against the fakes, config in tmp_path/mlpulse.yaml;
    `settings` are more MLPULSE_ variables (`LEASE_SECONDS="5"`)."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("AWS_", "MLPULSE_", "SLACK_")) and name not in PROXIES
    }
    env.update(
        MLPULSE_STORE=store,
        MLPULSE_SQS_QUEUE_URLS=queue_url,
        MLPULSE_CONFIG=str(tmp_path / "mlpulse.yaml"),
        MLPULSE_SLACK_API_URL=slack_url,
        MLPULSE_PORT="0",
        SLACK_BOT_TOKEN=DEFAULT_TOKEN,
        AWS_ENDPOINT_URL=aws_url,
        AWS_DEFAULT_REGION=region,
        AWS_ACCESS_KEY_ID=credentials[0],
        AWS_SECRET_ACCESS_KEY=credentials[1],
        NO_PROXY="127.0.0.1,localhost",
    )
    env.update({f"MLPULSE_{name}": value for name, value in settings.items()})
    return env


def wait_until(
    what: str, ready: Callable[[], bool], timeout: float, why: Callable[[], str]
) -> None:
    """Poll `ready` until it holds; fail with `why()` (a log tail) after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout:g} s\n{why()}")
        time.sleep(0.02)
