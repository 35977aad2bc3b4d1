"""deploy/cloudformation.yaml deployed into a moto server, then an event sent the way AWS
would: SNS topic -> SQS queue -> QueueConsumer -> Pipeline -> one alert in the outbox.

Where moto falls short, and what stands in:
- moto's CloudFormation creates the topic, both queues, the rules and the IAM policy, but
  skips AWS::SNS::TopicPolicy, AWS::SQS::QueuePolicy, AWS::SNS::Subscription and
  AWS::CloudWatch::Alarm (with a warning). `apply_skipped` makes exactly the resources it
  skipped with direct API calls, built from the template's own properties (intrinsics
  resolved here), so nothing is written twice by hand.
- moto turns `AWS::NoValue` inside a list into null, which its IAM refuses: the stack is
  deployed with every optional parameter set, so every `Fn::If` takes its present branch.
  The default parameters are checked by cfn-lint (tests/unit/test_deploy_template.py).
- moto does not deliver EventBridge -> SNS targets: the event is published to the topic
  directly. Nor does it answer TestEventPattern: the deployed rules' patterns are checked
  against the published AWS samples with moto's own rule matcher (the one that decides
  its deliveries to SQS targets).
- moto enforces no resource policy: the policies are checked for being in place.
"""

from __future__ import annotations

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
PARAMETERS = {
    "AlarmNamePrefix": "ml-",
    "ModelMonitorBucket": "acme-model-monitor",
    "StoreTableName": "mlpulse-store",
    "ModelMonitorPrefix": "monitoring/",
    "ForeignTopicArns": FOREIGN_TOPIC,
    "SubscriberAccounts": "210987654321",
    "KmsKeyArn": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
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
        resolved = ((key, self.resolve(value)) for key, value in node.items())
        return {key: value for key, value in resolved if value is not NO_VALUE}

    def _named(self, name: str) -> Any:
        if "." in name and not name.startswith("AWS::"):
            return self.attribute(*name.split(".", 1))
        return self.ref(name)


def deploy(url: str) -> Stack:
    template = dict(cfn_yaml.loads(TEMPLATE.read_text(encoding="utf-8")))
    cloudformation = aws_client("cloudformation", url)
    cloudformation.create_stack(
        StackName=STACK,
        TemplateBody=TEMPLATE.read_text(encoding="utf-8"),
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in PARAMETERS.items()],
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
        value = PARAMETERS.get(name, spec.get("Default", ""))
        parameters[name] = value.split(",") if spec["Type"] == "CommaDelimitedList" else value
    outputs = {row["OutputKey"]: row["OutputValue"] for row in described["Outputs"]}
    stack = Stack(url, template, parameters, physical, outputs)
    stack.conditions = {
        name: bool(stack.resolve(rule)) for name, rule in template["Conditions"].items()
    }
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
    attributes = {
        "RawMessageDelivery": str(properties["RawMessageDelivery"]).lower(),
        "RedrivePolicy": json.dumps(properties["RedrivePolicy"]),
    }
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


def apply_skipped(stack: Stack) -> list[str]:
    """Make the resources moto's CloudFormation skipped; their logical ids."""
    skipped = {
        logical_id: resource
        for logical_id, resource in stack.template["Resources"].items()
        if logical_id not in stack.physical
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
