"""The HTTP side of `mlpulse run`: a small threaded server and a route table.

Handlers are plain functions from a `Request` to a `Response`, so tests can call them
directly and scenarios can drive them over real HTTP. A handler that raises answers 500
without detail (the error is logged); bodies over the size limit answer 413 unread.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

log = logging.getLogger(__name__)
MAX_BODY = 1024 * 1024


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]  # lower-cased names
    body: bytes
    query: str = ""


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


def json_response(status: int, data: Any) -> Response:
    return Response(status, json.dumps(data).encode(), "application/json")


Handler = Callable[[Request], Response]


class HttpServer:
    def __init__(
        self, routes: dict[tuple[str, str], Handler], port: int, host: str = "0.0.0.0"
    ) -> None:
        self.routes = routes
        handler = _make_handler(routes)
        self.server = _Server((host, port), handler)
        self.server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def start(self) -> None:
        self._thread = threading.Thread(target=self.server.serve_forever, name="http", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class _Server(ThreadingHTTPServer):
    request_queue_size = 1024  # the default 5 drops connects when Slack sends 200 at once


def dispatch(routes: dict[tuple[str, str], Handler], request: Request) -> Response:
    handler = routes.get((request.method, request.path))
    if handler is None:
        known = {path for _, path in routes}
        return Response(405 if request.path in known else 404, b"not found\n")
    try:
        return handler(request)
    except Exception:
        log.exception("handler for %s %s failed", request.method, request.path)
        return Response(500, b"internal error\n")


def _make_handler(routes: dict[tuple[str, str], Handler]) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        server_version = "mlpulse"
        sys_version = ""

        def do_GET(self) -> None:
            self._handle(b"")

        def do_POST(self) -> None:
            length_header = self.headers.get("Content-Length", "0")
            try:
                length = int(length_header)
            except ValueError:
                self._send(Response(400, b"bad Content-Length\n"))
                return
            if length < 0 or length > MAX_BODY:
                self.close_connection = True
                self._send(Response(413, b"body too large\n"))
                return
            self._handle(self.rfile.read(length))

        def _handle(self, body: bytes) -> None:
            path, _, query = self.path.partition("?")
            request = Request(
                method=self.command,
                path=path,
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
                query=query,
            )
            self._send(dispatch(routes, request))

        def _send(self, response: Response) -> None:
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(response.body)

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("http %s", format % args)

    return _Handler
