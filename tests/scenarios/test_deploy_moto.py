"""deploy/cloudformation.yaml deployed into a moto server, the whole stack (event path,
store table, bot service): then an event sent the way AWS would: SNS topic -> SQS queue ->
QueueConsumer -> Pipeline -> one alert in the outbox; the bot's own store opened on the
stack's table; the service wired as README says.

Where moto falls short, and what stands in:
- moto's CloudFormation creates the topics, both queues, the rules, the IAM policy and
  roles, the DynamoDB table, the ECS cluster, task definition and service, the load
  balancer, its listener, rule and target group, the security groups and the log group;
  but skips AWS::SNS::TopicPolicy, AWS::SQS::QueuePolicy, AWS::SNS::Subscription (the
  queue's and the operations e-mail) and AWS::CloudWatch::Alarm (with a warning).
  `apply_skipped` makes exactly the resources it skipped with direct API calls, built from
  the template's own properties (intrinsics resolved here), so nothing is written twice
  by hand. It also ignores the table's PointInTimeRecoverySpecification and
  TimeToLiveSpecification: those are set the same way (UpdateContinuousBackups,
  UpdateTimeToLive), so their shapes are still checked by the API. Its SSESpecification
  moto reads under the API's key (`Enabled`, not CloudFormation's `SSEEnabled`), so it
  drops that too: encryption is checked on the template (tests/unit/deploy). It drops a
  role's ManagedPolicyArns: the stack's own policies are attached the same way.
- moto ignores the template's Rules (the bot service's required parameters): cfn-lint
  checks them, and tests/unit/deploy their content.
- moto runs no task: the service is checked as ECS and the load balancer describe it.
  Its ECS drops the service's LaunchType, LoadBalancers and NetworkConfiguration, and the
  task definition's NetworkMode, RequiresCompatibilities and roles: those are checked on
  the template (tests/unit/deploy), the roles through the stack's own resources.
- moto turns `AWS::NoValue` inside a list into null, which its IAM refuses: the stack is
  deployed with every optional parameter set, so every `Fn::If` takes its present branch.
  The default parameters are checked by cfn-lint (tests/unit/deploy/test_cloudformation.py).
- moto does not deliver EventBridge -> SNS targets: the event is published to the topic
  directly. Nor does it answer TestEventPattern: the deployed rules' patterns are checked
  against the published AWS samples with moto's own rule matcher (the one that decides
  its deliveries to SQS targets).
- moto enforces no resource policy: the policies are checked for being in place.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import pytest
from cfnlint.decode import cfn_yaml  # type: ignore[import-untyped]
from moto.events.models import EventPattern

from bot.config.models import Config
from bot.core.clock import FakeClock
from bot.core.events import Kind
from bot.ingress.sqs import QueueConsumer
from bot.intake.accept import Pipeline
from bot.ops.health import Health
from bot.ops.telemetry import Metrics
from bot.store.dynamodb.store import DynamoDBStore
from bot.store.sqlite.store import SqliteStore
from tests.conftest import EVENT_FIXTURES, FIXTURES
from tests.fakes.moto import ACCOUNT, REGION, aws_client, messages_left, moto_server, moto_url

__all__ = ["moto_server", "moto_url"]  # fixtures used by name

# moto warns (UserWarning) about each resource type its CloudFormation skips, from the
# server thread; pytest would turn that into an error inside the server.
pytestmark = pytest.mark.filterwarnings("ignore:Tried to parse:UserWarning")

TEMPLATE = Path(__file__).parents[2] / "deploy" / "cloudformation.yaml"
STACK = "mlpulse"
FOREIGN_TOPIC = "arn:aws:sns:eu-west-1:210987654321:platform-events"
SLACK_HOST = "mlpulse.example.com"
IMAGE = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/mlpulse@sha256:{'ab' * 32}"
PARAMETERS = {
    "AlarmNamePrefix": "ml-",
    "ModelMonitorBucket": "acme-model-monitor",
    "StoreTableName": "mlpulse-store",
    "ModelMonitorPrefix": "monitoring/",
    "ForeignTopicArns": FOREIGN_TOPIC,
    "SubscriberAccounts": "210987654321",
    "KmsKeyArn": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "OperationsEmail": "ml-oncall@example.com",
    # The bot service: the network, certificate and secret are made first (bot_prerequisites).
    "ContainerImage": IMAGE,
    "PublicHostName": SLACK_HOST,
    "AssignPublicIp": "ENABLED",
    "OrganizationId": "o-abc123def4",
    "MemberRoleName": "mlpulse-read",
}
NO_VALUE = object()
_SUB = re.compile(r"\$\{([^}!][^}]*)\}")


# --- a small CloudFormation: resolve the template against what moto made -------------


@dataclass
class Stack:
    """The deployed stack: its outputs, and references resolved as CloudFormation would."""

    url: str
    template: dict[str, Any]
    parameters: dict[str, Any]
    physical: dict[str, str]  # logical id -> what Ref gives
    outputs: dict[str, str]
    conditions: dict[str, bool] = field(default_factory=dict)

    def client(self, service: str) -> Any:
        return aws_client(service, self.url)

    def ref(self, name: str) -> Any:
        pseudo = {
            "AWS::Region": REGION,
            "AWS::AccountId": ACCOUNT,
            "AWS::Partition": "aws",
            "AWS::StackName": STACK,
            "AWS::NoValue": NO_VALUE,
        }
        if name in pseudo:
            return pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        return self.physical[name]

    def attribute(self, logical_id: str, name: str) -> str:
        kind = self.template["Resources"][logical_id]["Type"]
        physical = self.physical[logical_id]
        if kind == "AWS::SQS::Queue" and name == "Arn":
            answer = self.client("sqs").get_queue_attributes(
                QueueUrl=physical, AttributeNames=["QueueArn"]
            )
            return str(answer["Attributes"]["QueueArn"])
        if kind == "AWS::SQS::Queue" and name == "QueueName":
            return physical.rsplit("/", 1)[-1]
        if kind == "AWS::Events::Rule" and name == "Arn":
            return str(self.client("events").describe_rule(Name=physical)["Arn"])
        raise AssertionError(f"no stand-in for !GetAtt {logical_id}.{name}")

    def resolve(self, node: Any) -> Any:
        if isinstance(node, list):
            items = (self.resolve(item) for item in node)
            return [item for item in items if item is not NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            ((key, arg),) = node.items()
            if key == "Ref":
                return self.ref(arg)
            if key == "Fn::GetAtt":
                return self.attribute(*(arg.split(".", 1) if isinstance(arg, str) else arg))
            if key == "Fn::Sub":
                return _SUB.sub(lambda match: str(self._named(match[1])), arg)
            if key == "Fn::If":
                condition, present, absent = arg
                return self.resolve(present if self.conditions[condition] else absent)
            if key == "Fn::Join":
                separator, items = arg
                return separator.join(self.resolve(items))
            if key == "Fn::Equals":
                left, right = self.resolve(arg)
                return left == right
            if key == "Fn::Not":
                return not self.resolve(arg[0])
            if key == "Fn::And":
                return all(self.resolve(item) for item in arg)
            if key == "Condition":
                return self.conditions[arg]
        resolved = ((key, self.resolve(value)) for key, value in node.items())
        return {key: value for key, value in resolved if value is not NO_VALUE}

    def _named(self, name: str) -> Any:
        if "." in name and not name.startswith("AWS::"):
            return self.attribute(*name.split(".", 1))
        return self.ref(name)


def bot_prerequisites(url: str) -> dict[str, str]:
    """What the bot service's parameters name and a stack does not make: the VPC and its
    subnets (moto's default VPC), the certificate (ACM) and the Slack secret."""
    ec2 = aws_client("ec2", url)
    (vpc,) = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])
    subnet_ids = sorted(subnet["SubnetId"] for subnet in subnets["Subnets"])[:2]
    certificate = aws_client("acm", url).request_certificate(DomainName=SLACK_HOST)
    secret = aws_client("secretsmanager", url).create_secret(
        Name="mlpulse/slack",
        SecretString=json.dumps({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}),
    )
    return {
        "VpcId": vpc["VpcId"],
        "LoadBalancerSubnetIds": ",".join(subnet_ids),
        "ServiceSubnetIds": ",".join(subnet_ids),
        "CertificateArn": certificate["CertificateArn"],
        "SlackSecretArn": secret["ARN"],
    }


