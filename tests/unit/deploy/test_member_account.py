"""deploy/member-account.yaml (issue 16): cfn-lint clean; its read role grants exactly the
read calls the monitoring account's BotPolicy grants (which tests/unit/deploy/
test_cloudformation.py holds to exactly the calls the code makes), trusts the monitoring
account only; its rules forward exactly what the central rules take, to the central bus,
through a role that may do nothing else. The central template accepts the events from
the organization only, and lets the bot assume the member roles and nothing more."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import cfnlint.api  # type: ignore[import-untyped]
from cfnlint.decode import cfn_yaml  # type: ignore[import-untyped]

from tests.conftest import REPO
from tests.unit.deploy.test_cloudformation import (
    READ_VERBS,
    WRITES,
    as_list,
    branches,
    forwarded,
    granted,
)
from tests.unit.deploy.test_cloudformation import template as central

MEMBER = REPO / "deploy" / "member-account.yaml"


@cache
def member() -> dict[str, Any]:
    return dict(cfn_yaml.loads(MEMBER.read_text(encoding="utf-8")))


def resource(name: str) -> dict[str, Any]:
    found: dict[str, Any] = member()["Resources"][name]
    return found


def read_statements() -> list[dict[str, Any]]:
    [policy] = resource("ReadRole")["Properties"]["Policies"]
    return [s for node in policy["PolicyDocument"]["Statement"] for s in branches(node)]


def test_cfn_lint_reports_nothing() -> None:
    matches = cfnlint.api.lint(
        MEMBER.read_text(encoding="utf-8"),
        regions=["us-east-1", "eu-west-1"],
        config=cfnlint.api.ManualArgs(include_checks=["I"]),
    )
    assert [str(match) for match in matches] == []


def test_the_read_role_grants_exactly_the_bots_reads() -> None:
    reads = {action for s in read_statements() for action in as_list(s["Action"])}
    # everything the bot reads, but its own queue and store in the monitoring account
    own = set(WRITES) | {"sqs:GetQueueAttributes"}
    central_reads = {action for action in granted() - own if not action.startswith("dynamodb:")}
    assert reads == central_reads


def test_the_read_role_reads_only_and_only_in_its_own_account() -> None:
    for statement in read_statements():
        assert statement["Effect"] == "Allow"
        assert not {"NotAction", "NotResource", "Principal"} & set(statement)
        for action in as_list(statement["Action"]):
            assert "*" not in action
            assert action.split(":", 1)[1].startswith(READ_VERBS), action
        scope = json.dumps(statement["Resource"])
        if statement["Resource"] != "*":
            assert "${AWS::AccountId}" in scope or "${ModelMonitorBucket}" in scope, scope
            assert "${AWS::Region}" not in scope  # every region the bot is told to ask


def test_only_the_monitoring_account_may_assume_it_with_the_external_id() -> None:
    properties = resource("ReadRole")["Properties"]
    [trust] = properties["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Action"] == "sts:AssumeRole"
    assert trust["Principal"] == {
        "AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${MonitoringAccountId}:root"}
    }
    condition = trust["Condition"]["Fn::If"]
    assert condition[0] == "HasExternalId"
    assert condition[1] == {"StringEquals": {"sts:ExternalId": {"Ref": "ExternalId"}}}
    assert properties["MaxSessionDuration"] == 3600  # what bot.aws.assume asks for
    assert member()["Parameters"]["ExternalId"]["NoEcho"] is True


def member_forwarded() -> dict[tuple[str, str], str]:
    found: dict[tuple[str, str], str] = {}
    for logical_id, rule in member()["Resources"].items():
        if rule["Type"] != "AWS::Events::Rule":
            continue
        pattern = rule["Properties"]["EventPattern"]
        for source in pattern["source"]:
            for detail_type in pattern["detail-type"]:
                found[source, detail_type] = logical_id
    return found


def test_the_rules_forward_exactly_what_the_central_rules_take() -> None:
    assert set(member_forwarded()) == set(forwarded())


def test_every_rule_targets_the_central_bus_through_the_forward_role() -> None:
    allowed = resource("DeadLetterQueuePolicy")["Properties"]["PolicyDocument"]["Statement"]
    [dead_letters] = allowed
    sources = dead_letters["Condition"]["ArnEquals"]["aws:SourceArn"]
    for logical_id in set(member_forwarded().values()):
        [target] = resource(logical_id)["Properties"]["Targets"]
        assert target["Arn"] == {"Ref": "CentralEventBusArn"}
        assert target["RoleArn"] == {"Fn::GetAtt": ["ForwardRole", "Arn"]}
        assert target["DeadLetterConfig"]["Arn"] == {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]}
        assert {"Fn::GetAtt": [logical_id, "Arn"]} in sources


def test_the_forward_role_only_puts_events_on_the_central_bus() -> None:
    properties = resource("ForwardRole")["Properties"]
    [trust] = properties["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "events.amazonaws.com"}
    [policy] = properties["Policies"]
    assert policy["PolicyDocument"]["Statement"] == [
        {"Effect": "Allow", "Action": "events:PutEvents", "Resource": {"Ref": "CentralEventBusArn"}}
    ]


def test_the_central_bus_takes_events_from_the_organization_only() -> None:
    bus_policy = central()["Resources"]["OrganizationEventBusPolicy"]
    assert bus_policy["Condition"] == "HasOrganization"
    statement = bus_policy["Properties"]["Statement"]
    assert statement["Action"] == "events:PutEvents"
    assert statement["Condition"] == {
        "StringEquals": {"aws:PrincipalOrgID": {"Ref": "OrganizationId"}}
    }
    assert "EventBusArn" in central()["Outputs"]


def test_the_bot_may_assume_the_member_read_role_and_nothing_else() -> None:
    policy = central()["Resources"]["AssumeMemberRolesPolicy"]["Properties"]["PolicyDocument"]
    [statement] = policy["Statement"]
    assert statement["Action"] == "sts:AssumeRole"
    assert statement["Resource"] == {
        "Fn::Sub": "arn:${AWS::Partition}:iam::*:role/${MemberRoleName}"
    }
    code = (REPO / "bot" / "aws" / "assume.py").read_text(encoding="utf-8")
    assert "sts.assume_role(" in code  # the one call it grants
