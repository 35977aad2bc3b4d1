"""What only the DynamoDB store has: its table (created on first use, on-demand billing,
refused if shaped otherwise), clear errors when AWS cannot be reached or refuses, and
transactions that stay within DynamoDB's limits and outlast contention (RELIABILITY D5, D6).
The behaviour it shares with SQLite is in the contract suite (test_contract*.py)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config as BotoConfig
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from bot.core.errors import StoreError
from bot.core.incident import Action, Source, State
from bot.store import IncidentChange, Store
from bot.store.dynamodb import table as dynamodb_table
from bot.store.dynamodb.provisioning import connect
from bot.store.dynamodb.store import DynamoDBStore
from bot.store.opening import open_store
from tests.fakes.moto import CREDENTIALS, REGION, aws_client
from tests.unit.store.conftest import QUIET, ROUTED, T0, alarm, dynamo_store, event


def table_name() -> str:
    return f"t-{uuid.uuid4().hex}"


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, dynamo_url: str) -> str:
    """The environment `mlpulse run` would have: AWS pointed at the moto server."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", dynamo_url)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", CREDENTIALS["aws_access_key_id"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", CREDENTIALS["aws_secret_access_key"])
    return dynamo_url


@pytest.fixture
def no_aws_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_ACCESS_KEY_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


# --- the table ------------------------------------------------------------------------------


def test_open_store_creates_the_table_on_demand(aws_env: str) -> None:
    name = table_name()

    opened = open_store(f"dynamodb://{name}")
    opened.ping()
    assert opened.accept([(event("a"), ROUTED)], T0) == [True]

    table = aws_client("dynamodb", aws_env).describe_table(TableName=name)["Table"]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert [k["AttributeName"] for k in table["KeySchema"]] == ["pk", "sk"]
    (index,) = table["GlobalSecondaryIndexes"]
    assert (index["IndexName"], index["Projection"]["ProjectionType"]) == ("gsi1", "KEYS_ONLY")

    again: Store = open_store(f"dynamodb://{name}")  # a second replica: the table is there
    assert again.accept([(event("a"), ROUTED)], T0) == [False]
    assert again.pending_count() == 1


def test_a_table_of_another_shape_is_refused(dynamo_url: str) -> None:
    name = table_name()
    aws_client("dynamodb", dynamo_url).create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )

    with pytest.raises(StoreError) as raised:
        dynamo_store(dynamo_url, name)

    assert f"dynamodb://{name}" in str(raised.value)
    assert "not an mlpulse table" in str(raised.value)


@pytest.mark.parametrize(
    "url", ["dynamodb://", "dynamodb://ab", "dynamodb://a/b", "dynamodb://x y"]
)
def test_a_bad_table_name_is_a_store_error(url: str) -> None:
    with pytest.raises(StoreError) as raised:
        open_store(url)

    assert "MLPULSE_STORE" in str(raised.value) and "table name" in str(raised.value)


def test_no_region_says_which_variable_to_set(no_aws_config: None) -> None:
    with pytest.raises(StoreError) as raised:
        connect("mlpulse")

    assert "AWS_REGION" in str(raised.value)
    with pytest.raises(StoreError, match="AWS_REGION"):
        open_store("dynamodb://mlpulse")


def test_no_credentials_says_where_they_come_from(
    no_aws_config: None, monkeypatch: pytest.MonkeyPatch, dynamo_url: str
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ENDPOINT_URL", dynamo_url)

    with pytest.raises(StoreError) as raised:
        open_store("dynamodb://mlpulse")

    assert "no AWS credentials" in str(raised.value)


def test_no_permission_names_the_permission() -> None:
    client = aws_client("dynamodb", "https://dynamodb.us-east-1.amazonaws.com")
    stubber = Stubber(client)
    stubber.add_client_error(
        "describe_table", "AccessDeniedException", "User is not authorized", 400
    )
    with stubber, pytest.raises(StoreError) as raised:
        DynamoDBStore("mlpulse", client=client)

    message = str(raised.value)
    assert "dynamodb:DescribeTable" in message and "TransactWriteItems" in message
    assert "MLPULSE_STORE=dynamodb://mlpulse" in message


def test_an_unreachable_endpoint_is_a_store_error() -> None:
    client = boto3.client(
        "dynamodb",
        region_name=REGION,
        endpoint_url="http://127.0.0.1:9",  # discard: nothing answers
        config=BotoConfig(retries={"max_attempts": 1}, connect_timeout=1),
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )

    with pytest.raises(StoreError, match="cannot reach DynamoDB"):
        DynamoDBStore("mlpulse", client=client)


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
