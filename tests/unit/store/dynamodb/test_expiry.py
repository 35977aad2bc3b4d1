"""Every DynamoDB item that may go away carries `expires_at` (the table's TTL, whole epoch
seconds, its lifetime from the config's `retention`); those still needed carry none
(bot.store.dynamodb.expiry)."""

from __future__ import annotations

from typing import Any

from bot.config.models import Retention
from bot.core.incident import Action, Source
from bot.incidents.policy import recovery_note, resolving
from bot.store import IncidentChange, Notice
from bot.store.dynamodb.store import DynamoDBStore
from tests.fakes.moto import aws_client
from tests.unit.store.conftest import QUIET, ROUTED, T0, alarm, event, later
from tests.unit.store.dynamodb.conftest import table_name

DAY = 86400
LIFE = Retention.model_validate(
    {
        "dedup": "1d",
        "roots": "2d",
        "incidents": "3d",
        "audit": "4d",
        "silences": "5d",
        "outbox": "6d",
    }
)


def items(store: DynamoDBStore) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    params: dict[str, Any] = {"TableName": store.table}
    while True:
        page = store._client.scan(**params)
        found += page["Items"]
        if "LastEvaluatedKey" not in page:
            return found
        params["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def kind(item: dict[str, Any]) -> str:
    pk, sk = item["pk"]["S"], item["sk"]["S"]
    head = pk.split("#", 1)[0]
    if head in ("outbox", "incident", "digest"):
        return f"{head} {sk.split('#', 1)[0]}"
    return head


def test_every_item_that_may_go_carries_its_expiry(dynamo_url: str) -> None:
    store = DynamoDBStore(table_name(), client=aws_client("dynamodb", dynamo_url), retention=LIFE)
    t0 = T0.timestamp()
    # An incident that resolves, one that stays open, and their roots.
    store.accept([(alarm("Cpu"), ROUTED)], T0, [IncidentChange(open=True, note="cpu")])
    store.accept([(alarm("Disk"), ROUTED)], T0, [IncidentChange(open=True, note="disk")])
    store.set_root(alarm("Cpu").key, "C1", "1.0", alarm("Cpu"), ROUTED)
    ok = alarm("Cpu", ok=True, minute=1)
    store.accept([(ok, QUIET)], later(60), [resolving(recovery_note(ok))])
    (disk,) = store.unresolved_incidents()
    store.transition(disk.id, Action.ACK, "U1", Source.BUTTON, later(5))
    store.record_refusal("U1", "silence *", T0)
    silence = store.add_silence("muted-*", later(3600), "U1", "#ops", T0)
    store.accept([(event("h", name="muted-1"), ROUTED)], T0, held=[silence.id])
    store.accept([(event("x", name="bad"), ROUTED), (event("d", name="hpo-1"), QUIET)], T0)
    due = {item.key: item for item in store.due(later(3600), 100)}
    store.give_up(due[event(name="bad").key].id, "invalid_blocks")
    digest = store.open_digest("#ml", T0, 900, 200)
    store.join_digest(digest, due[event(name="hpo-1").key])
    store.enqueue_notice("silence:9", Notice(text="pending"), T0)

    expiries: dict[str, set[int | None]] = {}
    for item in items(store):
        value = item.get("expires_at")
        expiries.setdefault(kind(item), set()).add(int(value["N"]) if value else None)

    assert expiries == {
        "seen": {t0 + DAY, t0 + 60 + DAY},
        "outbox h": {t0 + 6 * DAY},  # held by a silence
        "outbox x": {t0 + 6 * DAY},  # parked as undeliverable
        "outbox p": {None},  # pending: never
        "item": {None},  # a pending item's pointer: deleted with it
        "counter": {None},
        "root": {t0 + 2 * DAY},  # from its state's time
        "incident incident": {t0 + 60 + 3 * DAY, None},  # resolved; the open one never
        "incident audit": {t0 + 4 * DAY, t0 + 5 + 4 * DAY, t0 + 60 + 4 * DAY},
        "audit": {t0 + 4 * DAY},
        "key": {t0 + 4 * DAY},
        "series": {None},  # the open incident's lock
        "silences": {t0 + 3600 + 5 * DAY},  # from its end
        "digest digest": {t0 + 2 * DAY},
        "digest member": {t0 + 2 * DAY},
        "digests": {t0 + 2 * DAY},
    }
    assert store.prune(later(100 * DAY)) == 0  # the TTL does it
    assert [s.expires_at for s in store.active_silences(T0)] == [later(3600)]
    store.close()
