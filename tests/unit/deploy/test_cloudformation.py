"""deploy/cloudformation.yaml: cfn-lint clean; its rules forward exactly the events the
code knows; its IAM policy grants read-only access to what the code calls, no wildcard
action, and no write beyond consuming its own queue."""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
from collections.abc import Iterator
from functools import cache
from typing import Any

import botocore.session
import cfnlint.api  # type: ignore[import-untyped]
import pytest
import yaml
from botocore import xform_name
from cfnlint.decode import cfn_yaml  # type: ignore[import-untyped]

import bot.kinds
from bot.kinds.jobs import KINDS as JOB_KINDS
from bot.kinds.spec import KindSpec
from tests.conftest import EVENT_FIXTURES, REPO

ROOT = REPO
TEMPLATE = ROOT / "deploy" / "cloudformation.yaml"
SOURCES = {"aws.sagemaker", "aws.codepipeline", "aws.codebuild", "aws.states", "aws.cloudwatch"}

# The writes the bot may make, each on its own queue, topic or key only.
WRITES = {
    "sqs:ReceiveMessage": "EventsQueue",
    "sqs:DeleteMessage": "EventsQueue",
    "sqs:ChangeMessageVisibility": "EventsQueue",
    "sns:ConfirmSubscription": "EventsTopic",
    "kms:Decrypt": "KmsKeyArn",
    # The shared store of several replicas (TransactWriteItems is authorised as these), on
    # the stack's table; no CreateTable, the stack made it.
    "dynamodb:PutItem": "StoreTable",
    "dynamodb:UpdateItem": "StoreTable",
    "dynamodb:DeleteItem": "StoreTable",
    "dynamodb:ConditionCheckItem": "StoreTable",
}
READ_VERBS = ("Describe", "List", "Get", "Filter", "BatchGet", "Query")
# Granted although no code calls them yet, each for a reason; anything else granted must
# be called by the code (see test_bot_policy_grants_only_what_the_code_calls).
FORESEEN = {
    "sagemaker:DescribeMonitoringSchedule": "/mlpulse drift ENDPOINT (SPEC §6)",
    "sagemaker:ListMonitoringSchedules": "/mlpulse drift ENDPOINT (SPEC §6)",
    "sagemaker:ListMonitoringExecutions": "/mlpulse drift ENDPOINT (SPEC §6)",
    "logs:FilterLogEvents": "log search across a job's streams, CodeBuild logs",
    "states:DescribeExecution": "Step Functions answers (SPEC §1, model building)",
    "states:ListExecutions": "Step Functions answers (SPEC §1, model building)",
}


@cache
def template() -> dict[str, Any]:
    return dict(cfn_yaml.loads(TEMPLATE.read_text(encoding="utf-8")))


def resources(kind: str) -> dict[str, dict[str, Any]]:
    return {
        logical_id: resource
        for logical_id, resource in template()["Resources"].items()
        if resource["Type"] == kind
    }


def as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def branches(node: Any) -> Iterator[Any]:
    """`node`, or both branches of an `Fn::If` (either may be AWS::NoValue, left out)."""
    if isinstance(node, dict) and set(node) == {"Fn::If"}:
        for branch in node["Fn::If"][1:]:
            yield from branches(branch)
    elif node != {"Ref": "AWS::NoValue"}:
        yield node


def bot_statements() -> list[dict[str, Any]]:
    policy = template()["Resources"]["BotPolicy"]
    document = policy["Properties"]["PolicyDocument"]
    return [s for node in document["Statement"] for s in branches(node)]


def granted() -> set[str]:
    return {action for s in bot_statements() for action in as_list(s["Action"])}


# --- the template is valid -------------------------------------------------------------


def test_cfn_lint_reports_nothing() -> None:
    matches = cfnlint.api.lint(
        TEMPLATE.read_text(encoding="utf-8"),
        regions=["us-east-1", "eu-west-1"],
        config=cfnlint.api.ManualArgs(include_checks=["I"]),
    )
    assert [str(match) for match in matches] == []


def test_outputs_are_what_the_docs_use() -> None:
    """Every output is named in README, and every `<Name>` README's commands fill in from
    the stack is an output (the redrive needs both queue ARNs)."""
    outputs = set(template()["Outputs"])
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    deploy_section = readme[readme.index("## Deploy to AWS") : readme.index("## Operating it")]
    assert sorted(name for name in outputs if f"`{name}`" not in deploy_section) == []
    placeholders = set(re.findall(r"<([A-Z][A-Za-z]+)>", deploy_section))
    assert placeholders >= {"DeadLetterQueueArn", "QueueArn"}
    assert sorted(placeholders - outputs) == []