def deploy(url: str) -> Stack:
    template = dict(cfn_yaml.loads(TEMPLATE.read_text(encoding="utf-8")))
    given = PARAMETERS | bot_prerequisites(url)
    cloudformation = aws_client("cloudformation", url)
    cloudformation.create_stack(
        StackName=STACK,
        TemplateBody=TEMPLATE.read_text(encoding="utf-8"),
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in given.items()],
        Capabilities=["CAPABILITY_IAM"],
    )
    (described,) = cloudformation.describe_stacks(StackName=STACK)["Stacks"]
    assert described["StackStatus"] == "CREATE_COMPLETE", described
    made = cloudformation.list_stack_resources(StackName=STACK)["StackResourceSummaries"]
    physical = {
        row["LogicalResourceId"]: row["PhysicalResourceId"]
        for row in made
        if row.get("LogicalResourceId")
    }
    parameters: dict[str, Any] = {}
    for name, spec in template["Parameters"].items():
        value = str(given.get(name, spec.get("Default", "")))
        parameters[name] = value.split(",") if spec["Type"] == "CommaDelimitedList" else value
    outputs = {row["OutputKey"]: row["OutputValue"] for row in described["Outputs"]}
    stack = Stack(url, template, parameters, physical, outputs)
    for name, rule in template["Conditions"].items():  # in order: a condition may name one above
        stack.conditions[name] = bool(stack.resolve(rule))
    return stack


