"""`mlpulse run`'s HTTP server (bot.ingress.server) as a real process, under the load and
the attacks the standard library's server fell to (issue 17): 200 connections at once,
300 slowloris clients and 50 stalled bodies, clients that vanish mid-request. The read
deadline is 2 s here (MLPULSE_HTTP_READ_TIMEOUT), not the default 20 s."""

from __future__ import annotations

import http.client
import json
import select
import socket
import statistics
import struct
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.slack_api import FakeSlack
from tests.scenarios.processes import RunProcess, serve_env, start_run, without_proxies

READ_TIMEOUT_S = 2.0
AT_ONCE = 200
SLOWLORIS = 300
STALLED = 50


@pytest.fixture
def slack(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSlack]:
    without_proxies(monkeypatch)
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def run(tmp_path: Path, slack: FakeSlack) -> Iterator[RunProcess]:
    env = serve_env(tmp_path, slack.url, HTTP_READ_TIMEOUT=str(READ_TIMEOUT_S))
    running = start_run("run", env, tmp_path)
    try:
        yield running
    finally:
        running.stop()


def get(port: int, path: str = "/healthz") -> tuple[int, float]:
    """One request on a connection of its own: the status and the seconds it took."""
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status, time.monotonic() - started
    finally:
        connection.close()


def test_two_hundred_connections_at_once_are_all_answered(run: RunProcess) -> None:
    barrier = threading.Barrier(AT_ONCE)
    answers: list[str] = []

    def client() -> None:
        barrier.wait()
        try:
            with socket.create_connection(("127.0.0.1", run.port), timeout=20) as sock:
                sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                answer = b""
                while chunk := sock.recv(4096):
                    answer += chunk
            answers.append(answer.split(b"\r\n", 1)[0].decode())
        except OSError as error:
            answers.append(f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=client) for _ in range(AT_ONCE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(answers) == AT_ONCE
    assert [a for a in answers if a != "HTTP/1.1 200 OK"] == []


def test_slowloris_and_stalled_bodies_are_dropped_while_others_are_served(
    run: RunProcess,
) -> None:
    baseline = sorted(get(run.port)[1] for _ in range(20))
    opened: dict[socket.socket, float] = {}
    trickling: set[socket.socket] = set()
    for n in range(SLOWLORIS + STALLED):
        sock = socket.create_connection(("127.0.0.1", run.port), timeout=5)
        if n < SLOWLORIS:  # headers that never end, a line at a time
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            trickling.add(sock)
        else:  # headers done, a body that never comes
            sock.sendall(b"POST /sns HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{")
        sock.setblocking(False)
        opened[sock] = time.monotonic()

    latencies: list[float] = []
    statuses: list[int] = []
    done = threading.Event()

    def normal_traffic() -> None:
        while not done.is_set():
            status, seconds = get(run.port)
            statuses.append(status)
            latencies.append(seconds)
            time.sleep(0.05)

    traffic = threading.Thread(target=normal_traffic)
    traffic.start()
    closed: dict[socket.socket, float] = {}
    deadline = time.monotonic() + READ_TIMEOUT_S + 6
    try:
        while len(closed) < len(opened) and time.monotonic() < deadline:
            for sock in [s for s in opened if s not in closed]:
                try:
                    if _closed_by_peer(sock):
                        closed[sock] = time.monotonic()
                    elif sock in trickling:  # one more header line: never idle
                        sock.send(b"X-Trickle: 1\r\n")
                except OSError:  # reset: the server closed it
                    closed[sock] = time.monotonic()
            time.sleep(0.25)
    finally:
        done.set()
        traffic.join(timeout=30)
        for sock in opened:
            sock.close()

    assert len(closed) == len(opened), f"{len(opened) - len(closed)} slow sockets still open"
    held = sorted(closed[sock] - opened[sock] for sock in opened)
    assert held[0] >= READ_TIMEOUT_S - 0.25, "a slow client was dropped before its deadline"
    assert held[-1] <= READ_TIMEOUT_S + 4, f"slowest drop after {held[-1]:.1f} s"
    assert statuses and set(statuses) == {200}
    typical = statistics.median(baseline)
    assert statistics.median(latencies) < max(0.1, 5 * typical), (typical, latencies)
    assert max(latencies) < 2.0, sorted(latencies)[-5:]


def _closed_by_peer(sock: socket.socket) -> bool:
    readable, _, _ = select.select([sock], [], [], 0)
    if not readable:
        return False
    data = sock.recv(4096)  # an answer (a 408 or 400) then the close, or the close alone
    return not data or _closed_by_peer(sock)


def test_logs_stay_one_json_object_a_line_through_client_disconnects(
    run: RunProcess,
) -> None:
    for _ in range(20):
        # Connect and vanish; half a request then a reset; a whole request whose answer
        # is never read, then a reset; a body cut short.
        socket.create_connection(("127.0.0.1", run.port)).close()
        with _resetting(run.port) as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHo")
        with _resetting(run.port) as sock:
            sock.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        with _resetting(run.port) as sock:
            sock.sendall(b"POST /sns HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n{}")
    assert get(run.port)[0] == 200  # still serving
    assert run.stop() == 0
    lines = [line for line in run.text().splitlines() if line.strip()]
    assert any("listening on" in line for line in lines)
    for line in lines:
        assert isinstance(json.loads(line), dict), line


class _resetting:
    """A connection closed with a reset (SO_LINGER 0), as a crashed client's is."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port))

    def __enter__(self) -> socket.socket:
        return self.sock

    def __exit__(self, *exc_info: object) -> None:
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.close()