# --- the rules forward what the code knows ---------------------------------------------


def _specs_in(value: Any, depth: int = 0) -> Iterator[KindSpec]:
    if isinstance(value, KindSpec):
        yield value
    elif depth < 3 and isinstance(value, list | tuple):
        for item in value:
            yield from _specs_in(item, depth + 1)
    elif depth < 3 and isinstance(value, dict):
        for item in value.values():
            yield from _specs_in(item, depth + 1)


def code_detail_types() -> set[str]:
    """Every detail-type in the per-kind tables (bot.kinds and its modules)."""
    modules = [bot.kinds] + [
        importlib.import_module(f"bot.kinds.{info.name}")
        for info in pkgutil.iter_modules(bot.kinds.__path__)
    ]
    return {
        detail_type
        for module in modules
        for value in vars(module).values()
        for spec in _specs_in(value)
        for detail_type in spec.detail_types
    }


def forwarded() -> dict[tuple[str, str], str]:
    """(source, detail-type) -> the logical id of the rule that forwards it."""
    found: dict[tuple[str, str], str] = {}
    for logical_id, rule in resources("AWS::Events::Rule").items():
        pattern = rule["Properties"]["EventPattern"]
        for source in pattern["source"]:
            for detail_type in pattern["detail-type"]:
                assert (source, detail_type) not in found, "forwarded twice"
                found[source, detail_type] = logical_id
    return found


def test_rules_cover_every_monitoring_area() -> None:
    assert {source for source, _ in forwarded()} == SOURCES


def test_rules_forward_exactly_the_detail_types_the_code_knows() -> None:
    known = code_detail_types()
    assert len(known) >= 17
    in_rules = {detail_type for _, detail_type in forwarded()}
    assert sorted(known - in_rules) == [], "add these to a rule in deploy/cloudformation.yaml"
    assert sorted(in_rules - known) == [], "forwarded, but the bot would show them as unknown"


def test_each_detail_type_is_forwarded_from_the_source_aws_sends_it_under() -> None:
    rules = forwarded()
    by_type = {detail_type: source for source, detail_type in rules}
    seen = 0
    for path in EVENT_FIXTURES:
        event = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(event, dict) and event.get("detail-type") in by_type:
            assert (event["source"], event["detail-type"]) in rules, path.name
            seen += 1
    assert seen >= 30


def test_every_rule_publishes_to_the_topic_and_dead_letters_what_it_cannot() -> None:
    topic_policy = resources("AWS::SNS::TopicPolicy")["EventsTopicPolicy"]["Properties"]
    (eventbridge,) = [
        s
        for n in topic_policy["PolicyDocument"]["Statement"]
        for s in branches(n)
        if s["Principal"] == {"Service": "events.amazonaws.com"}
    ]
    allowed = eventbridge["Condition"]["ArnEquals"]["aws:SourceArn"]
    for logical_id, rule in resources("AWS::Events::Rule").items():
        (target,) = rule["Properties"]["Targets"]
        assert target["Arn"] == {"Ref": "EventsTopic"}
        assert target["DeadLetterConfig"]["Arn"] == {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]}
        assert {"Fn::GetAtt": [logical_id, "Arn"]} in allowed


def test_topic_policy_names_every_principal_and_lets_accounts_subscribe_only_queues() -> None:
    policy = resources("AWS::SNS::TopicPolicy")["EventsTopicPolicy"]["Properties"]
    statements = [s for n in policy["PolicyDocument"]["Statement"] for s in branches(n)]
    for statement in statements:
        assert "*" not in json.dumps(statement["Principal"]), statement["Sid"]
        assert statement["Condition"], f"{statement['Sid']} has no condition"
    (subscribe,) = [s for s in statements if s["Action"] == "sns:Subscribe"]
    assert subscribe["Condition"] == {"StringEquals": {"sns:Protocol": "sqs"}}


# --- the queue ---------------------------------------------------------------------------


def test_queue_redrives_to_an_encrypted_dead_letter_queue() -> None:
    queues = resources("AWS::SQS::Queue")
    queue = queues["EventsQueue"]["Properties"]
    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]},
        "maxReceiveCount": 5,
    }
    for properties in (queue, queues["DeadLetterQueue"]["Properties"]):
        sse = properties["SqsManagedSseEnabled"]["Fn::If"]
        cmk = properties["KmsMasterKeyId"]["Fn::If"]
        assert sse == ["UseKmsKey", {"Ref": "AWS::NoValue"}, True]
        assert cmk == ["UseKmsKey", {"Ref": "KmsKeyArn"}, {"Ref": "AWS::NoValue"}]