def _set_topic_policy(stack: Stack, properties: dict[str, Any]) -> None:
    for topic in properties["Topics"]:
        stack.client("sns").set_topic_attributes(
            TopicArn=topic,
            AttributeName="Policy",
            AttributeValue=json.dumps(properties["PolicyDocument"]),
        )


def _set_queue_policy(stack: Stack, properties: dict[str, Any]) -> None:
    for queue in properties["Queues"]:
        stack.client("sqs").set_queue_attributes(
            QueueUrl=queue, Attributes={"Policy": json.dumps(properties["PolicyDocument"])}
        )


def _subscribe(stack: Stack, properties: dict[str, Any]) -> None:
    attributes = {}
    if "RawMessageDelivery" in properties:
        attributes["RawMessageDelivery"] = str(properties["RawMessageDelivery"]).lower()
    if "RedrivePolicy" in properties:
        attributes["RedrivePolicy"] = json.dumps(properties["RedrivePolicy"])
    stack.client("sns").subscribe(
        TopicArn=properties["TopicArn"],
        Protocol=properties["Protocol"],
        Endpoint=properties["Endpoint"],
        Attributes=attributes,
    )


def _put_alarm(stack: Stack, properties: dict[str, Any]) -> None:
    stack.client("cloudwatch").put_metric_alarm(**properties)


def _put_bus_permission(stack: Stack, properties: dict[str, Any]) -> None:
    statement = properties["Statement"]
    [(test, condition)] = statement["Condition"].items()
    [(key, value)] = condition.items()
    stack.client("events").put_permission(
        EventBusName=properties["EventBusName"],
        Action=statement["Action"],
        Principal=statement["Principal"],
        StatementId=properties["StatementId"],
        Condition={"Type": test, "Key": key, "Value": value},
    )


# In dependency order: the subscription waits for the queue policy (DependsOn).
STAND_INS: dict[str, Callable[[Stack, dict[str, Any]], None]] = {
    "AWS::SNS::TopicPolicy": _set_topic_policy,
    "AWS::SQS::QueuePolicy": _set_queue_policy,
    "AWS::SNS::Subscription": _subscribe,
    "AWS::CloudWatch::Alarm": _put_alarm,
    "AWS::Events::EventBusPolicy": _put_bus_permission,
}


