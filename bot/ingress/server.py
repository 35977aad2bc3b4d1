"""The HTTP server of `mlpulse run`: the route tables of bot.ingress.http, as WSGI
applications, under waitress.

Why waitress: it is a maintained production WSGI server in pure Python, and it serves from
inside this process. mlpulse's delivery worker, SQS consumer, incident scheduler and Socket
Mode client are threads of the same process and share its store connection, so a pre-fork
server (gunicorn) would either duplicate them in every worker or need them split into a
process of their own; an ASGI server (uvicorn) would put an event loop in front of Bolt,
whose listeners are blocking and run on the request's thread. Waitress reads requests on
one non-blocking loop and hands only complete ones to a small pool of threads, so a client
that trickles its headers costs a socket, not a thread.

What it is set to do (and what the standard library server did not):
- a listen backlog of BACKLOG, so 200 connections at once wait in the kernel, not reset;
- `poll`, not `select`, so more than 1,024 open sockets do not stop the loop;
- a whole request (headers and body) must arrive within `read_timeout` seconds of its
  first byte, or of the connection opening: a slowloris client is closed then. Waitress's
  own timeout counts from the last byte received, which a trickle keeps fresh, so the
  deadline is kept here (_Channel, _Server.maintenance);
- idle kept-alive connections close after IDLE_S, longer than a load balancer's 60 s
  default, so that the balancer, not mlpulse, closes them;
- headers over MAX_HEADERS and bodies over bot.ingress.http's MAX_BODY answer 413 unread;
- no reverse DNS lookup at start-up, tracebacks never in answers, and client disconnects
  are not logged: they are the client's business (bot.ops.logs quiets waitress's loggers).

One loop thread serves every listener (the main port and, when set, the metrics port);
WORKERS threads run the handlers, which only acknowledge and queue their work.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from waitress import wasyncore
from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import TcpWSGIServer
from waitress.task import ThreadedTaskDispatcher

from bot.ingress.http import MAX_BODY, Routes, wsgi_app

log = logging.getLogger(__name__)
BACKLOG = 2048
CONNECTIONS = 4000  # open sockets at most; past that, new ones wait in the backlog
WORKERS = 16
IDLE_S = 75
READ_TIMEOUT_S = 20.0
MAX_HEADERS = 64 * 1024
_LOOP_S = 0.5  # the loop wakes at least this often: deadlines are checked to about this


@dataclass(frozen=True)
class Listener:
    """One address to serve `routes` on; port 0 takes a free one."""

    routes: Routes
    port: int
    host: str = "0.0.0.0"


class _Channel(HTTPChannel):  # type: ignore[misc]
    """A connection that knows when the request it is receiving began: at its first byte,
    or when the connection opened, until a first request is complete."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.began: float | None = self.creation_time

    def received(self, data: bytes) -> bool:
        if self.request is None and self.began is None and data:
            self.began = time.time()
        handled = bool(super().received(data))
        if self.request is None:  # nothing half-read: the next request has not begun
            self.began = None
        return handled


class _Server(TcpWSGIServer):  # type: ignore[misc]
    channel_class = _Channel
    read_timeout = READ_TIMEOUT_S

    def maintenance(self, now: float) -> None:
        super().maintenance(now)  # idle connections, by waitress's channel_timeout
        cutoff = now - self.read_timeout
        for channel in list(self.active_channels.values()):
            began = getattr(channel, "began", None)
            if began is not None and began < cutoff and not channel.requests:
                channel.will_close = True


class HttpServer:
    """Serves each listener from one loop thread and WORKERS handler threads."""

    def __init__(self, *listeners: Listener, read_timeout: float = READ_TIMEOUT_S) -> None:
        self._map: dict[int, Any] = {}
        self._tasks = ThreadedTaskDispatcher()
        self._tasks.set_thread_count(WORKERS)
        self._servers: list[_Server] = []
        for listener in listeners:
            adjustments = _adjustments(listener, read_timeout)
            server = _Server(
                wsgi_app(listener.routes),
                self._map,
                dispatcher=self._tasks,
                adj=adjustments,
                sockinfo=adjustments.listen[0],
            )
            server.read_timeout = read_timeout
            self._servers.append(server)
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The first listener's port (the one Slack and SNS post to)."""
        return self.ports[0]

    @property
    def ports(self) -> list[int]:
        return [int(server.effective_port) for server in self._servers]

    def start(self) -> None:
        self._thread = threading.Thread(target=self._serve, name="http", daemon=True)
        self._thread.start()

    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self) -> None:
        self._stopping.set()
        if self._servers:
            self._servers[0].pull_trigger()  # wake the loop now
        if self._thread is not None:
            self._thread.join(timeout=5)
        wasyncore.close_all(self._map)
        self._tasks.shutdown(timeout=2)

    def _serve(self) -> None:
        while not self._stopping.is_set():
            wasyncore.loop(timeout=_LOOP_S, use_poll=True, map=self._map, count=1)


def _adjustments(listener: Listener, read_timeout: float) -> Adjustments:
    return Adjustments(
        host=listener.host,
        port=listener.port,
        ident="mlpulse",
        backlog=BACKLOG,
        connection_limit=CONNECTIONS,
        channel_timeout=IDLE_S,
        cleanup_interval=max(1, min(int(read_timeout / 2), 10)),
        max_request_header_size=MAX_HEADERS,
        max_request_body_size=MAX_BODY,
        asyncore_use_poll=True,
        asyncore_loop_timeout=1,
        expose_tracebacks=False,
        log_socket_errors=False,
        threads=WORKERS,
    )
