"""The HTTP side of `mlpulse run`, as plain functions: a route table of handlers from a
`Request` to a `Response`, and the WSGI application that serves one (bot.ingress.server
runs it under waitress).

Handlers are plain functions, so tests can call them directly and scenarios can drive them
over real HTTP. A handler that raises answers 500 without detail (the error is logged).
Bodies over MAX_BODY never reach a handler: the server answers 413 before reading them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

log = logging.getLogger(__name__)
MAX_BODY = 1024 * 1024

# The WSGI calling convention (PEP 3333), typed as far as mlpulse uses it.
StartResponse = Callable[[str, list[tuple[str, str]]], Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


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
Routes = dict[tuple[str, str], Handler]


def dispatch(routes: Routes, request: Request) -> Response:
    handler = routes.get((request.method, request.path))
    if handler is None:
        known = {path for _, path in routes}
        return Response(405 if request.path in known else 404, b"not found\n")
    try:
        return handler(request)
    except Exception:
        log.exception("handler for %s %s failed", request.method, request.path)
        return Response(500, b"internal error\n")


def request_from(environ: dict[str, Any]) -> Request:
    """The request a WSGI server hands over. The server has read the whole body already
    (and refused one over its limit), so reading it here never waits on the client."""
    headers = {
        name[5:].replace("_", "-").lower(): str(value)
        for name, value in environ.items()
        if name.startswith("HTTP_")
    }
    for name in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(name):
            headers[name.replace("_", "-").lower()] = str(environ[name])
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    return Request(
        method=str(environ.get("REQUEST_METHOD", "GET")),
        path=str(environ.get("PATH_INFO", "/")),
        headers=headers,
        body=body,
        query=str(environ.get("QUERY_STRING", "")),
    )


def wsgi_app(routes: Routes) -> WsgiApp:
    """The route table as a WSGI application."""

    def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        response = dispatch(routes, request_from(environ))
        start_response(_status_line(response.status), _headers(response))
        return [response.body]

    return application


def _status_line(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"{status} Unknown"


def _headers(response: Response) -> list[tuple[str, str]]:
    return [
        ("Content-Type", response.content_type),
        ("Content-Length", str(len(response.body))),
        *response.headers.items(),
    ]
