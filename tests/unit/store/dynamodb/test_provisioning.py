"""Provisioning the DynamoDB store (bot.store.dynamodb.provisioning): its table, created
on first use with on-demand billing and refused if shaped otherwise, and clear errors when
AWS cannot be reached or refuses (RELIABILITY D6). The behaviour it shares with SQLite is
in the contract suite (tests/unit/store/test_contract*.py)."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.config import Config as BotoConfig
from botocore.stub import Stubber

from bot.core.errors import ConfigError, StoreError
from bot.store import Store
from bot.store.dynamodb.provisioning import connect
from bot.store.dynamodb.store import DynamoDBStore
from bot.store.opening import open_store
from tests.fakes.moto import CREDENTIALS, REGION, aws_client
from tests.unit.store.conftest import ROUTED, T0, dynamo_store, event
from tests.unit.store.dynamodb.conftest import table_name


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
def test_a_bad_table_name_is_a_config_error(url: str) -> None:
    with pytest.raises(ConfigError) as raised:
        open_store(url)

    assert "MLPULSE_STORE" in str(raised.value) and "table name" in str(raised.value)


def test_no_region_says_which_variable_to_set(no_aws_config: None) -> None:
    with pytest.raises(StoreError) as raised:
        connect("mlpulse")

    assert "AWS_REGION" in str(raised.value)
    with pytest.raises(ConfigError, match="AWS_REGION"):
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
