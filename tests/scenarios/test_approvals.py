"""Deciding approvals from Slack, end to end (issue 19): events in through intake, messages
on the fake Slack, clicks and modal submissions as signed requests to POST /slack/events,
AWS through a moto server (SageMaker model registry, S3, STS) and botocore's Stubber
(CodePipeline GetPipelineState and PutApprovalResult, which moto does not implement)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.core.approvals import ApprovalState
from bot.core.clock import FakeClock
from tests.fakes.moto import aws_client, moto_server, moto_url  # noqa: F401 (fixtures)
from tests.fakes.slack_api import FakeSlack
from tests.goldens import readable
from tests.scenarios.approvals_support import (
    APPROVE,
    KEY,
    REJECT,
    ApprovalHarness,
    ScenarioAws,
    approval_notification,
    approval_started,
    approvals_app,
)


@pytest.fixture
def aws(moto_url: str) -> ScenarioAws:  # noqa: F811 (the fixture)
    return ScenarioAws(moto_url)


@pytest.fixture
def h(
    tmp_path: Path,
    fake_slack: FakeSlack,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    aws: ScenarioAws,
) -> Iterator[ApprovalHarness]:
    with approvals_app(tmp_path, fake_slack, clock, monkeypatch, aws) as harness:
        yield harness


def asked(h: ApprovalHarness, aws: ScenarioAws) -> str:
    """The approval action started (EventBridge, no token: GetPipelineState finds it) and
    was delivered; its approval id."""
    aws.waiting()
    assert h.submit(approval_started(h.clock)) == 1
    h.deliver()
    (approval,) = h.store.pending_approvals()
    return str(approval.id)


def test_the_approval_shows_in_the_thread_and_on_the_root_with_buttons(
    h: ApprovalHarness, aws: ScenarioAws
) -> None:
    approval_id = asked(h, aws)
    root = h.root_message(KEY)
    assert h.approval_buttons(root) == {APPROVE: approval_id, REJECT: approval_id}
    line = h.approval_line(root)
    assert line is not None and "Waiting for a decision" in line
    assert "*Expires:* 2026-12-02 03:00 UTC" in line
    assert "*May decide:* <@U1>, <@U2>, <!subteam^SREL>" in line
    assert "approval ApproveProduction › ManualApproval" in root.all_text()
    aws.pipelines.assert_no_pending_responses()


def test_approve_calls_put_approval_result_once_and_updates_the_messages(
    h: ApprovalHarness, aws: ScenarioAws
) -> None:
    approval_id = asked(h, aws)
    h.press(APPROVE, approval_id, h.root_message(KEY))
    modal = h.opened_modal()
    assert modal["title"]["text"] == "Approve"
    aws.approval_result("Approved", "Approved from Slack by U1: looks good")
    answer = h.submit_modal(modal, "looks good")
    assert answer.status == 200 and answer.body in (b"", b"{}")

    (told,) = h.told("U1")
    assert (
        told
        == "You approved ml-deploy · approval ApproveProduction › ManualApproval. AWS request id: req-cp-1."
    )
    assert aws.calls == ["PutApprovalResult"]
    aws.pipelines.assert_no_pending_responses()
    record = h.store.approval(approval_id)
    assert record.state is ApprovalState.APPROVED and record.request_id == "req-cp-1"
    h.wait_for(lambda: not h.messages_with_buttons(), "the buttons to go")
    line = h.approval_line(h.root_message(KEY))
    assert (
        line
        == ":white_check_mark: *Approved* by <@U1> at 2026-11-25 03:00 UTC: looks good\n_AWS request id req-cp-1_"
    )

    assert h.deliver() == 1  # the outcome: the root shows it, the thread tells it
    root = h.root_message(KEY)
    assert "Approved" in root.all_text() and not h.approval_buttons(root)
    (reply,) = h.thread(KEY)
    assert "Approved" in reply.all_text() and "looks good" in readable(reply.all_text())
    audit = h.store.approval_audit(approval_id)
    assert [a["action"] for a in audit] == ["asked", "claimed approve", "approved"]
    assert audit[-1]["request_id"] == "req-cp-1" and audit[-1]["comment"] == "looks good"


def test_the_sns_notification_joins_the_executions_thread(
    h: ApprovalHarness, aws: ScenarioAws
) -> None:
    """The notification names no execution and no account: GetPipelineState and STS give
    them, so it is threaded with the execution's other events, as one approval."""
    asked(h, aws)
    aws.waiting()
    assert h.submit(approval_notification(h.clock)) == 1
    h.deliver()
    (approval,) = h.store.pending_approvals()
    (reply,) = h.thread(KEY)
    assert h.approval_buttons(reply) == {APPROVE: approval.id, REJECT: approval.id}
    line = h.approval_line(reply)
    assert line is not None and "Deploy churn-xgb v7 to production? AUC 0.91" in line
    assert "*Expires:* 2026-11-26 03:00 UTC" in line
    review = [e for b in reply.blocks or [] for e in b.get("elements", []) if "url" in e]
    assert [e["url"] for e in review] == ["https://ci.example.com/ml-deploy/builds/42"]


def test_reject_needs_a_comment_and_tells_aws_who_and_why(
    h: ApprovalHarness, aws: ScenarioAws
) -> None:
    approval_id = asked(h, aws)
    h.press(REJECT, approval_id, h.root_message(KEY))
    modal = h.opened_modal()
    refused = h.submit_modal(modal, None)
    assert refused.status == 200
    assert refused.json() == {
        "response_action": "errors",
        "errors": {"comment": "Say why you reject it: the pipeline's team reads this."},
    }
    assert aws.calls == []
    aws.approval_result("Rejected", "Rejected from Slack by U1: AUC fell on the EU segment")
    assert h.submit_modal(modal, "AUC fell on the EU segment").status == 200
    assert h.told("U1")[0].startswith("You rejected ml-deploy")
    assert aws.calls == ["PutApprovalResult"]
    assert h.store.approval(approval_id).state is ApprovalState.REJECTED


