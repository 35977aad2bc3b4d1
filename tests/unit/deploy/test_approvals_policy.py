"""deploy/approvals-policy.yaml: cfn-lint clean, and it grants exactly the calls the approval
code makes (bot.approvals.lookups and calls), each only when its resources are given."""

from __future__ import annotations

from typing import Any

import cfnlint.api  # type: ignore[import-untyped]
from cfnlint.decode import cfn_yaml  # type: ignore[import-untyped]

from tests.conftest import REPO

TEMPLATE = REPO / "deploy" / "approvals-policy.yaml"
CALLED = {
    "sts:GetCallerIdentity",  # the account of an SNS approval notification
    "codepipeline:GetPipelineState",  # the token or execution an event lacks
    "codepipeline:PutApprovalResult",
    "sagemaker:DescribeModelPackage",  # still pending? the approved version's report
    "sagemaker:UpdateModelPackage",
    "sagemaker:ListModelPackages",  # the group's approved version
    "s3:GetObject",  # model quality reports
}


def statements() -> list[dict[str, Any]]:
    template = cfn_yaml.loads(TEMPLATE.read_text(encoding="utf-8"))
    (policy,) = template["Resources"].values()
    found = []
    for node in policy["Properties"]["PolicyDocument"]["Statement"]:
        if isinstance(node, dict) and set(node) == {"Fn::If"}:
            found.append(node["Fn::If"][1])
        else:
            found.append(node)
    return found


def test_cfn_lint_reports_nothing() -> None:
    matches = cfnlint.api.lint(
        TEMPLATE.read_text(encoding="utf-8"),
        regions=["us-east-1", "eu-west-1"],
        config=cfnlint.api.ManualArgs(include_checks=["I"]),
    )
    assert [str(match) for match in matches] == []


def test_it_grants_what_the_approval_code_calls_and_nothing_else() -> None:
    granted = set()
    for statement in statements():
        action = statement["Action"]
        granted |= set(action if isinstance(action, list) else [action])
    assert granted == CALLED


def test_only_listing_and_identity_are_unscoped() -> None:
    unscoped = {
        str(statement["Action"]) for statement in statements() if statement["Resource"] == "*"
    }
    assert unscoped == {"sts:GetCallerIdentity", "sagemaker:ListModelPackages"}
