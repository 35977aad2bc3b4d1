"""Model packages pending manual approval, decided from Slack (issue 19): the message shows
the package's group, version, the pipeline execution that produced it and its key metrics
beside the group's approved version's; a decision calls UpdateModelPackage. All AWS here
is a moto server (model registry, S3, STS): moto implements every call made."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.core.approvals import ApprovalState
from bot.core.clock import FakeClock
from tests.fakes.moto import aws_client, moto_server, moto_url  # noqa: F401 (fixtures)
from tests.fakes.slack_api import FakeSlack
from tests.scenarios.approvals_support import (
    APPROVE,
    REJECT,
    ApprovalHarness,
    ScenarioAws,
    approvals_app,
    package_pending,
    registry,
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
    config = {"permissions": {"admins": [], "approvers": {"churn-*": ["U1", "U2"]}}}
    with approvals_app(tmp_path, fake_slack, clock, monkeypatch, aws, config) as harness:
        yield harness


def pending_package(h: ApprovalHarness, aws: ScenarioAws) -> tuple[str, str]:
    arns = registry(
        aws.moto_url,
        {
            1: {"auc": 0.88, "accuracy": 0.83},
            2: {"auc": 0.897, "accuracy": 0.85, "f1": 0.71},
            3: {"auc": 0.912, "accuracy": 0.861, "f1": 0.74},
        },
    )
    uri = "s3://ml-evaluation/churn-models/v3/evaluation.json"
    assert h.submit(package_pending(arns[3], 3, uri)) == 1
    h.deliver()
    (approval,) = h.store.pending_approvals()
    return arns[3], str(approval.id)


def key_of(arn: str) -> str:
    return f"model_package:123456789012:us-east-1:{arn}"


def test_the_message_compares_metrics_with_the_approved_version(
    h: ApprovalHarness, aws: ScenarioAws
) -> None:
    arn, approval_id = pending_package(h, aws)
    root = h.root_message(key_of(arn))
    text = root.all_text()
    assert h.approval_buttons(root) == {APPROVE: approval_id, REJECT: approval_id}
    for expected in (
        "churn-models",
        "Version",
        "Pipeline execution",
        "versionedmp-p-idy6c3e1fiqj / 4r83jejmhorv",
    ):
        assert expected in text
    assert "metric    v3 (this)  v2 (approved)" in text
    assert "auc       0.912      0.897" in text
    assert "f1        0.74       0.71" in text


def test_reject_with_a_comment_updates_the_package_in_the_registry(
    h: ApprovalHarness, aws: ScenarioAws
) -> None:
    arn, approval_id = pending_package(h, aws)
    h.press(REJECT, approval_id, h.root_message(key_of(arn)), user="U2")
    h.submit_modal(h.opened_modal(), "f1 below the release bar", user="U2")
    assert h.told("U2")[0].startswith("You rejected churn-models v3")
    described = aws_client("sagemaker", aws.moto_url).describe_model_package(ModelPackageName=arn)
    assert described["ModelApprovalStatus"] == "Rejected"
    assert described["ApprovalDescription"] == "Rejected from Slack by U2: f1 below the release bar"
    assert aws.calls == ["UpdateModelPackage"]
    record = h.store.approval(approval_id)
    assert record.state is ApprovalState.REJECTED and record.request_id
    h.wait_for(lambda: not h.messages_with_buttons(), "the buttons to go")
    assert h.deliver() == 1
    assert "Rejected" in h.root_message(key_of(arn)).all_text()


def test_a_package_approved_in_the_console_is_not_decided_again(
    h: ApprovalHarness, aws: ScenarioAws
) -> None:
    arn, approval_id = pending_package(h, aws)
    aws_client("sagemaker", aws.moto_url).update_model_package(
        ModelPackageArn=arn, ModelApprovalStatus="Approved", ApprovalDescription="console"
    )
    h.press(APPROVE, approval_id, h.root_message(key_of(arn)))
    h.submit_modal(h.opened_modal(), "")
    assert h.told("U1") == [
        "churn-models v3 was already decided in AWS (the package is Approved in SageMaker);"
        " nothing was sent from here."
    ]
    assert aws.calls == []
    described = aws_client("sagemaker", aws.moto_url).describe_model_package(ModelPackageName=arn)
    assert described["ApprovalDescription"] == "console"
    assert h.store.approval(approval_id).state is ApprovalState.CLOSED
