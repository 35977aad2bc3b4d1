"""The Store contract for approvals (bot.store.roles.ApprovalStore), on SQLite and DynamoDB:
registered once, claimed by exactly one of several concurrent deciders (threads on one
store and two replicas alike), settled by its claimant only, released after an AWS error,
audited at every step."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from bot.core.approvals import CLAIM, Approval, ApprovalState, Verdict
from bot.store import Store
from bot.store.dynamodb.store import DynamoDBStore
from bot.store.sqlite.store import SqliteStore
from tests.unit.store.conftest import T0, later
from tests.unit.store.test_contract_races import race


def asked(approval_id: str = "a1", deadline_hours: float | None = 24) -> Approval:
    return Approval(
        id=approval_id,
        kind="codepipeline",
        key="codepipeline:123456789012:us-east-1:ml-deploy/e-1",
        subject="ml-deploy",
        title="ml-deploy · approval Approve › Manual",
        target={"pipeline": "ml-deploy", "stage": "Approve", "action": "Manual", "token": "t"},
        requested_at=T0,
        event="{}",
        deadline=T0 + timedelta(hours=deadline_hours) if deadline_hours is not None else None,
    )


def claim(store: Store, user: str, at: float = 60) -> tuple[bool, Approval | None]:
    current = store.approval("a1")
    assert current is not None
    return store.claim_approval(current.claimed(user, Verdict.APPROVE, "ok", later(at)), later(at))


def test_an_approval_is_registered_once(store: Store) -> None:
    assert store.open_approval(asked()) == asked()
    claim(store, "U1")
    again = store.open_approval(asked())
    assert again.state is ApprovalState.DECIDING and again.actor == "U1"
    assert [a["action"] for a in store.approval_audit("a1")] == ["asked", "claimed approve"]
    assert store.approval("missing") is None


def test_pending_lists_the_unsettled_oldest_first(store: Store) -> None:
    second = asked("a2")
    store.open_approval(Approval(**{**vars(second), "requested_at": later(5)}))
    store.open_approval(asked("a1"))
    store.open_approval(Approval(**{**vars(asked("a3")), "requested_at": later(9)}))
    store.settle_approval("a3", ApprovalState.EXPIRED, later(10))
    assert [a.id for a in store.pending_approvals()] == ["a1", "a2"]


def test_of_many_concurrent_claims_exactly_one_wins(pair: tuple[Store, Store]) -> None:
    one, two = pair
    one.open_approval(asked())
    users = [f"U{n}" for n in range(4)]
    results = race(*(lambda u=u, s=(one, two)[i % 2]: claim(s, u) for i, u in enumerate(users)))
    winners = [user for user, (won, _) in zip(users, results, strict=True) if won]
    assert len(winners) == 1
    for _, record in results:
        assert record is not None and record.actor == winners[0]
    claims = [a for a in one.approval_audit("a1") if str(a["action"]).startswith("claimed")]
    assert [a["actor"] for a in claims] == winners


def test_the_claimant_settles_and_records_the_request_id(store: Store) -> None:
    store.open_approval(asked())
    claim(store, "U1")
    assert store.settle_approval("a1", ApprovalState.APPROVED, later(61), actor="U2") is None
    done = store.settle_approval(
        "a1", ApprovalState.APPROVED, later(61), actor="U1", request_id="req-1"
    )
    assert done is not None and done.state is ApprovalState.APPROVED
    assert (done.actor, done.verdict, done.comment, done.request_id) == (
        "U1", Verdict.APPROVE, "ok", "req-1",
    )  # fmt: skip
    assert store.pending_approvals() == []
    assert claim(store, "U3", 70)[0] is False
    last = store.approval_audit("a1")[-1]
    assert last == {
        "at": later(61).timestamp(),
        "actor": "U1",
        "action": "approved",
        "comment": "ok",
        "request_id": "req-1",
        "note": None,
    }


def test_a_release_makes_it_pending_again(store: Store) -> None:
    store.open_approval(asked())
    claim(store, "U1")
    store.release_approval("a1", "U1", "AWS: ThrottlingException", later(62))
    back = store.approval("a1")
    assert back is not None and back.state is ApprovalState.PENDING and back.actor is None
    assert back.note == "AWS: ThrottlingException"
    assert claim(store, "U2", 63)[0] is True


def test_a_claim_whose_holder_vanished_can_be_taken_over(store: Store) -> None:
    store.open_approval(asked())
    claim(store, "U1")
    assert claim(store, "U2", 60 + CLAIM.total_seconds() - 1)[0] is False
    assert claim(store, "U2", 60 + CLAIM.total_seconds())[0] is True


def test_nobody_settles_a_claimed_one_as_expired_and_a_pending_one_expires(store: Store) -> None:
    store.open_approval(asked())
    claim(store, "U1")
    assert store.settle_approval("a1", ApprovalState.EXPIRED, later(90)) is None
    store.release_approval("a1", "U1", "error", later(91))
    closed = store.settle_approval("a1", ApprovalState.CLOSED, later(92), note="in the console")
    assert closed is not None and closed.state is ApprovalState.CLOSED
    assert closed.note == "in the console" and closed.decided_at == later(92)


def test_refusals_are_audited_and_records_carry_expires_at(store: Store) -> None:
    store.open_approval(asked())
    store.approval_refused("a1", "U9", "approve ml-deploy", later(5))
    assert store.approval_audit("a1")[-1]["action"] == "refused"
    record = store.approval("a1")
    assert record is not None
    assert record.expires_at == int((T0 + timedelta(hours=24, days=90)).timestamp())


def audit_expiries(store: Store, approval_id: str) -> list[float]:
    """The `expires_at` of each of the approval's audit entries, as stored."""
    if isinstance(store, SqliteStore):
        with sqlite3.connect(store.path) as db:
            rows = db.execute(
                "SELECT expires_at FROM approval_audit WHERE approval_id = ? ORDER BY id",
                (approval_id,),
            ).fetchall()
        return [float(row[0]) for row in rows]
    assert isinstance(store, DynamoDBStore)
    items = store._client.query(
        TableName=store.table,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": f"approval-audit#{approval_id}"}},
    )["Items"]
    return [float(item["expires_at"]["N"]) for item in items]


def test_an_approval_s_audit_is_kept_as_long_as_every_audit(store: Store) -> None:
    """Who approved a deployment is an audit entry like any other: kept `retention.audit`
    (400 days by default), not only as long as the approval's own record (90 days)."""
    store.open_approval(asked())
    store.approval_refused("a1", "U9", "approve ml-deploy", later(5))

    kept = store.retention.audit.total_seconds()
    assert audit_expiries(store, "a1") == [T0.timestamp() + kept, later(5).timestamp() + kept]