def test_someone_not_listed_is_refused_privately_and_audited(
    h: ApprovalHarness, aws: ScenarioAws
) -> None:
    approval_id = asked(h, aws)
    token, _ = h.press(APPROVE, approval_id, h.root_message(KEY), user="U9")
    answer = h.answer_to(token)
    assert answer["response_type"] == "ephemeral" and answer["replace_original"] is False
    assert readable(answer["text"]) == (
        "You may not decide ml-deploy · approval ApproveProduction › ManualApproval: config "
        "`permissions.approvers` names who may for `ml-deploy`: <@U1>, <@U2>, <!subteam^SREL>."
    )
    assert h.fake.modals.views == []
    assert h.store.approval_audit(approval_id)[-1]["action"] == "refused"
    assert h.approval_buttons(h.root_message(KEY))  # still pending, for those who may


def test_a_member_of_a_listed_user_group_may_decide(h: ApprovalHarness, aws: ScenarioAws) -> None:
    h.fake.modals.set_group("SREL", ["U7"])
    approval_id = asked(h, aws)
    h.press(APPROVE, approval_id, h.root_message(KEY), user="U7")
    assert h.opened_modal()["callback_id"] == "approval_decision"


def test_an_expired_approval_says_so_and_loses_its_buttons(
    h: ApprovalHarness, aws: ScenarioAws
) -> None:
    approval_id = asked(h, aws)
    h.clock.advance(7 * 24 * 3600)
    token, _ = h.press(APPROVE, approval_id, h.root_message(KEY))
    assert readable(h.answer_to(token)["text"]) == (
        "ml-deploy · approval ApproveProduction › ManualApproval expired at 2026-12-02 03:00 UTC;"
        " nothing was sent to AWS."
    )
    h.wait_for(lambda: not h.messages_with_buttons(), "the buttons to go")
    assert aws.calls == [] and h.fake.modals.views == []
    assert h.store.approval(approval_id).state is ApprovalState.EXPIRED
    assert h.deliver() == 1
    assert "Expired" in h.root_message(KEY).all_text()


def test_an_approval_decided_in_the_console_says_so_and_loses_its_buttons(
    h: ApprovalHarness, aws: ScenarioAws
) -> None:
    approval_id = asked(h, aws)
    h.press(APPROVE, approval_id, h.root_message(KEY))
    aws.approval_error("ApprovalAlreadyCompletedException", "already approved")
    h.submit_modal(h.opened_modal(), "")
    assert h.told("U1") == [
        "ml-deploy · approval ApproveProduction › ManualApproval was already decided in AWS"
        " (AWS answered ApprovalAlreadyCompletedException); nothing was sent from here."
    ]
    h.wait_for(lambda: not h.messages_with_buttons(), "the buttons to go")
    assert h.store.approval(approval_id).state is ApprovalState.CLOSED
    assert h.approval_line(h.root_message(KEY)).startswith(":information_source: *Decided in AWS*")


def test_the_outcome_event_from_aws_closes_a_pending_approval(
    h: ApprovalHarness, aws: ScenarioAws
) -> None:
    approval_id = asked(h, aws)
    succeeded = approval_started(h.clock, "evt-approval-succeeded")
    succeeded["detail"]["state"] = "SUCCEEDED"
    h.clock.advance(60)
    succeeded["time"] = h.clock.now().isoformat()
    assert h.submit(succeeded) == 1
    assert h.store.approval(approval_id).state is ApprovalState.CLOSED
    assert h.store.pending_approvals() == []


def test_an_aws_error_leaves_it_pending_and_says_why(h: ApprovalHarness, aws: ScenarioAws) -> None:
    approval_id = asked(h, aws)
    h.press(APPROVE, approval_id, h.root_message(KEY))
    aws.approval_error(
        "AccessDeniedException", "not authorized to perform: codepipeline:PutApprovalResult"
    )
    h.submit_modal(h.opened_modal(), "ship it")
    (told,) = h.told("U1")
    assert told == (
        "AWS did not take the decision on ml-deploy · approval ApproveProduction › ManualApproval:"
        " AccessDeniedException: not authorized to perform: codepipeline:PutApprovalResult."
        " It is still pending; nothing changed. Please try again."
    )
    record = h.store.approval(approval_id)
    assert record.state is ApprovalState.PENDING and record.actor is None
    assert h.approval_buttons(h.root_message(KEY))
    # Trying again works.
    h.press(APPROVE, approval_id, h.root_message(KEY))
    aws.approval_result("Approved", "Approved from Slack by U1: ship it")
    h.submit_modal(h.opened_modal(2), "ship it")
    assert h.told("U1", 2)[1].startswith("You approved")
    assert aws.calls == ["PutApprovalResult", "PutApprovalResult"]
    actions = [a["action"] for a in h.store.approval_audit(approval_id)]
    assert actions == ["asked", "claimed approve", "failed", "claimed approve", "approved"]


def test_approvals_lists_the_pending_ones(h: ApprovalHarness, aws: ScenarioAws) -> None:
    asked(h, aws)
    h.clock.advance(3600)
    answer = h.command("approvals")
    text = readable(answer["text"])
    assert "ml-deploy · approval ApproveProduction › ManualApproval" in text
    assert "waiting 1h" in text and "expires 2026-12-02 03:00 UTC" in text
