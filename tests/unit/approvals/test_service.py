"""The approval service on a real SQLite store, a fake clock and a recording decider: the
gate, one claim, the AWS answer's three outcomes, and a claim whose holder died."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.approvals.calls import CallResult
from bot.approvals.service import ApprovalService
from bot.config.models import Config
from bot.core.approvals import CLAIM, Approval, ApprovalState, Verdict
from bot.core.clock import FakeClock
from bot.core.events import Event
from bot.store.sqlite.store import SqliteStore
from tests.goldens import readable

CONFIG = Config.model_validate({"permissions": {"approvers": {"ml-*": ["U1", "U2"]}}})


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, Verdict, str]] = []
        self.answers: list[CallResult] = []

    def __call__(self, approval: Approval, verdict: Verdict, described: str) -> CallResult:
        self.calls.append((approval.id, verdict, described))
        return self.answers.pop(0) if self.answers else CallResult(request_id="req-1")


@pytest.fixture
def parts(
    tmp_path: Path, clock: FakeClock
) -> Iterator[tuple[ApprovalService, Recorder, list[Event]]]:
    store = SqliteStore(str(tmp_path / "s.db"))
    event = Event.model_validate(
        {
            "id": "e1", "kind": "codepipeline", "key": "k", "name": "ml-deploy",
            "title": "CodePipeline", "status": "STARTED", "outcome": "running",
            "time": clock.now(), "subject": "approval A › B",
        }
    )  # fmt: skip
    store.open_approval(
        Approval(
            id="a1", kind="codepipeline", key="k", subject="ml-deploy",
            title="ml-deploy · approval A › B", target={"pipeline": "ml-deploy"},
            requested_at=clock.now(), event=event.model_dump_json(),
            deadline=clock.now() + timedelta(days=1),
        )
    )  # fmt: skip
    recorder, told = Recorder(), []
    service = ApprovalService(store, CONFIG, clock, recorder, told.extend)
    yield service, recorder, told
    store.close()


def test_approve_makes_one_call_and_tells_the_outcome(parts, clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    service, recorder, told = parts
    answer = service.decide("a1", "U1", Verdict.APPROVE, "ok")
    assert answer.ok and answer.settled and answer.approval.request_id == "req-1"
    assert recorder.calls == [("a1", Verdict.APPROVE, "Approved from Slack by U1: ok")]
    (outcome,) = told
    assert outcome.status == "Approved" and outcome.id == "approval:a1:approved"
    again = service.decide("a1", "U2", Verdict.REJECT, "no")
    assert not again.ok and len(recorder.calls) == 1
    assert (
        readable(again.text)
        == "ml-deploy · approval A › B was already approved by <@U1> at 03:00 UTC."
    )


def test_unknown_and_refused(parts) -> None:  # type: ignore[no-untyped-def]
    service, recorder, _ = parts
    assert not service.gate("nope", "U1").ok
    refused = service.decide("a1", "U9", Verdict.APPROVE, "")
    assert not refused.ok and "may not decide" in refused.text and recorder.calls == []


def test_an_aws_error_releases_and_elsewhere_closes(parts) -> None:  # type: ignore[no-untyped-def]
    service, recorder, told = parts
    recorder.answers = [CallResult(error="Throttling: slow down"), CallResult(elsewhere="spent")]
    failed = service.decide("a1", "U1", Verdict.APPROVE, "")
    assert not failed.ok and failed.approval.state is ApprovalState.PENDING and told == []
    closed = service.decide("a1", "U1", Verdict.APPROVE, "")
    assert closed.approval.state is ApprovalState.CLOSED and closed.settled
    assert [event.status for event in told] == ["Decided in AWS"]


def test_a_claim_whose_holder_died_is_taken_over(parts, clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    service, recorder, _ = parts
    current = service.store.approval("a1")
    assert service.store.claim_approval(
        current.claimed("U2", Verdict.REJECT, "x", clock.now()), clock.now()
    )[0]
    assert "is rejecting" in service.decide("a1", "U1", Verdict.APPROVE, "").text
    clock.advance(CLAIM.total_seconds())
    assert service.decide("a1", "U1", Verdict.APPROVE, "").ok
    assert len(recorder.calls) == 1


def test_expiry_is_told_once(parts, clock: FakeClock) -> None:  # type: ignore[no-untyped-def]
    service, recorder, told = parts
    clock.advance(timedelta(days=1).total_seconds())
    assert "expired" in service.gate("a1", "U1").text
    assert "expired" in service.gate("a1", "U2").text
    assert [event.status for event in told] == ["Expired"] and recorder.calls == []
