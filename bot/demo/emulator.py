"""AWS for the demo: a moto server in this process, on 127.0.0.1 and a free port.

Only the demo's own clients are pointed at it (bot.demo.aws); no AWS_* variable is set, so
nothing else in the process talks to it by accident. Its backends are emptied when it
starts and when it stops: moto keeps them per process, not per server.
"""

from __future__ import annotations

import logging
import urllib.request
from types import TracebackType

from moto.server import ThreadedMotoServer

_QUIET = logging.WARNING  # werkzeug logs every request at INFO


class EmbeddedAws:
    """`with EmbeddedAws() as url:` a running moto server's URL."""

    def __init__(self) -> None:
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._log = logging.getLogger("werkzeug")
        self._level = self._log.level
        self.url = ""

    def __enter__(self) -> str:
        self._log.setLevel(_QUIET)
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.url = f"http://{host}:{port}"
        self._reset()
        return self.url

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        try:
            self._reset()
        finally:
            self._server.stop()
            inner = getattr(self._server, "_server", None)
            if inner is not None:
                inner.server_close()  # the listening socket, which stop() leaves open
            self._log.setLevel(self._level)

    def _reset(self) -> None:
        """Empty every moto backend (all services, all regions) through moto's own API."""
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        request = urllib.request.Request(f"{self.url}/moto-api/reset", method="POST")
        with opener.open(request, timeout=10) as answer:
            answer.read()