def _table_settings(stack: Stack, logical_id: str, properties: dict[str, Any]) -> None:
    """moto makes the table but drops its point-in-time recovery and TTL settings."""
    dynamodb, table = stack.client("dynamodb"), stack.physical[logical_id]
    dynamodb.update_continuous_backups(
        TableName=table,
        PointInTimeRecoverySpecification=properties["PointInTimeRecoverySpecification"],
    )
    dynamodb.update_time_to_live(
        TableName=table, TimeToLiveSpecification=properties["TimeToLiveSpecification"]
    )


def _role_policies(stack: Stack, logical_id: str, properties: dict[str, Any]) -> None:
    """moto makes the role but drops its ManagedPolicyArns. It holds no AWS managed
    policy (AmazonECSTaskExecutionRolePolicy): those are checked on the template."""
    for arn in properties.get("ManagedPolicyArns", []):
        if not arn.startswith("arn:aws:iam::aws:policy/"):
            stack.client("iam").attach_role_policy(
                RoleName=stack.physical[logical_id], PolicyArn=arn
            )


# Resources moto makes, with properties it ignores: set with the API, from the template.
IGNORED_PROPERTIES: dict[str, Callable[[Stack, str, dict[str, Any]], None]] = {
    "AWS::DynamoDB::Table": _table_settings,
    "AWS::IAM::Role": _role_policies,
}


def apply_skipped(stack: Stack) -> list[str]:
    """Make the resources moto's CloudFormation skipped, and the properties it ignored;
    the logical ids of the resources it skipped."""
    for logical_id, resource in stack.template["Resources"].items():
        if resource["Type"] in IGNORED_PROPERTIES and logical_id in stack.physical:
            properties = stack.resolve(resource["Properties"])
            IGNORED_PROPERTIES[resource["Type"]](stack, logical_id, properties)
    skipped = {
        logical_id: resource
        for logical_id, resource in stack.template["Resources"].items()
        if logical_id not in stack.physical
        and stack.conditions.get(resource.get("Condition", ""), True)
    }
    unknown = {resource["Type"] for resource in skipped.values()} - set(STAND_INS)
    assert not unknown, f"moto skipped {unknown}: add a stand-in"
    for kind, make in STAND_INS.items():
        for resource in skipped.values():
            if resource["Type"] == kind:
                make(stack, stack.resolve(resource["Properties"]))
    return sorted(skipped)


@pytest.fixture
def stack(moto_url: str) -> Iterator[Stack]:
    deployed = deploy(moto_url)
    apply_skipped(deployed)
    yield deployed


# --- helpers -------------------------------------------------------------------------


def bot_on(queue_url: str, stack: Stack, store: SqliteStore, clock: FakeClock) -> QueueConsumer:
    """The consumer half of `mlpulse run`, pointed at `queue_url` as the docs say."""
    metrics = Metrics()
    pipeline = Pipeline(Config(), store, clock, metrics)
    sqs = {queue_url: stack.client("sqs")}
    return QueueConsumer(sqs, pipeline, clock, metrics, Health(), wait_seconds=0)


def drain(consumer: QueueConsumer, queue_url: str) -> int:
    taken = 0
    for _ in range(10):
        got = consumer.poll_once(queue_url)
        if not got:
            return taken
        taken += got
    raise AssertionError(f"{queue_url} still had messages after 10 polls")


def policy_statements(stack: Stack, name: str) -> dict[str, dict[str, Any]]:
    """The deployed bot policy's statements by Sid."""
    iam = stack.client("iam")
    policy = iam.get_policy(PolicyArn=stack.outputs[name])["Policy"]
    version = iam.get_policy_version(PolicyArn=policy["Arn"], VersionId=policy["DefaultVersionId"])[
        "PolicyVersion"
    ]
    document = version["Document"]
    if isinstance(document, str):
        document = json.loads(document)
    return {statement["Sid"]: statement for statement in document["Statement"]}


# --- the tests -----------------------------------------------------------------------


