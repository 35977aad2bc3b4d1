"""The DynamoDB store's calls on its table (bot.store.dynamodb.table): errors once the
table is gone or the store closed, and transactions that stay within DynamoDB's limits and
outlast contention (RELIABILITY D5)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from bot.core.errors import StoreError
from bot.core.incident import Action, Source, State
from bot.store import IncidentChange, Store
from bot.store.dynamodb import table as dynamodb_table
from bot.store.dynamodb.store import DynamoDBStore
from tests.fakes.moto import aws_client
from tests.unit.store.conftest import QUIET, ROUTED, T0, alarm, dynamo_store, event
from tests.unit.store.dynamodb.conftest import table_name


def test_ping_fails_when_the_table_is_gone(dynamo_url: str) -> None:
    name = table_name()
    store = dynamo_store(dynamo_url, name)
    store.ping()

    aws_client("dynamodb", dynamo_url).delete_table(TableName=name)

    with pytest.raises(StoreError, match="does not exist"):
        store.ping()
    with pytest.raises(StoreError):
        store.accept([(event("a"), ROUTED)], T0)


def test_close_is_safe_to_repeat(dynamo_url: str) -> None:
    store = dynamo_store(dynamo_url, table_name())
    store.close()
    store.close()

    with pytest.raises(StoreError, match="closed"):
        store.pending_count()


# --- transactions ---------------------------------------------------------------------------


class Contended:
    """A client whose first `conflicts` transactions are cancelled as DynamoDB cancels
    one that meets another writer's transaction on an item; it counts their sizes."""

    def __init__(self, client: Any, conflicts: int) -> None:
        self._client, self.conflicts = client, conflicts
        self.sizes: list[int] = []
        self.meta = client.meta

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def transact_write_items(self, **params: Any) -> Any:
        items = params["TransactItems"]
        self.sizes.append(len(items))
        if self.conflicts > 0:
            self.conflicts -= 1
            reasons = [{"Code": "None"}] * (len(items) - 1) + [{"Code": "TransactionConflict"}]
            answer: Any = {
                "Error": {"Code": "TransactionCanceledException", "Message": "conflict"},
                "CancellationReasons": reasons,
            }
            raise ClientError(answer, "TransactWriteItems")
        return self._client.transact_write_items(**params)


@pytest.fixture
def contended(
    dynamo_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Store, Contended]]:
    monkeypatch.setattr(dynamodb_table, "backoff", lambda attempt: None)
    client = Contended(aws_client("dynamodb", dynamo_url), conflicts=0)
    store = DynamoDBStore(table_name(), client=client)
    yield store, client
    store.close()


def test_contention_is_waited_out(contended: tuple[Store, Contended]) -> None:
    store, client = contended
    client.conflicts = 3

    assert store.accept([(alarm(), ROUTED)], T0, [IncidentChange(open=True)]) == [True]
    client.conflicts = 3
    assert store.transition(1, Action.ACK, "U1", Source.BUTTON, T0).ok

    assert store.incident(1).state == State.ACKNOWLEDGED  # type: ignore[union-attr]
    assert [a["action"] for a in store.audit(1)] == ["open", "ack"]
    assert store.pending_count() == 1


def test_endless_contention_is_a_store_error(contended: tuple[Store, Contended]) -> None:
    store, client = contended
    client.conflicts = 10**6

    with pytest.raises(StoreError, match="transaction refused"):
        store.accept([(event("a"), ROUTED)], T0)
    assert client.conflicts < 10**6


def test_transactions_stay_within_dynamodb_limits(contended: tuple[Store, Contended]) -> None:
    store, client = contended
    silence = store.add_silence("job-*", T0.replace(year=2027), "UA", "C1", T0)
    batch = [(event(f"j{i}", name=f"job-{i}"), QUIET) for i in range(60)]
    batch += [(alarm(f"A{i}"), ROUTED) for i in range(30)]
    changes = [None] * 60 + [IncidentChange(open=True)] * 30
    held = [silence.id] * 60 + [None] * 30

    assert store.accept(batch, T0, changes, held) == [True] * 90

    assert max(client.sizes) <= 100 and len(client.sizes) > 3
    assert store.active_silences(T0)[0].held == 60
    assert len(store.unresolved_incidents()) == 30
    assert store.pending_count() == 30
