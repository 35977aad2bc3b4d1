"""Items an older mlpulse wrote lack what later ones keep: a root's `state_depth`, an
incident's `failures` and `last_failure_at`. The DynamoDB store reads them as SQLite reads
its added columns' defaults (bot.store.sqlite.schema), with no migration."""

from __future__ import annotations

from bot.core.events import FailedPart
from bot.store import IncidentChange
from bot.store.dynamodb import codec
from tests.unit.store.conftest import KEY, ROUTED, T0, dynamo_store, event, later
from tests.unit.store.dynamodb.conftest import table_name


def test_a_root_without_a_depth_counts_as_none(dynamo_url: str) -> None:
    store = dynamo_store(dynamo_url, table_name())
    try:
        store.set_root(KEY, "#c", "1.0", event("a"))
        store._call(
            "update_item",
            Key=codec.root_key(KEY),
            UpdateExpression="REMOVE state_depth",
        )
        part = FailedPart(subject="stage Build", depth=1, time=T0)

        assert store.advance_state(KEY, event("a")) is False  # the same state: no deeper
        assert store.advance_state(KEY, event("a").model_copy(update={"failed_part": part}))
        assert store.root(KEY).event.failed_part == part  # type: ignore[union-attr]
    finally:
        store.close()


def test_an_incident_without_counts_stood_for_one_failure(dynamo_url: str) -> None:
    store = dynamo_store(dynamo_url, table_name())
    try:
        failed = event("a", series=KEY)
        store.accept([(failed, ROUTED)], T0, [IncidentChange(open=True)])
        store._call(
            "update_item",
            Key=codec.incident_key(1),
            UpdateExpression="REMOVE failures, last_failure_at",
        )
        assert store.incident(1).failures == 1  # type: ignore[union-attr]

        again = event("b", name="churn-xgb-8", series=KEY, at=later(60))
        store.accept([(again, ROUTED)], later(60), [IncidentChange(open=True)])

        joined = store.incident(1)
        assert joined is not None
        assert (joined.failures, joined.last_failure_at) == (2, later(60))
    finally:
        store.close()