def test_stack_deploys_and_an_event_flows_from_the_topic_to_one_alert(
    stack: Stack, store: SqliteStore, clock: FakeClock
) -> None:
    outputs = stack.outputs
    assert set(outputs) >= {"QueueUrl", "TopicArn", "DeadLetterQueueUrl", "BotPolicyArn"}
    queue, dead_letters = outputs["QueueUrl"], outputs["DeadLetterQueueUrl"]
    sqs, sns = stack.client("sqs"), stack.client("sns")

    redrive = json.loads(
        sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["RedrivePolicy"])["Attributes"][
            "RedrivePolicy"
        ]
    )
    assert redrive["deadLetterTargetArn"] == stack.attribute("DeadLetterQueue", "Arn")
    assert int(redrive["maxReceiveCount"]) == 5
    (subscription,) = sns.list_subscriptions_by_topic(TopicArn=outputs["TopicArn"])["Subscriptions"]
    assert subscription["Protocol"] == "sqs"
    assert subscription["Endpoint"] == outputs["QueueArn"]
    settings = sns.get_subscription_attributes(SubscriptionArn=subscription["SubscriptionArn"])
    assert settings["Attributes"]["RawMessageDelivery"] == "false"
    topic_policy = json.loads(
        sns.get_topic_attributes(TopicArn=outputs["TopicArn"])["Attributes"]["Policy"]
    )
    principals = {
        statement["Sid"]: statement["Principal"] for statement in topic_policy["Statement"]
    }
    assert principals == {
        "EventBridgeRulesPublish": {"Service": "events.amazonaws.com"},
        "CloudWatchAlarmsPublish": {"Service": "cloudwatch.amazonaws.com"},
        "AccountsSubscribeTheirQueues": {"AWS": ["210987654321"]},
    }
    queue_policy = json.loads(
        sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["Policy"])["Attributes"]["Policy"]
    )
    senders = [s["Condition"]["ArnEquals"]["aws:SourceArn"] for s in queue_policy["Statement"]]
    assert senders == [outputs["TopicArn"], [FOREIGN_TOPIC]]
    granted = policy_statements(stack, "BotPolicyArn")
    assert granted["QueueConsume"]["Resource"] == outputs["QueueArn"]
    assert granted["ConfirmHttpsSubscription"]["Resource"] == outputs["TopicArn"]

    # What EventBridge would publish (moto does not deliver rule -> SNS targets).
    event = (FIXTURES / "sagemaker-training-job-state-change-completed.json").read_text()
    sns.publish(TopicArn=outputs["TopicArn"], Message=event)
    assert messages_left(stack.client("sqs"), queue) == 1

    consumer = bot_on(queue, stack, store, clock)
    assert drain(consumer, queue) == 1

    assert store.pending_count() == 1
    (item,) = store.due(clock.now(), 10)
    assert item.event is not None
    assert item.event.kind == Kind.TRAINING_JOB
    assert item.event.envelope == "sqs/sns/eventbridge"  # raw delivery off, as deployed
    assert messages_left(stack.client("sqs"), queue) == 0
    assert messages_left(stack.client("sqs"), dead_letters) == 0


def test_a_message_taken_five_times_moves_to_the_dead_letter_queue_and_is_still_readable(
    stack: Stack, store: SqliteStore, clock: FakeClock
) -> None:
    """Five receives without a delete (the bot's store down, say) move the message to the
    dead-letter queue; the bot reads what lands there, so a replay loses nothing."""
    queue, dead_letters = stack.outputs["QueueUrl"], stack.outputs["DeadLetterQueueUrl"]
    sqs, sns = stack.client("sqs"), stack.client("sns")
    event = (FIXTURES / "sagemaker-processing-job-state-change-failed.json").read_text()
    sns.publish(TopicArn=stack.outputs["TopicArn"], Message=event)

    for _ in range(5):
        (message,) = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=0)["Messages"]
        sqs.change_message_visibility(
            QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
        )
    assert "Messages" not in sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=0)
    assert messages_left(stack.client("sqs"), queue) == 0
    assert messages_left(stack.client("sqs"), dead_letters) == 1

    consumer = bot_on(dead_letters, stack, store, clock)
    assert drain(consumer, dead_letters) == 1
    (item,) = store.due(clock.now(), 10)
    assert item.event is not None
    assert item.event.kind == Kind.PROCESSING_JOB
    assert item.event.status == "Failed"


