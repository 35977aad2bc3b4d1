"""The demo's two approvals (issue 19): a CodePipeline manual approval of the `ml-release`
pipeline ("promote churn-xgb v8 to production?") and model package churn-models v8
pending manual approval, to decide at the prompt (`approve 1 ship it`, `reject 2 why`).

moto implements the model registry, so the package is seeded there (v1-v7 approved, v7
and v8 with evaluation reports on S3) and its decision is a real UpdateModelPackage.
moto has no CodePipeline approvals: that decision is answered here, as the AWS API would.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from typing import Any

from bot.approvals.calls import CallResult, decide_in_aws
from bot.approvals.lookups import Lookups
from bot.approvals.service import Decider
from bot.core.approvals import Approval, Verdict
from bot.demo.script import ACCOUNT, REGION

RELEASE = "ml-release"
RELEASE_EXECUTION = "b4e1c7d2-9a3f-4b6e-8c1d-2f3a4b5c6d7e"
GROUP = "churn-models"
BUCKET = "ml-artifacts"
_METRICS = {
    7: {"auc": 0.8971, "accuracy": 0.8512, "f1": 0.7104, "logloss": 0.2388},
    8: {"auc": 0.9134, "accuracy": 0.8637, "f1": 0.7391, "logloss": 0.2011},
}


def _report(version: int) -> str:
    return f"s3://{BUCKET}/evaluation/{GROUP}/{version}/evaluation.json"


def seed_registry(s3: Any, sagemaker: Any) -> str:
    """churn-models v1-v7 approved, v8 pending, with their reports; v8's ARN."""
    for version, figures in _METRICS.items():
        report = {"binary_classification_metrics": {k: {"value": v} for k, v in figures.items()}}
        key = _report(version).removeprefix(f"s3://{BUCKET}/")
        s3.put_object(Bucket=BUCKET, Key=key, Body=json.dumps(report).encode())
    sagemaker.create_model_package_group(ModelPackageGroupName=GROUP)
    arn = ""
    for version in range(1, 9):
        metrics = (
            {
                "ModelQuality": {
                    "Statistics": {"ContentType": "application/json", "S3Uri": _report(version)}
                }
            }
            if version in _METRICS
            else {}
        )
        created = sagemaker.create_model_package(
            ModelPackageGroupName=GROUP,
            ModelApprovalStatus="Approved" if version < 8 else "PendingManualApproval",
            InferenceSpecification={
                "Containers": [
                    {"Image": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/churn-xgb:{version}"}
                ],
                "SupportedContentTypes": ["text/csv"],
                "SupportedResponseMIMETypes": ["text/csv"],
            },
            **({"ModelMetrics": metrics} if metrics else {}),
        )
        arn = str(created["ModelPackageArn"])
    return arn


def approval_events(start: datetime, package_arn: str) -> list[dict[str, Any]]:
    """The approval action starting (EventBridge) and v8 waiting in the registry."""
    asked, registered = start + timedelta(minutes=80), start + timedelta(minutes=85)
    return [
        {
            "version": "0",
            "id": "demo-0017-0000-0000-0000-000000000000",
            "detail-type": "CodePipeline Action Execution State Change",
            "source": "aws.codepipeline",
            "account": ACCOUNT,
            "time": asked.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": REGION,
            "resources": [f"arn:aws:codepipeline:{REGION}:{ACCOUNT}:{RELEASE}"],
            "detail": {
                "pipeline": RELEASE,
                "execution-id": RELEASE_EXECUTION,
                "stage": "Production",
                "action": "PromoteToProduction",
                "state": "STARTED",
                "type": {
                    "owner": "AWS",
                    "category": "Approval",
                    "provider": "Manual",
                    "version": "1",
                },
            },
        },
        {
            "version": "0",
            "id": "demo-0018-0000-0000-0000-000000000000",
            "detail-type": "SageMaker Model Package State Change",
            "source": "aws.sagemaker",
            "account": ACCOUNT,
            "time": registered.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": REGION,
            "resources": [package_arn],
            "detail": {
                "ModelPackageGroupName": GROUP,
                "ModelPackageVersion": 8,
                "ModelPackageArn": package_arn,
                "ModelPackageStatus": "Completed",
                "ModelApprovalStatus": "PendingManualApproval",
                "MetadataProperties": {
                    "GeneratedBy": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:"
                    "pipeline/churn-train-pipeline/execution/k2x9w4q7m1p3"
                },
                "ModelMetrics": {
                    "ModelQuality": {
                        "Statistics": {"ContentType": "application/json", "S3Uri": _report(8)}
                    }
                },
            },
        },
    ]


def demo_decider(lookups: Lookups) -> Decider:
    """The model registry through moto; CodePipeline's PutApprovalResult answered here."""

    def decide(approval: Approval, verdict: Verdict, described: str) -> CallResult:
        if approval.kind == "codepipeline":
            return CallResult(request_id=f"demo-{uuid.uuid4().hex[:12]}")
        return decide_in_aws(lookups, approval, verdict, described)

    return decide
