"""Two approvers decide one model package at the same moment, each on their own replica:
two processes, each with its own connection to one SQLite store and its own AWS clients on
one moto server (which implements UpdateModelPackage). Exactly one call reaches AWS; the
other approver is told who decided."""

from __future__ import annotations

import multiprocessing
import queue
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.core.approvals import ApprovalState
from bot.core.clock import FakeClock
from tests.fakes.moto import aws_client, moto_server, moto_url  # noqa: F401 (fixtures)
from tests.fakes.slack_api import FakeSlack
from tests.scenarios.approvals_processes import decide_at_once
from tests.scenarios.approvals_support import (
    ApprovalHarness,
    ScenarioAws,
    approvals_app,
    package_pending,
    registry,
)

APPROVERS = {"permissions": {"admins": [], "approvers": {"churn-*": ["U1", "U2", "U3"]}}}


@pytest.fixture
def h(
    tmp_path: Path,
    fake_slack: FakeSlack,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    moto_url: str,  # noqa: F811 (the fixture)
) -> Iterator[ApprovalHarness]:
    aws = ScenarioAws(moto_url)
    with approvals_app(tmp_path, fake_slack, clock, monkeypatch, aws, APPROVERS) as harness:
        yield harness


def test_two_replicas_deciding_at_once_make_one_aws_call(
    h: ApprovalHarness,
    moto_url: str,  # noqa: F811 (the fixture)
) -> None:
    arns = registry(moto_url, {1: {"auc": 0.9}, 2: {"auc": 0.92}})
    uri = "s3://ml-evaluation/churn-models/v2/evaluation.json"
    assert h.submit(package_pending(arns[2], 2, uri)) == 1
    (approval,) = h.store.pending_approvals()

    users = ("U1", "U2", "U3")
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(len(users))
    results, calls = context.Queue(), context.Queue()
    at = h.clock.now().timestamp()
    processes = [
        context.Process(
            target=decide_at_once,
            args=(
                h.app.store.path,
                moto_url,
                approval.id,
                user,
                at,
                APPROVERS,
                barrier,
                results,
                calls,
            ),
        )
        for user in users
    ]
    for process in processes:
        process.start()
    answers = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=30)
        assert process.exitcode == 0

    assert all(ok is not None for _, ok, _ in answers), answers
    winners = [user for user, ok, _ in answers if ok]
    assert len(winners) == 1, answers
    (winner,) = winners
    made = []
    while True:
        try:
            made.append(calls.get(timeout=0.5))
        except queue.Empty:
            break
    assert made == [winner]  # exactly one AWS call, by the one who claimed it
    for user, ok, text in answers:
        if not ok:
            assert text in (
                f"churn-models v2 was already approved by <@{winner}> at 03:00 UTC.",
                f"<@{winner}> is approving churn-models v2 right now.",
            ), (user, text)
    record = h.store.approval(approval.id)
    assert record.state is ApprovalState.APPROVED and record.actor == winner
    described = aws_client("sagemaker", moto_url).describe_model_package(ModelPackageName=arns[2])
    assert described["ApprovalDescription"] == f"Approved from Slack by {winner}: ok from {winner}"
    claims = [a for a in h.store.approval_audit(approval.id) if a["action"] == "claimed approve"]
    assert [a["actor"] for a in claims] == [winner]