def _rules(stack: Stack) -> dict[str, str]:
    """Each deployed rule's logical id -> its event pattern, as EventBridge holds it."""
    events = stack.client("events")
    return {
        logical_id: str(events.describe_rule(Name=stack.physical[logical_id])["EventPattern"])
        for logical_id, resource in stack.template["Resources"].items()
        if resource["Type"] == "AWS::Events::Rule"
    }


def _matching(rules: dict[str, str], event: dict[str, Any]) -> list[str]:
    return [
        logical_id
        for logical_id, pattern in rules.items()
        if EventPattern.load(pattern).matches_event(cast(Any, event))
    ]


def test_each_published_aws_sample_matches_the_rule_for_its_source(stack: Stack) -> None:
    rules = _rules(stack)
    expected = {
        "aws.sagemaker": "SageMakerRule",
        "aws.codepipeline": "CodePipelineRule",
        "aws.codebuild": "CodeBuildRule",
        "aws.states": "StepFunctionsRule",
        "aws.cloudwatch": "AlarmRule",
    }
    checked = 0
    for path in EVENT_FIXTURES:
        event = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(event, dict) or "detail-type" not in event:
            continue  # SNS, SQS and classic alarm envelopes: not EventBridge events
        if event["source"] == "aws.cloudwatch":  # the stack forwards only `ml-` alarms
            assert _matching(rules, event) == [], path.name
            event["detail"]["alarmName"] = "ml-" + str(event["detail"]["alarmName"])
        wanted = [expected[event["source"]]]
        if event["detail-type"] == "SageMaker Feature Group State Change":
            wanted = []  # mlpulse does not know it: not forwarded
        assert _matching(rules, event) == wanted, path.name
        checked += 1
    assert checked >= 30


# --- the store and the bot service -----------------------------------------------------


def test_the_bot_opens_its_store_on_the_stacks_table(stack: Stack) -> None:
    """The table has the shape the bot checks for (it refuses any other), and everything
    a record of months needs: recovery, encryption, deletion protection, expiry."""
    dynamodb = stack.client("dynamodb")
    table = stack.outputs["StoreUrl"].removeprefix("dynamodb://")
    assert stack.outputs["StoreTableArn"].endswith(f":table/{table}")

    store = DynamoDBStore(table, dynamodb)  # raises if the keys or the index differ
    store.close()

    described = dynamodb.describe_table(TableName=table)["Table"]
    assert described["DeletionProtectionEnabled"] is True
    assert described["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    backups = dynamodb.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"]
    assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    expiry = dynamodb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
    assert expiry == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}