def test_queue_takes_messages_only_from_allowed_topics() -> None:
    subscription = resources("AWS::SNS::Subscription")["QueueSubscription"]["Properties"]
    assert subscription["Protocol"] == "sqs"
    assert subscription["RawMessageDelivery"] is False
    policy = resources("AWS::SQS::QueuePolicy")["EventsQueuePolicy"]["Properties"]
    for statement in (s for n in policy["PolicyDocument"]["Statement"] for s in branches(n)):
        assert statement["Principal"] == {"Service": "sns.amazonaws.com"}
        assert statement["Action"] == "sqs:SendMessage"
        assert "aws:SourceArn" in statement["Condition"]["ArnEquals"]


# --- the bot's IAM policy ----------------------------------------------------------------


def test_bot_policy_has_no_wildcard_action_and_writes_only_its_own_queue() -> None:
    for statement in bot_statements():
        assert statement["Effect"] == "Allow"
        assert not {"NotAction", "NotResource", "Principal"} & set(statement)
        actions = as_list(statement["Action"])
        for action in actions:
            assert "*" not in action, statement["Sid"]
            verb = action.split(":", 1)[1]
            if action in WRITES:
                scope = json.dumps(statement["Resource"])
                assert WRITES[action] in scope, f"{action} not scoped to {WRITES[action]}"
            else:
                assert verb.startswith(READ_VERBS), f"{action} is not read-only"
        if statement["Resource"] == "*":  # only where AWS offers no resource-level form
            assert all(
                a.split(":")[0] in {"sagemaker", "cloudwatch", "codepipeline"} for a in actions
            )
            assert all(a.split(":")[1].startswith(("List", "Get")) for a in actions), actions


def log_groups_read() -> list[str]:
    """The log groups the code reads: each SageMaker job kind's (bot.kinds.jobs: `/mlpulse
    job` and the tails under failed jobs' alerts) and CodeBuild's, where a build logs by
    default (`/aws/codebuild/<project>`, bot.delivery.logsources); each with its streams."""
    jobs = [f"{kind.log_group}:*" for kind in JOB_KINDS if kind.log_group]
    return [*jobs, "/aws/codebuild/*"]


def test_bot_policy_reads_logs_and_s3_only_where_mlpulse_looks() -> None:
    by_sid = {statement["Sid"]: statement for statement in bot_statements()}
    logs = json.dumps(by_sid["LogsRead"]["Resource"])
    groups = re.findall(r"log-group:([^\"]+)", logs)
    assert sorted(groups) == sorted(log_groups_read())
    assert len(groups) == 5  # four job kinds that log, and CodeBuild
    for sid in ("ModelMonitorList", "ModelMonitorRead"):
        assert "${ModelMonitorBucket}" in json.dumps(by_sid[sid]["Resource"])


# --- the policy matches the code's AWS calls ----------------------------------------------

# boto3 client name -> IAM service prefix
_SERVICES = {
    "sagemaker": "sagemaker",
    "cloudwatch": "cloudwatch",
    "logs": "logs",
    "codepipeline": "codepipeline",
    "s3": "s3",
    "stepfunctions": "states",
    "codebuild": "codebuild",
    "dynamodb": "dynamodb",
    "sts": "sts",
}
# Called, and needing no grant at all.
UNGRANTED = {
    # STS: "No permissions are required to perform this operation." The log tails ask it
    # once which account the bot is in (bot.aws.logtail), to say so of another's logs.
    "sts:GetCallerIdentity",
}
# API operations whose IAM action has another name.
_IAM_NAMES = {
    "s3:ListObjectsV2": "s3:ListBucket",
    "s3:ListObjects": "s3:ListBucket",
    "s3:HeadObject": "s3:GetObject",
}
_READ = r"(?:describe|list|get|filter|batch_get|search|head)_[a-z0-9_]+|query"
# An operation named as a string (`call(client, "describe_endpoint")`, paginators) or
# called as a method (`client.get_object(...)`).
_OPERATION = re.compile(rf"[\"']({_READ})[\"']|\.({_READ})\(")
_CODE = (
    "bot/aws",
    "bot/drift",
    "bot/explain",
    "bot/approvals",
    "bot/ingress",
    "commands",
    "bot/store",
)


@cache
def operations() -> dict[str, set[str]]:
    """snake_case operation -> the IAM actions it may be, over the services the bot uses."""
    session = botocore.session.get_session()
    found: dict[str, set[str]] = {}
    for service, prefix in _SERVICES.items():
        for name in session.get_service_model(service).operation_names:
            action = f"{prefix}:{name}"
            found.setdefault(xform_name(name), set()).add(_IAM_NAMES.get(action, action))
    return found


