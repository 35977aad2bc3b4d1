"""A moto server for tests that run several real `mlpulse run` processes on one DynamoDB
table and one SQS queue (tests/scenarios/test_replicas.py).

moto applies a TransactWriteItems or a conditional write in Python without a lock, so two
concurrent requests can interleave inside one and both pass a condition that only one
would pass on DynamoDB. As in tests/unit/store/conftest.py, DynamoDB requests are answered
one at a time, which gives DynamoDB's guarantee while the replicas still race freely
between requests. Every other request (SQS, whose ReceiveMessage long-polls for up to 20 s)
is answered at once, concurrently, as AWS would.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

import boto3
import moto.dynamodb.models as dynamodb_models
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server

REGION = "us-east-1"
ACCESS_KEY = SECRET_KEY = "testing"


@contextmanager
def _one_snapshot_per_table() -> Iterator[None]:
    """moto's TransactWriteItems deep-copies the whole table once per item of the
    transaction (its rollback copy) before it changes anything: one copy per table is the
    same copy, and keeps a transaction of ten items from costing ten table copies."""
    models: Any = dynamodb_models
    real = getattr(models, "copy", None)
    table = getattr(models, "Table", None)
    if real is None or table is None:
        yield
        return
    taken: dict[int, tuple[object, object]] = {}

    def deepcopy(value: object, memo: Any = None) -> object:
        if not isinstance(value, table):
            return real.deepcopy(value, memo)
        if id(value) not in taken:
            taken[id(value)] = (value, real.deepcopy(value, memo))
        return taken[id(value)][1]

    models.copy = SimpleNamespace(deepcopy=deepcopy)
    try:
        yield
    finally:
        models.copy = real


class _QuietHandler(MotoRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass  # one line a request would bury the replicas' own logs


class SerialDynamoMotoServer:
    """A moto server on 127.0.0.1 (a free port) for every AWS service, DynamoDB serialised.

    moto applies a TransactWriteItems or a conditional write in Python without a lock, so
    two concurrent requests can interleave inside one and both pass a condition that only
    one would pass on DynamoDB, whose writes are atomic and transactions serializable.
    Serving DynamoDB one request at a time gives the race tests DynamoDB's guarantee; the
    clients still race freely between requests. Other services (SQS's long polls) are not
    held up."""

    def __init__(self) -> None:
        app = DomainDispatcherApplication(create_backend_app)
        lock = threading.Lock()

        def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            if str(environ.get("HTTP_X_AMZ_TARGET", "")).startswith("DynamoDB"):
                with lock, _one_snapshot_per_table():
                    return list(app(environ, start_response))
            return list(app(environ, start_response))

        self._server = make_server(
            "127.0.0.1", 0, serve, threaded=True, request_handler=_QuietHandler
        )
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        host, port = self._server.server_address[:2]
        self.url = f"http://{host!s}:{port}"

    def client(self, service: str) -> Any:
        """A boto3 client for `service` on this server, with dummy credentials."""
        return boto3.session.Session().client(
            service,  # type: ignore[call-overload]
            region_name=REGION,
            endpoint_url=self.url,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
        )

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join()
        self._server.server_close()


__all__ = ["ACCESS_KEY", "REGION", "SECRET_KEY", "SerialDynamoMotoServer"]