def test_the_service_runs_the_image_on_the_stacks_queue_table_and_policy(stack: Stack) -> None:
    outputs = stack.outputs
    ecs, iam = stack.client("ecs"), stack.client("iam")
    (service,) = ecs.describe_services(
        cluster=outputs["ClusterName"], services=[outputs["ServiceName"]]
    )["services"]
    assert service["desiredCount"] == 2
    task = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
    (container,) = task["containerDefinitions"]
    assert container["image"] == IMAGE and container["user"] == "10001"
    environment = {pair["name"]: pair["value"] for pair in container["environment"]}
    assert environment == {
        "MLPULSE_STORE": outputs["StoreUrl"],
        "MLPULSE_SQS_QUEUE_URLS": outputs["QueueUrl"],
        "MLPULSE_SNS_TOPIC_ARNS": outputs["TopicArn"],
        "MLPULSE_PORT": "3000",
        "AWS_DEFAULT_REGION": REGION,
    }
    secret = stack.parameters["SlackSecretArn"]
    assert {pair["name"]: pair["valueFrom"] for pair in container["secrets"]} == {
        "SLACK_BOT_TOKEN": f"{secret}:SLACK_BOT_TOKEN::",
        "SLACK_SIGNING_SECRET": f"{secret}:SLACK_SIGNING_SECRET::",
    }
    assert container["logConfiguration"]["options"]["awslogs-group"] == outputs["LogGroupName"]
    assert "/healthz" in " ".join(container["healthCheck"]["command"])

    # The code's permissions are the stack's BotPolicy, and with member accounts (this stack
    # names MemberRoleName) assuming their read roles; only those.
    task_role = stack.physical["BotTaskRole"]
    attached = iam.list_attached_role_policies(RoleName=task_role)["AttachedPolicies"]
    assert sorted(policy["PolicyArn"] for policy in attached) == sorted(
        [outputs["BotPolicyArn"], outputs["AssumeMemberRolesPolicyArn"]]
    )
    assert iam.list_role_policies(RoleName=task_role)["PolicyNames"] == []
    # ECS may read the one Slack secret, to start the task.
    execution = stack.physical["BotExecutionRole"]
    (inline,) = iam.list_role_policies(RoleName=execution)["PolicyNames"]
    document = iam.get_role_policy(RoleName=execution, PolicyName=inline)["PolicyDocument"]
    if isinstance(document, str):  # moto keeps a CloudFormation role's policy as a repr
        document = ast.literal_eval(document)
    assert document["Statement"] == [
        {
            "Sid": "ReadSlackSecret",
            "Effect": "Allow",
            "Action": "secretsmanager:GetSecretValue",
            "Resource": secret,
        }
    ]


def test_the_load_balancer_forwards_only_slack_and_sns_over_https(stack: Stack) -> None:
    elb = stack.client("elbv2")
    (balancer,) = elb.describe_load_balancers()["LoadBalancers"]
    assert balancer["DNSName"] == stack.outputs["LoadBalancerDnsName"]
    assert balancer["Scheme"] == "internet-facing"
    (listener,) = elb.describe_listeners(LoadBalancerArn=balancer["LoadBalancerArn"])["Listeners"]
    assert (listener["Protocol"], listener["Port"]) == ("HTTPS", 443)
    assert listener["Certificates"][0]["CertificateArn"] == stack.parameters["CertificateArn"]
    assert listener["DefaultActions"][0]["Type"] == "fixed-response"
    rules = elb.describe_rules(ListenerArn=listener["ListenerArn"])["Rules"]
    (forward,) = [rule for rule in rules if not rule["IsDefault"]]
    (condition,) = forward["Conditions"]
    assert sorted(condition["PathPatternConfig"]["Values"]) == ["/slack/events", "/sns"]
    (group,) = elb.describe_target_groups()["TargetGroups"]
    assert forward["Actions"][0]["TargetGroupArn"] == group["TargetGroupArn"]
    assert (group["HealthCheckPath"], group["Matcher"]["HttpCode"]) == ("/healthz", "200")
    assert (group["TargetType"], group["Port"]) == ("ip", 3000)
    assert stack.outputs["SlackRequestUrl"] == f"https://{SLACK_HOST}/slack/events"
    assert stack.outputs["SnsEndpointUrl"] == f"https://{SLACK_HOST}/sns"


def test_the_dead_letter_alarm_notifies_the_operations_topic(stack: Stack) -> None:
    operations = stack.outputs["OperationsTopicArn"]
    (alarm,) = stack.client("cloudwatch").describe_alarms()["MetricAlarms"]
    assert alarm["AlarmName"] == f"ml-{STACK}-dead-letters"  # forwarded to the bot too
    assert alarm["AlarmActions"] == [operations] and alarm["OKActions"] == [operations]
    (subscription,) = stack.client("sns").list_subscriptions_by_topic(TopicArn=operations)[
        "Subscriptions"
    ]
    assert (subscription["Protocol"], subscription["Endpoint"]) == (
        "email",
        PARAMETERS["OperationsEmail"],
    )
    # README's redrive command, with the outputs it names.
    dead_letters = stack.attribute("DeadLetterQueue", "Arn")
    assert stack.outputs["DeadLetterQueueArn"] == dead_letters