def called_operations() -> dict[str, set[str]]:
    """Each AWS read operation the code calls -> the files calling it."""
    called: dict[str, set[str]] = {}
    for place in _CODE:
        path = ROOT / place
        for file in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            for match in _OPERATION.finditer(file.read_text(encoding="utf-8")):
                name = match[1] or match[2]
                if name in operations():
                    called.setdefault(name, set()).add(str(file.relative_to(ROOT)))
    for kind in JOB_KINDS:  # `describe_training_job` ... are built from each JobKind
        for name in (kind.describe, kind.listing):
            called.setdefault(name, set()).add("bot/kinds/jobs.py")
    return called


def test_bot_policy_grants_every_aws_call_the_code_makes() -> None:
    called = called_operations()
    wanted = {"describe_endpoint", "get_metric_data", "get_log_events", "describe_log_streams"}
    assert wanted | {"get_caller_identity"} <= set(called)
    missing = {
        name: sorted(files)
        for name, files in called.items()
        if not operations()[name] & (granted() | UNGRANTED)
    }
    assert missing == {}, "grant these in BotPolicy (deploy/cloudformation.yaml)"


def test_bot_policy_grants_only_what_the_code_calls() -> None:
    used = {action for name in called_operations() for action in operations()[name]}
    extra = granted() - used - set(WRITES) - {"sqs:GetQueueAttributes"} - set(FORESEEN)
    assert sorted(extra) == [], "not called by the code: remove, or say why in FORESEEN"


@pytest.mark.parametrize("action", sorted(FORESEEN))
def test_foreseen_grants_are_real_grants(action: str) -> None:
    assert action in granted()


def test_what_needs_no_grant_is_not_granted() -> None:
    assert not UNGRANTED & granted()


# --- the store table and the bot service ---------------------------------------------------


def test_store_table_is_the_table_the_bot_would_create_and_is_kept_safe() -> None:
    from bot.store.dynamodb.provisioning import _SCHEMA

    table = resources("AWS::DynamoDB::Table")["StoreTable"]
    properties = table["Properties"]
    for key in ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes", "BillingMode"):
        assert properties[key] == _SCHEMA[key], key
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert properties["SSESpecification"] == {"SSEEnabled": True}
    assert properties["DeletionProtectionEnabled"] is True
    # Retention (issue 20) stamps records with `expires_at`, epoch seconds.
    assert properties["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == "Retain"


def test_dead_letter_alarm_notifies_the_operations_topic() -> None:
    alarm = resources("AWS::CloudWatch::Alarm")["DeadLetterAlarm"]["Properties"]
    assert alarm["AlarmActions"] == alarm["OKActions"] == [{"Ref": "OperationsTopic"}]
    subscription = resources("AWS::SNS::Subscription")["OperationsEmailSubscription"]
    assert subscription["Condition"] == "HasOperationsEmail"
    assert subscription["Properties"]["Protocol"] == "email"


def test_the_bot_service_needs_every_setting_it_uses() -> None:
    """Rules refuse ContainerImage without each parameter the bot's resources name."""
    bot = {
        name: resource
        for name, resource in template()["Resources"].items()
        if resource.get("Condition") == "WithBot"
    }
    assert len(bot) >= 12
    named = set(re.findall(r'"Ref": "([A-Za-z]+)"', json.dumps(bot))) & set(
        template()["Parameters"]
    )
    with_defaults = {
        name for name in named if template()["Parameters"][name].get("Default") in ("", None)
    }
    rule = template()["Rules"]["BotServiceNeedsItsSettings"]
    assert rule["RuleCondition"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "ContainerImage"}, ""]}]}
    asserted = set(re.findall(r'"Ref": "([A-Za-z]+)"', json.dumps(rule["Assertions"])))
    assert sorted(with_defaults - asserted - {"ContainerImage"}) == []
    assert "StoreTableName" in asserted


def test_the_service_is_fargate_behind_the_target_group_and_runs_as_the_images_user() -> None:
    (service,) = resources("AWS::ECS::Service").values()
    properties = service["Properties"]
    assert properties["LaunchType"] == "FARGATE"
    (balanced,) = properties["LoadBalancers"]
    assert balanced == {
        "ContainerName": "mlpulse",
        "ContainerPort": 3000,
        "TargetGroupArn": {"Ref": "BotTargetGroup"},
    }
    assert properties["DeploymentConfiguration"]["DeploymentCircuitBreaker"]["Rollback"] is True
    (task,) = resources("AWS::ECS::TaskDefinition").values()
    assert task["Properties"]["RequiresCompatibilities"] == ["FARGATE"]
    assert task["Properties"]["NetworkMode"] == "awsvpc"
    (container,) = task["Properties"]["ContainerDefinitions"]
    assert container["User"] == "10001"
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "USER 10001:10001" in dockerfile and "EXPOSE 3000" in dockerfile


