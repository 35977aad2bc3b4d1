"""bot.ingress.http's WSGI adapter and bot.ingress.server's listeners, in process (under
load and attack, as a real process: tests/scenarios/test_http_server.py)."""

from __future__ import annotations

import io
import socket
import urllib.error
import urllib.request
from typing import Any

import pytest

from bot.ingress.http import Request, Response, request_from, wsgi_app
from bot.ingress.server import HttpServer, Listener


def test_a_wsgi_request_becomes_a_request() -> None:
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/slack/events",
        "QUERY_STRING": "a=1",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": "9",
        "HTTP_X_SLACK_RETRY_NUM": "1",
        "wsgi.input": io.BytesIO(b"text=help and more"),
    }
    assert request_from(environ) == Request(
        "POST",
        "/slack/events",
        {
            "x-slack-retry-num": "1",
            "content-type": "application/x-www-form-urlencoded",
            "content-length": "9",
        },
        b"text=help",
        "a=1",
    )


def test_a_response_is_answered_with_its_status_and_headers() -> None:
    started: list[Any] = []
    app = wsgi_app({("GET", "/x"): lambda r: Response(503, b"no", headers={"X-A": "1"})})
    body = app(
        {"REQUEST_METHOD": "GET", "PATH_INFO": "/x", "wsgi.input": io.BytesIO()},
        lambda status, headers: started.append((status, headers)),
    )
    assert list(body) == [b"no"]
    assert started == [
        (
            "503 Service Unavailable",
            [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", "2"), ("X-A", "1")],
        )
    ]


def test_two_listeners_serve_their_own_routes_without_a_reverse_lookup(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_dns(*args: object) -> str:
        raise AssertionError("a reverse DNS lookup at start-up")

    monkeypatch.setattr(socket, "getfqdn", no_dns)
    monkeypatch.setattr(socket, "gethostbyaddr", no_dns)
    server = HttpServer(
        Listener({("GET", "/a"): lambda r: Response(200, b"main")}, 0, "127.0.0.1"),
        Listener({("GET", "/b"): lambda r: Response(200, b"metrics")}, 0, "127.0.0.1"),
    )
    server.start()
    try:
        main, metrics = server.ports
        for port, path, status in ((main, "/a", 200), (main, "/b", 404), (metrics, "/b", 200)):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as a:
                    assert a.status == status
            except urllib.error.HTTPError as error:
                assert error.code == status
        assert server.alive()
    finally:
        server.stop()
    assert not server.alive()
