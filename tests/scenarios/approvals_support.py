"""The started app for the approval scenarios (this module holds no tests): AWS as the
decision calls need it, and Slack's approval clicks and modal submissions as signed
requests to POST /slack/events.

moto implements SageMaker's model registry (CreateModelPackage, DescribeModelPackage,
ListModelPackages, UpdateModelPackage), S3 and STS, so those go to a moto server. It does
not implement CodePipeline's GetPipelineState or PutApprovalResult: those go to a client
whose answers botocore's Stubber gives, each one expected exactly once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import boto3
import pytest
from botocore.stub import Stubber

from bot.aws.clients import AwsClients
from bot.core.clock import FakeClock
from notifiers.approval_modal import CALLBACK_ID
from tests.fakes.moto import ACCOUNT, CREDENTIALS, REGION, aws_client
from tests.fakes.slack_api import FakeSlack, Message
from tests.scenarios.conftest import sample
from tests.scenarios.test_incidents_support import CHANNEL, TEAM, Harness, blocks_of, started_app

PIPELINE, STAGE, ACTION = "ml-deploy", "ApproveProduction", "ManualApproval"
EXECUTION = "5e1f9c2a-7b3d-4e8f-9a10-2b4c6d8e0f12"
TOKEN = "1a2b3c4d-573f-4ea7-a67e-EXAMPLETOKEN"
GROUP = "churn-models"
APPROVE, REJECT = "approval_approve", "approval_reject"
KEY = f"codepipeline:{ACCOUNT}:{REGION}:{PIPELINE}/{EXECUTION}"
APPROVERS = {"permissions": {"admins": ["UADMIN"], "approvers": {"ml-*": ["U1", "U2", "SREL"]}}}


class ScenarioAws(AwsClients):
    """moto for what it implements; a Stubber's client for CodePipeline."""

    def __init__(self, moto_url: str) -> None:
        super().__init__(region=REGION)
        self.moto_url = moto_url
        self.pipeline_client = boto3.client("codepipeline", region_name=REGION, **CREDENTIALS)
        self.pipelines = Stubber(self.pipeline_client)
        self.pipelines.activate()
        self.calls: list[str] = []  # every decision call, in order
        self.pipeline_client.meta.events.register(
            "provide-client-params.codepipeline.PutApprovalResult", self._record
        )

    def _make(self, service: str) -> Any:
        if service == "codepipeline":
            return self.pipeline_client
        made = aws_client(service, self.moto_url)
        if service == "sagemaker":
            made.meta.events.register(
                "provide-client-params.sagemaker.UpdateModelPackage", self._record
            )
        return made

    def _record(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self.calls.append(model.name)

    def waiting(self, token: str = TOKEN, execution: str = EXECUTION) -> None:
        """GetPipelineState answers that the approval action waits, with its token."""
        self.pipelines.add_response(
            "get_pipeline_state",
            {
                "pipelineName": PIPELINE,
                "stageStates": [
                    {
                        "stageName": STAGE,
                        "latestExecution": {
                            "pipelineExecutionId": execution,
                            "status": "InProgress",
                        },
                        "actionStates": [
                            {
                                "actionName": ACTION,
                                "latestExecution": {"status": "InProgress", "token": token},
                            }
                        ],
                    }
                ],
            },
            {"name": PIPELINE},
        )

    def approval_result(self, status: str, summary: str, request_id: str = "req-cp-1") -> None:
        self.pipelines.add_response(
            "put_approval_result",
            {
                "approvedAt": datetime(2026, 11, 25, 3, 5),
                "ResponseMetadata": {"RequestId": request_id},
            },
            {
                "pipelineName": PIPELINE,
                "stageName": STAGE,
                "actionName": ACTION,
                "result": {"summary": summary, "status": status},
                "token": TOKEN,
            },
        )

    def approval_error(self, code: str, message: str = "") -> None:
        self.pipelines.add_client_error(
            "put_approval_result", service_error_code=code, service_message=message
        )


@contextmanager
def approvals_app(
    tmp_path: Path,
    fake: FakeSlack,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    aws: ScenarioAws,
    config: dict[str, Any] | None = None,
) -> Iterator[ApprovalHarness]:
    with started_app(
        tmp_path, fake, clock, monkeypatch, {**APPROVERS, **(config or {})}, aws=aws
    ) as harness:
        yield ApprovalHarness(harness.app, fake, clock)


# --- the events that ask


def approval_started(clock: FakeClock, event_id: str = "evt-approval-started") -> dict[str, Any]:
    """EventBridge: the approval action of the execution started (no token)."""
    return sample(
        "codepipeline-action-execution-state-change-started",
        {
            "id": event_id,
            "time": clock.now().isoformat(),
            "resources": [f"arn:aws:codepipeline:{REGION}:{ACCOUNT}:{PIPELINE}"],
            "region": REGION,
            "detail.pipeline": PIPELINE,
            "detail.execution-id": EXECUTION,
            "detail.stage": STAGE,
            "detail.action": ACTION,
            "detail.type": {
                "owner": "AWS",
                "category": "Approval",
                "provider": "Manual",
                "version": "1",
            },
            "detail.input-artifacts": None,
        },
    )


def approval_notification(clock: FakeClock, hours: float = 24) -> dict[str, Any]:
    """The SNS notification CodePipeline publishes for the approval (with its token)."""
    message = json.loads(
        (
            Path(__file__).parents[1] / "fixtures/aws/codepipeline-manual-approval-sns-message.json"
        ).read_text(encoding="utf-8")
    )
    expires = clock.now() + timedelta(hours=hours)
    message["region"] = REGION
    message["approval"].update(
        pipelineName=PIPELINE,
        stageName=STAGE,
        actionName=ACTION,
        token=TOKEN,
        expires=expires.strftime("%Y-%m-%dT%H:%MZ"),
        customData="Deploy churn-xgb v7 to production? AUC 0.91 on the holdout.",
        externalEntityLink="https://ci.example.com/ml-deploy/builds/42",
    )
    return {"Type": "Notification", "MessageId": "sns-approval-1", "Message": json.dumps(message)}


def package_pending(arn: str, version: int, metrics_uri: str) -> dict[str, Any]:
    return sample(
        "sagemaker-model-package-state-change",
        {
            "id": f"evt-package-{version}",
            "region": REGION,
            "resources": [arn],
            "detail.ModelPackageGroupName": GROUP,
            "detail.ModelPackageVersion": version,
            "detail.ModelPackageArn": arn,
            "detail.ModelApprovalStatus": "PendingManualApproval",
            "detail.ModelMetrics.ModelQuality.Statistics.S3Uri": metrics_uri,
        },
    )


def registry(moto_url: str, metrics: dict[int, dict[str, float]]) -> dict[int, str]:
    """A model package group in moto: one package per version, each with its evaluation
    report on S3; the first ones approved, the last one pending. Their ARNs by version."""
    s3 = aws_client("s3", moto_url)
    sagemaker = aws_client("sagemaker", moto_url)
    s3.create_bucket(Bucket="ml-evaluation")
    sagemaker.create_model_package_group(ModelPackageGroupName=GROUP)
    arns = {}
    last = max(metrics)
    for version, figures in sorted(metrics.items()):
        key = f"{GROUP}/v{version}/evaluation.json"
        report = {"binary_classification_metrics": {n: {"value": v} for n, v in figures.items()}}
        s3.put_object(Bucket="ml-evaluation", Key=key, Body=json.dumps(report).encode())
        created = sagemaker.create_model_package(
            ModelPackageGroupName=GROUP,
            ModelApprovalStatus="PendingManualApproval" if version == last else "Approved",
            ModelMetrics={
                "ModelQuality": {
                    "Statistics": {
                        "ContentType": "application/json",
                        "S3Uri": f"s3://ml-evaluation/{key}",
                    }
                }
            },
            InferenceSpecification={
                "Containers": [{"Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/x:1"}],
                "SupportedContentTypes": ["text/csv"],
                "SupportedResponseMIMETypes": ["text/csv"],
            },
        )
        arns[version] = created["ModelPackageArn"]
    return arns


# --- Slack's side


class ApprovalHarness(Harness):
    def approval_buttons(self, message: Message) -> dict[str, str]:
        """action_id -> approval id of the approval buttons on the message."""
        return {
            element["action_id"]: element["value"]
            for block in blocks_of(message)
            if str(block.get("block_id", "")).startswith("approval-actions-")
            for element in block["elements"]
            if "value" in element
        }

    def approval_line(self, message: Message) -> str | None:
        from tests.goldens import readable

        for block in blocks_of(message):
            block_id = str(block.get("block_id", ""))
            if block_id.startswith("approval-") and not block_id.startswith("approval-actions-"):
                return readable(block["text"]["text"])
        return None

    def press(
        self, action_id: str, approval_id: str, message: Message, *, user: str = "U1"
    ) -> tuple[str, str]:
        """Press Approve or Reject on `message`: the click's response_url token, and its
        trigger_id (which opens the modal)."""
        token = self.new_token()
        trigger = f"trigger-{token}"
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": {"id": user, "username": user.lower(), "team_id": TEAM},
            "api_app_id": "A0MLPULSE",
            "token": "verification-token-unused",
            "trigger_id": trigger,
            "team": {"id": TEAM, "domain": "mlpulse-test"},
            "response_url": self.fake.response_url(token),
            "channel": {"id": message.channel, "name": "mlpulse"},
            "container": {
                "type": "message",
                "message_ts": message.ts,
                "channel_id": message.channel,
                "is_ephemeral": False,
            },
            "message": {"type": "message", "ts": message.ts, "text": message.text or ""}
            | ({"thread_ts": message.thread_ts} if message.thread_ts else {}),
            "actions": [
                {
                    "action_id": action_id,
                    "block_id": f"approval-actions-{approval_id}",
                    "type": "button",
                    "value": approval_id,
                    "action_ts": f"{self.clock.now().timestamp():.6f}",
                }
            ],
        }
        answer = self.post(urlencode({"payload": json.dumps(payload)}).encode())
        assert answer.status == 200, (answer.status, answer.text)
        return token, trigger

    def opened_modal(self, count: int = 1) -> dict[str, Any]:
        views = self.wait_for(
            lambda: len(self.fake.modals.views) >= count and self.fake.modals.views, "a modal"
        )
        found: dict[str, Any] = views[count - 1]
        return found

    def submit_modal(self, view: dict[str, Any], comment: str | None, *, user: str = "U1") -> Any:
        """Submit the decision modal `view` as Slack sends it (view_submission)."""
        values = {"comment": {"comment": {"type": "plain_text_input", "value": comment}}}
        payload = {
            "type": "view_submission",
            "team": {"id": TEAM, "domain": "mlpulse-test"},
            "user": {"id": user, "username": user.lower(), "team_id": TEAM},
            "api_app_id": "A0MLPULSE",
            "token": "verification-token-unused",
            "trigger_id": f"submit-{self.new_token()}",
            "view": {
                **view,
                "id": "V00000001",
                "team_id": TEAM,
                "state": {"values": values},
            },
        }
        assert view["callback_id"] == CALLBACK_ID
        return self.post(urlencode({"payload": json.dumps(payload)}).encode())

    def told(self, user: str, count: int = 1) -> list[str]:
        """What `user` was told privately in the channel (chat.postEphemeral)."""
        from tests.goldens import readable

        found = self.wait_for(
            lambda: len(self.fake.modals.told(user)) >= count and self.fake.modals.told(user),
            f"a private answer to {user}",
        )
        return [readable(text) for text in found]

    def messages_with_buttons(self) -> list[Message]:
        return [m for m in self.fake.messages(CHANNEL) if self.approval_buttons(m)]
