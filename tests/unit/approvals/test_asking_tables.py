"""What the kind tables and the SNS approval shape find in an asking event (pure)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.approvals.ids import approval_id
from bot.approvals.metrics import comparison, key_metrics, read_metrics
from bot.approvals.who import approvers_for, may_decide, no_members
from bot.config.models import Config
from bot.core.events import Event
from bot.ingress.ingest import events_from
from tests.conftest import FIXTURES

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)


def fixture(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text("utf-8"))
    return document


def one(document: Any) -> Event:
    (event,) = events_from(document, NOW)
    return event


def sns(message: dict[str, Any]) -> dict[str, Any]:
    return {"Type": "Notification", "MessageId": "m-1", "Message": json.dumps(message)}


def test_the_published_sns_approval_notification_asks_for_a_decision() -> None:
    event = one(sns(fixture("codepipeline-manual-approval-sns-message")))
    assert (event.kind, event.name, event.subject) == (
        "codepipeline", "MyFirstPipeline", "approval MyApprovalStage › MyApprovalAction",
    )  # fmt: skip
    ask = event.approval
    assert ask is not None and ask.asking and ask.kind == "codepipeline"
    assert ask.target == {
        "pipeline": "MyFirstPipeline",
        "stage": "MyApprovalStage",
        "action": "MyApprovalAction",
        "token": "1a2b3c4d-573f-4ea7-a67E-XAMPLETOKEN",
    }
    assert ask.deadline == datetime(2016, 7, 7, 20, 22, tzinfo=UTC)
    assert ask.summary == "Review the latest changes and approve or reject within seven days."
    assert ask.review == "http://example.com"
    assert ask.id == ""  # registered at intake only
    assert [link.label for link in event.links] == ["Console", "Review", "Approve in console"]


def approval_action(state: str) -> dict[str, Any]:
    document = fixture("codepipeline-action-execution-state-change-started")
    document["detail"]["state"] = state
    document["detail"]["type"] = {"owner": "AWS", "category": "Approval", "provider": "Manual"}
    return document


def test_an_approval_action_that_started_asks_with_seven_days_to_decide() -> None:
    event = one(approval_action("STARTED"))
    ask = event.approval
    assert ask is not None and ask.asking
    assert ask.target["execution"] == "12345678-1234-5678-abcd-12345678abcd"
    assert "token" not in ask.target
    assert ask.deadline == datetime(2020, 1, 31, 22, 3, 7, tzinfo=UTC)
    assert (
        event.key
        == "codepipeline:123456789012:us-east-1:myPipeline/12345678-1234-5678-abcd-12345678abcd"
    )


@pytest.mark.parametrize("state", ["SUCCEEDED", "FAILED", "ABANDONED"])
def test_its_outcome_names_the_same_approval_without_asking(state: str) -> None:
    started, ended = one(approval_action("STARTED")), one(approval_action(state))
    assert ended.approval is not None and not ended.approval.asking
    assert approval_id(ended.approval, ended.account, ended.region) == approval_id(
        started.approval,
        started.account,
        started.region,  # type: ignore[arg-type]
    )


def test_other_actions_ask_nothing() -> None:
    assert one(fixture("codepipeline-action-execution-state-change-started")).approval is None


@pytest.mark.parametrize(
    ("status", "asking"),
    [("PendingManualApproval", True), ("Approved", False), ("Rejected", False)],
)
def test_a_model_package_asks_while_pending(status: str, asking: bool) -> None:
    document = fixture("sagemaker-model-package-state-change")
    document["detail"]["ModelApprovalStatus"] = status
    ask = one(document).approval
    assert ask is not None and ask.asking is asking and ask.subject == "versionedmp-p-idy6c3e1fiqj"
    assert ask.target["metrics"].endswith("/evaluation/evaluation.json")


def test_a_pending_package_shows_where_it_came_from() -> None:
    document = fixture("sagemaker-model-package-state-change")
    document["detail"]["ModelApprovalStatus"] = "PendingManualApproval"
    facts = {fact.label: fact.value for fact in one(document).facts}
    assert facts["Group"] == "versionedmp-p-idy6c3e1fiqj" and facts["Version"] == "2"
    assert facts["Pipeline execution"] == "versionedmp-p-idy6c3e1fiqj / 4r83jejmhorv"


def test_hostile_approval_fields_cost_the_approval_not_the_alert() -> None:
    message = {"region": 7, "approval": {"pipelineName": ["x"], "token": None, "expires": {}}}
    event = one(sns(message))
    assert event.kind == "codepipeline" and event.approval is not None
    assert event.approval.deadline is None and "token" not in event.approval.target
    broken = one(sns({"approval": {"pipelineName": "p", "token": "t", "stageName": {"a": 1}}}))
    assert broken.kind == "codepipeline" and broken.name == "p"


# --- metrics


def test_metrics_are_read_from_every_metrics_section() -> None:
    report = {
        "binary_classification_metrics": {
            "auc": {"value": 0.91, "standard_deviation": 0.01},
            "confusion_matrix": {"0": {"0": 3}},
            "f1": {"value": 0.7},
        },
        "metrics": {"accuracy": 0.86, "flag": True},
        "version": 0.0,
    }
    assert read_metrics(report) == {"auc": 0.91, "f1": 0.7, "accuracy": 0.86}


def test_key_metrics_come_first_then_the_others_by_name() -> None:
    metrics = {name: 1.0 for name in ("zeta", "F1", "alpha", "auc", "mse", "beta", "gamma")}
    assert key_metrics(metrics) == ["auc", "F1", "mse", "alpha", "beta", "gamma"]


def test_comparison_lines_up_this_version_and_the_approved_one() -> None:
    text = comparison({"auc": 0.912, "rmse": 3.14159}, "7", {"auc": 0.9}, "5")
    assert text == (
        "metric  v7 (this)  v5 (approved)\nauc     0.912      0.9\nrmse    3.142      –"
    )
    assert comparison({}, "7", None, "?") is None
    assert comparison({"auc": 0.9}, "7", None, "?") == "metric  v7 (this)\nauc     0.9"


# --- who


def test_every_matching_glob_counts_and_nobody_is_the_default() -> None:
    config = Config.model_validate(
        {"permissions": {"approvers": {"ml-*": ["U1", "SREL"], "ml-deploy": "U2", "x": ["U9"]}}}
    )
    assert approvers_for(config, "ml-deploy") == ("U1", "SREL", "U2")
    assert approvers_for(Config(), "ml-deploy") == ()
    assert may_decide(("U1", "SREL"), "U1", no_members)
    assert not may_decide(("U1", "SREL"), "U7", no_members)
    assert may_decide(("U1", "SREL"), "U7", lambda group: frozenset({"U7"}))
    assert not may_decide(("U1",), "U7", lambda group: frozenset({"U7"}))  # only groups expand
