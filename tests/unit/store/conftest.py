"""The contract suite's stores: every test taking `store` runs against a SqliteStore in
tmp_path and a DynamoDBStore on a moto server (a fresh table each test, one server per
module). `twin` is a second store object on the same data: another connection to the
file, another DynamoDBStore (and client) on the table, as a second replica would have."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.core.decision import Decision
from bot.core.events import Event, Kind, Outcome, Severity
from bot.core.outcomes import outcome_of
from bot.store import Store
from bot.store.dynamodb.store import DynamoDBStore
from bot.store.sqlite.store import SqliteStore
from tests.fakes.moto import aws_client
from tests.fakes.moto_replicas import SerialDynamoMotoServer

T0 = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
ROUTED = Decision(channel="#mlpulse", severity=Severity.CRITICAL, incident=True)
QUIET = Decision(channel="#mlpulse", severity=Severity.INFO, incident=False)


@pytest.fixture(scope="module")
def dynamo_url() -> Iterator[str]:
    server = SerialDynamoMotoServer()
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


@pytest.fixture(params=["one store", "two stores"])
def pair(request: pytest.FixtureRequest, store: Store) -> Iterator[tuple[Store, Store]]:
    """Two writers: one store object shared by two threads, or two replicas (`twin`)."""
    if request.param == "one store":
        yield store, store
    else:
        yield store, request.getfixturevalue("twin")


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
