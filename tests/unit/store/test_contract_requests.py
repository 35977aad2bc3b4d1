"""The Store contract, Slack requests taken (RequestStore, bot.store.roles): a digest is
new once until its record expires, for one store and for two replicas racing on the same
data; the record carries `expires_at` in epoch seconds."""

from __future__ import annotations

import sqlite3

from bot.store import Store
from bot.store.dynamodb.store import DynamoDBStore
from bot.store.sqlite.store import SqliteStore
from tests.unit.store.conftest import T0, later
from tests.unit.store.test_contract_races import race

TEN_MINUTES = later(600)


def test_a_request_is_new_once_until_its_record_expires(store: Store) -> None:
    assert store.first_request("a" * 64, T0, TEN_MINUTES)
    assert not store.first_request("a" * 64, later(1), later(601))
    assert store.first_request("b" * 64, later(2), later(602))
    assert not store.first_request("a" * 64, later(599.5), later(1199.5))
    assert store.first_request("a" * 64, later(600), later(1200))  # expired: new again
    assert not store.first_request("a" * 64, later(601), later(1201))


def test_of_two_replicas_given_one_request_exactly_one_takes_it(
    pair: tuple[Store, Store],
) -> None:
    first, second = pair
    for n in range(5):
        digest = f"{n:064d}"
        taken = race(
            lambda d=digest: first.first_request(d, T0, TEN_MINUTES),
            lambda d=digest: second.first_request(d, T0, TEN_MINUTES),
        )
        assert sorted(taken) == [False, True], digest


def test_the_record_expires_at_epoch_seconds(store: Store) -> None:
    store.first_request("c" * 64, T0, TEN_MINUTES)
    if isinstance(store, SqliteStore):
        with sqlite3.connect(store.path) as db:
            (expires,) = db.execute("SELECT expires_at FROM slack_requests").fetchone()
    else:
        assert isinstance(store, DynamoDBStore)
        item = store._client.get_item(
            TableName=store.table, Key={"pk": {"S": "request#" + "c" * 64}, "sk": {"S": "-"}}
        )["Item"]
        expires = float(item["expires_at"]["N"])
    assert expires == TEN_MINUTES.timestamp()
