"""Running `mlpulse run` as a real process in a scenario: the environment it gets, and
waiting on what it does. The process sees only what the test gives it: no MLPULSE_, SLACK_
or AWS_ variable of the machine running the tests, and no proxy (every peer is on
127.0.0.1)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
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


def serve_env(tmp_path: Path, slack_url: str, **settings: str) -> dict[str, str]:
    """The environment of an HTTP-only `mlpulse run` (no queue, SQLite in tmp_path) against
    the fake Slack; `settings` are more MLPULSE_ variables (`HTTP_READ_TIMEOUT="2"`)."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("AWS_", "MLPULSE_", "SLACK_")) and name not in PROXIES
    }
    config = tmp_path / "mlpulse.yaml"
    if not config.exists():
        config.write_text('default_channel: "#mlpulse"\n', encoding="utf-8")
    env.update(
        MLPULSE_STORE=f"sqlite:///{tmp_path / 'mlpulse.db'}",
        MLPULSE_CONFIG=str(config),
        MLPULSE_SLACK_API_URL=slack_url,
        MLPULSE_PORT="0",
        MLPULSE_HOST="127.0.0.1",
        SLACK_BOT_TOKEN=DEFAULT_TOKEN,
        AWS_DEFAULT_REGION="us-east-1",
        AWS_ENDPOINT_URL="http://127.0.0.1:9",  # nothing listens: no AWS is asked
        NO_PROXY="127.0.0.1,localhost",
    )
    env.update({f"MLPULSE_{name}": value for name, value in settings.items()})
    return env


_LISTENING = re.compile(r"listening on [^\s:]+:(\d+)(?: \(metrics on :(\d+)\))?")


@dataclass
class RunProcess:
    """A `mlpulse run` process, its standard error (and output) in `log`."""

    process: subprocess.Popen[bytes]
    log: Path

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.text().splitlines()[-lines:])

    def ports(self) -> list[int]:
        """Its listening ports, once it says it listens: the main one, then metrics."""
        found = _LISTENING.search(self.text())
        return [int(port) for port in found.groups() if port] if found else []

    @property
    def port(self) -> int:
        return self.ports()[0]

    def stop(self) -> int:
        """SIGTERM, and its exit status (killed after 15 s)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                return self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
        return self.process.wait(timeout=10)


def start_run(name: str, env: dict[str, str], cwd: Path, timeout: float = 30) -> RunProcess:
    """Start `mlpulse run` and wait until it listens."""
    log = cwd / f"{name}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run"],
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    run = RunProcess(process, log)
    wait_until(
        f"{name} listening",
        lambda: bool(run.ports()) or process.poll() is not None,
        timeout,
        run.tail,
    )
    if process.poll() is not None:
        pytest.fail(f"{name} exited with {process.returncode}\n{run.tail()}")
    return run
