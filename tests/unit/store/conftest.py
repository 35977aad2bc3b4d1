"""The contract suite's stores: every test taking `store` runs against a SqliteStore in
tmp_path and a DynamoDBStore on a moto server (a fresh table each test, one server per
module). `twin` is a second store object on the same data: another connection to the
file, another DynamoDBStore (and client) on the table, as a second replica would have."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import moto.dynamodb.models as dynamodb_models
import pytest
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server

from bot.events import Event, Kind, Outcome, Severity
from bot.routing import Decision
from bot.status import outcome_of
from bot.store import Store
from bot.store.dynamodb import DynamoDBStore
from bot.store.sqlite import SqliteStore
from tests.fakes.moto import aws_client

T0 = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
ROUTED = Decision(channel="#mlpulse", severity=Severity.CRITICAL, incident=True)
QUIET = Decision(channel="#mlpulse", severity=Severity.INFO, incident=False)


@contextmanager
def _one_snapshot_per_table() -> Iterator[None]:
    """moto's TransactWriteItems deep-copies the whole table once per item of the
    transaction (its rollback copy), all before it changes anything: one copy per table is
    the same copy, and keeps a 100-item transaction from costing 100 table copies."""
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


class SerialMotoServer:
    """A moto server that answers one request at a time.

    moto applies a TransactWriteItems or a conditional write in Python without a lock, so
    two concurrent requests can interleave inside one and both pass a condition that only
    one would pass on DynamoDB, whose writes are atomic and transactions serializable.
    Serving requests one at a time gives the race tests DynamoDB's guarantee; the clients
    still race freely between requests."""

    def __init__(self) -> None:
        app = DomainDispatcherApplication(create_backend_app)
        lock = threading.Lock()

        def serial(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            with lock, _one_snapshot_per_table():
                return list(app(environ, start_response))

        self._server = make_server(
            "127.0.0.1", 0, serial, threaded=True, request_handler=MotoRequestHandler
        )
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        host, port = self._server.server_address[:2]
        self.url = f"http://{host!s}:{port}"

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join()
        self._server.server_close()


@pytest.fixture(scope="module")
def dynamo_url() -> Iterator[str]:
    server = SerialMotoServer()
    try:
        yield server.url
    finally:
        server.stop()


def dynamo_store(url: str, table: str) -> DynamoDBStore:
    return DynamoDBStore(table, client=aws_client("dynamodb", url))


@pytest.fixture(params=["sqlite", "dynamodb"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    opened: Store
    if request.param == "sqlite":
        opened = SqliteStore(str(tmp_path / "mlpulse.db"))
    else:
        opened = dynamo_store(request.getfixturevalue("dynamo_url"), f"t-{uuid.uuid4().hex}")
    yield opened
    opened.close()


@pytest.fixture
def twin(store: Store, request: pytest.FixtureRequest) -> Iterator[Store]:
    opened: Store
    if isinstance(store, SqliteStore):
        opened = SqliteStore(store.path)
    else:
        assert isinstance(store, DynamoDBStore)
        opened = dynamo_store(request.getfixturevalue("dynamo_url"), store.table)
    yield opened
    opened.close()


def later(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def event(
    event_id: str = "e-1",
    name: str = "churn-xgb-7",
    status: str = "Failed",
    at: datetime = T0,
    kind: Kind = Kind.TRAINING_JOB,
    **fields: Any,
) -> Event:
    values: dict[str, Any] = {
        "id": event_id,
        "kind": kind,
        "key": f"{kind.value}:123456789012:eu-west-1:{name}",
        "name": name,
        "title": "Training job",
        "status": status,
        "outcome": outcome_of(status),
        "time": at,
    }
    values.update(fields)
    return Event(**values)


def alarm(name: str = "ServerCpuTooHigh", ok: bool = False, minute: float = 0) -> Event:
    status = "OK" if ok else "ALARM"
    return event(
        f"{name}-{status}-{minute}",
        name=name,
        status=status,
        at=later(60 * minute),
        kind=Kind.ALARM,
        outcome=Outcome.SUCCEEDED if ok else Outcome.FAILED,
    )


KEY = event().key
