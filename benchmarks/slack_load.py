"""The slash-command acknowledgement over real HTTP under load (SPEC §7, issues 13 and 17):
200 signed `/mlpulse jobs` (an AWS-backed command, answered through response_url) sent to a
running mlpulse (its HTTP server: bot.ingress.server, waitress) at once, again spread over
one second (200 requests/s), and again from 20 clients, each sending its next as soon as
its last is acknowledged (20 concurrent connections at all times).

"Running" means it has answered one command before: the first AWS command of a process
loads botocore's service models (a one-off ~70 ms of CPU that holds the interpreter), and
that is start-up, not load.

Three processes, so that no side's work steals the interpreter from another's:
  this one     the 200 clients, each on its own thread and connection, timing its answer
  the app      bot.app.App, started as `mlpulse run` starts it, on the demo's clock
  the world    AWS (a moto server seeded with the demo's platform) and Slack (the fake Web
               API, which keeps what is posted to each response_url)
An acknowledgement is timed from just before the client connects to its last byte read.
"""

from __future__ import annotations

import http.client
import logging
import multiprocessing
import statistics
import tempfile
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from typing import Any

from benchmarks.slack import SECRET, signed_headers

REQUESTS = 200
ANSWERED_S = 180.0  # how long the world waits for every answer before giving up


def figures(spread_s: float, clients: int | None = None) -> dict[str, float]:
    """200 commands at once (`spread_s` 0) or spread evenly over `spread_s` seconds, or
    sent by `clients` clients one after another: ack p99 and slowest in ms, answers other
    than 200, and commands answered through response_url (and how long until the last
    was)."""
    spawn = multiprocessing.get_context("spawn")
    world_end, world_here = spawn.Pipe()
    app_end, app_here = spawn.Pipe()
    world = spawn.Process(target=_world, args=(world_end,), daemon=True)
    world.start()
    try:
        moto_url, slack_url, signed_at = world_here.recv()
        app = spawn.Process(
            target=_app, args=(app_end, moto_url, slack_url, signed_at), daemon=True
        )
        app.start()
        try:
            port = app_here.recv()
            _send_all(port, slack_url, signed_at, ["warm"], 0)  # see "Running" above
            world_here.send(("answered", ["warm"]))
            world_here.recv()
            tokens = [f"bench{n}" for n in range(REQUESTS)]
            started = time.time()
            timings = _send_all(port, slack_url, signed_at, tokens, spread_s, clients)
            world_here.send(("answered", tokens))
            answered, last_answer = world_here.recv()
            answered_s = last_answer - started
        finally:
            app_here.send("stop")
            app.join(30)
    finally:
        world_here.send(("stop", None))
        world.join(30)
    acks = [ms for status, ms in timings if status == 200]
    return {
        "ack_p99_ms": _p99(acks),
        "ack_max_ms": max(acks, default=float("inf")),
        "not_200": float(sum(status != 200 for status, _ in timings)),
        "answered": float(answered),
        "answered_s": answered_s,
    }


def _p99(timings: list[float]) -> float:
    """Within what was measured: the exclusive method reaches past the slowest when few
    requests were acknowledged."""
    if len(timings) < 2:
        return float("inf")
    return statistics.quantiles(timings, n=100, method="inclusive")[98]


def _send_all(
    port: int,
    slack_url: str,
    signed_at: int,
    tokens: list[str],
    spread_s: float,
    clients: int | None = None,
) -> list[tuple[int, float]]:
    bodies = [_command_body(slack_url, token, n) for n, token in enumerate(tokens)]
    gate = threading.Barrier(clients or len(tokens))

    def one(n: int) -> tuple[int, float]:
        if clients is None or n < clients:  # every client starts together
            gate.wait(timeout=60)
        if spread_s:
            time.sleep(spread_s * n / len(tokens))
        return _post(port, bodies[n], signed_headers(bodies[n], signed_at))

    with ThreadPoolExecutor(max_workers=clients or len(tokens)) as pool:
        return list(pool.map(one, range(len(tokens))))


def _post(port: int, body: bytes, headers: dict[str, str]) -> tuple[int, float]:
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("POST", "/slack/events", body, headers)
        response = connection.getresponse()
        response.read()
        status = response.status
    except OSError:
        status = 0
    finally:
        connection.close()
    return status, (time.perf_counter() - started) * 1000


def _command_body(slack_url: str, token: str, n: int) -> bytes:
    response_url = slack_url.removesuffix("/api/") + f"/response/{token}"
    return urllib.parse.urlencode(
        {
            "command": "/mlpulse",
            "text": "jobs",
            "user_id": f"U{n:04d}",
            "channel_id": "C0MLPULSE",
            "team_id": "T0BENCH",
            "trigger_id": f"bench.{n}.{time.monotonic_ns()}",
            "response_url": response_url,
        }
    ).encode()


# --- the other two processes


def _world(pipe: Connection) -> None:
    """AWS and Slack: answers `("answered", tokens)` with how many tokens got an answer
    and when the last did (epoch seconds), until `("stop", _)`."""
    from bot.demo.aws import DemoAws
    from bot.demo.platform import seed_platform
    from tests.fakes.moto import MotoServer
    from tests.fakes.slack_api import FakeSlack
    from tests.unit.commands.platform import NOW

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's line per request
    moto = MotoServer()
    seed_platform(DemoAws(moto.url))
    with FakeSlack() as slack:
        pipe.send((moto.url, slack.url, int(NOW.timestamp())))
        while True:
            what, tokens = pipe.recv()
            if what == "stop":
                break
            pipe.send(_answered(slack, tokens))
    moto.stop()


def _answered(slack: Any, tokens: list[str]) -> tuple[int, float]:
    deadline = time.monotonic() + ANSWERED_S
    while True:
        done = sum(bool(slack.responses(token)) for token in tokens)
        if done == len(tokens) or time.monotonic() > deadline:
            return done, time.time()
        time.sleep(0.05)


def _app(pipe: Connection, moto_url: str, slack_url: str, signed_at: int) -> None:
    """`mlpulse run` on the demo's platform and clock; sends its port, stops when told."""
    from datetime import UTC, datetime

    from bot.app import App
    from bot.config.models import Config
    from bot.config.settings import Settings
    from bot.core.clock import FakeClock
    from bot.demo.aws import DemoAws
    from tests.fakes.slack_api import DEFAULT_TOKEN

    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            store=f"sqlite:///{folder}/bench.db",
            port=0,
            slack_bot_token=DEFAULT_TOKEN,  # type: ignore[arg-type]
            slack_signing_secret=SECRET,  # type: ignore[arg-type]
            slack_api_url=slack_url,
        )
        clock = FakeClock(datetime.fromtimestamp(signed_at, UTC))
        app = App(settings, Config(), clock=clock, sqs_clients={}, aws=DemoAws(moto_url))
        app.start(port=0)
        assert app.http is not None
        pipe.send(app.http.port)
        pipe.recv()
        app.shutdown()