def test_the_container_is_given_only_settings_the_code_reads_and_no_secret_in_plain() -> None:
    from bot.config.settings import Settings, variable

    (task,) = resources("AWS::ECS::TaskDefinition").values()
    (container,) = task["Properties"]["ContainerDefinitions"]
    read = {variable(name) for name in Settings.model_fields} | {"AWS_DEFAULT_REGION"}
    given = {pair["Name"] for pair in container["Environment"]}
    assert sorted(given - read) == []
    secrets = {pair["Name"] for pair in container["Secrets"]}
    assert secrets == {"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"}
    assert not secrets & given


def test_the_task_role_is_the_bot_policy_and_nothing_else() -> None:
    roles = resources("AWS::IAM::Role")
    task_role = roles["BotTaskRole"]["Properties"]
    member_roles = {"Ref": "AssumeMemberRolesPolicy"}  # only when there are member accounts
    assert task_role["ManagedPolicyArns"] == [
        {"Ref": "BotPolicy"},
        {"Fn::If": ["AssumesMemberRoles", member_roles, {"Ref": "AWS::NoValue"}]},
    ]
    assert "Policies" not in task_role
    execution = roles["BotExecutionRole"]["Properties"]
    (inline,) = execution["Policies"]
    (statement,) = inline["PolicyDocument"]["Statement"]
    assert statement["Action"] == "secretsmanager:GetSecretValue"
    assert statement["Resource"] == {"Fn::Sub": "${SlackSecretArn}"}
    for role in roles.values():
        (trust,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        assert trust["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
        assert trust["Condition"] == {
            "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
        }


def test_only_slack_and_sns_are_reachable_and_only_over_https() -> None:
    listeners = resources("AWS::ElasticLoadBalancingV2::Listener")
    assert [listener["Properties"]["Protocol"] for listener in listeners.values()] == ["HTTPS"]
    (rule,) = resources("AWS::ElasticLoadBalancingV2::ListenerRule").values()
    (condition,) = rule["Properties"]["Conditions"]
    assert condition["PathPatternConfig"]["Values"] == ["/slack/events", "/sns"]
    (group,) = resources("AWS::ElasticLoadBalancingV2::TargetGroup").values()
    assert group["Properties"]["HealthCheckPath"] == "/healthz"  # liveness, not readiness
    groups = resources("AWS::EC2::SecurityGroup")
    (into_tasks,) = groups["ServiceSecurityGroup"]["Properties"]["SecurityGroupIngress"]
    assert into_tasks["SourceSecurityGroupId"] == {
        "Fn::GetAtt": ["LoadBalancerSecurityGroup", "GroupId"]
    }
    (into_balancer,) = groups["LoadBalancerSecurityGroup"]["Properties"]["SecurityGroupIngress"]
    assert (into_balancer["FromPort"], into_balancer["ToPort"]) == (443, 443)


# --- docker-compose.yaml -----------------------------------------------------------------


def test_compose_file_wires_the_bot_to_the_emulated_queue() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert set(services) == {"moto", "aws-setup", "mlpulse"}
    assert services["moto"]["image"].startswith("motoserver/moto:")
    bot_service = services["mlpulse"]
    assert (ROOT / bot_service["build"]["context"] / bot_service["build"]["dockerfile"]).is_file()
    environment = bot_service["environment"]
    assert environment["AWS_ENDPOINT_URL"] == "http://moto:5000"
    queue_name = environment["MLPULSE_SQS_QUEUE_URLS"].rsplit("/", 1)[-1]
    assert f'QueueName="{queue_name}"' in services["aws-setup"]["command"][0]
    for secret in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        assert environment[secret] is None  # passed through from the host, never baked in
    assert "healthcheck" in bot_service and bot_service["volumes"]


def test_compose_file_mentions_only_files_that_exist() -> None:
    text = (ROOT / "docker-compose.yaml").read_text(encoding="utf-8")
    mentioned = re.findall(r"(?:file://|\s)((?:deploy|tests|bot)/[\w./-]+)", text)
    assert mentioned
    assert [path for path in mentioned if not (ROOT / path).exists()] == []
