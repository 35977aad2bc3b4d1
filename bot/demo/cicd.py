"""The demo platform's pipelines: CodePipeline `ml-deploy`, whose 03:30 run failed at
Evaluate / ModelQualityGate (the script's events 8-10), and the SageMaker pipeline
`churn-train-pipeline`, whose 03:18 run trained churn-xgb-2026-11-25-0400 and registered
churn-models v7 (event 16). Their stages and steps, which moto cannot report, are here as
data for bot.demo.canned."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.demo.backend import backend
from bot.demo.jobs import ROLE
from bot.demo.moments import at, naive
from bot.demo.script import ACCOUNT, REGION

CODEPIPELINE = "ml-deploy"
GATE_FAILURE = "Build failed: validation:auc 0.871 is below the 0.90 gate"
# (stage, action, category, provider, configuration)
STAGES = [
    (
        "Source",
        "ModelArtifact",
        "Source",
        "S3",
        {"S3Bucket": "ml-artifacts", "S3ObjectKey": "deploy/model-package.zip"},
    ),
    ("Build", "PackageModel", "Build", "CodeBuild", {"ProjectName": "model-package"}),
    ("Evaluate", "ModelQualityGate", "Test", "CodeBuild", {"ProjectName": "model-tests"}),
    (
        "Deploy",
        "DeployEndpoint",
        "Deploy",
        "CloudFormation",
        {"ActionMode": "CREATE_UPDATE", "StackName": "ml-serving"},
    ),
]


@dataclass(frozen=True)
class Execution:
    id: str
    started: datetime
    ended: datetime
    failed_at: str | None = None  # the stage that failed; the later ones did not run


EXECUTIONS = [  # oldest first
    Execution(
        "3f1e9b20-8c4d-4a7e-b5f6-0d2c7a9e1b44",
        datetime(2026, 11, 23, 10, 40, tzinfo=UTC),
        datetime(2026, 11, 23, 10, 58, tzinfo=UTC),
    ),
    Execution(
        "a9c2d7e4-1b3f-4c5a-8e6d-7f0b2c4d6e81",
        datetime(2026, 11, 24, 15, 2, tzinfo=UTC),
        datetime(2026, 11, 24, 15, 21, tzinfo=UTC),
    ),
    Execution("7d3c1a9e-5b2f-4e1a-9c8d-1f2e3d4c5b6a", at(30), at(38.5), "Evaluate"),
]

SAGEMAKER_PIPELINE = "churn-train-pipeline"


@dataclass(frozen=True)
class Training:
    """One run of the SageMaker pipeline, and the jobs its steps ran."""

    id: str  # the execution ARN's last part
    started: datetime
    ended: datetime
    steps: list[tuple[str, str, str]]  # (step, metadata key, what it ran: a job or package)

    @property
    def arn(self) -> str:
        pipeline = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:pipeline/{SAGEMAKER_PIPELINE}"
        return f"{pipeline}/execution/{self.id}"


def _training(id: str, started: datetime, day: str, version: int) -> Training:
    steps = [
        ("Preprocess", "ProcessingJob", f"churn-features-{day}-0318"),
        ("Train", "TrainingJob", f"churn-xgb-{day}-0400"),
        ("Evaluate", "ProcessingJob", f"churn-eval-{day}-0410"),
        ("CheckAUC", "Condition", "True"),
        ("Register", "RegisterModel", f"churn-models/{version}"),
    ]
    return Training(id, started, started + timedelta(minutes=57), steps)


TRAININGS = [  # oldest first
    _training("b3n6v1c8z5t2", datetime(2026, 11, 18, 3, 18, tzinfo=UTC), "2026-11-18", 6),
    _training("x7k2m9p4q1w8", at(18), "2026-11-25", 7),
]


def seed_pipelines(aws: Any) -> None:
    trust = {
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "codepipeline.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ]
    }
    role = aws.client("iam").create_role(
        RoleName="codepipeline-ml-deploy", AssumeRolePolicyDocument=json.dumps(trust)
    )
    aws.codepipeline.create_pipeline(pipeline=_definition(role["Role"]["Arn"]))
    _codepipeline_runs(aws.codepipeline)
    aws.sagemaker.create_pipeline(
        PipelineName=SAGEMAKER_PIPELINE,
        PipelineDefinition=json.dumps(
            {
                "Version": "2020-12-01",
                "Steps": [{"Name": s, "Type": k} for s, k, _ in TRAININGS[-1].steps],
            }
        ),
        RoleArn=ROLE,
    )
    _sagemaker_runs(aws.sagemaker)


def _definition(role: str) -> dict[str, Any]:
    stages = []
    for index, (stage, action, category, provider, configuration) in enumerate(STAGES):
        one: dict[str, Any] = {
            "name": action,
            "actionTypeId": {
                "category": category,
                "owner": "AWS",
                "provider": provider,
                "version": "1",
            },
            "configuration": configuration,
        }
        if index == 0:
            one["outputArtifacts"] = [{"name": "package"}]
        else:
            one["inputArtifacts"] = [{"name": "package"}]
        stages.append({"name": stage, "actions": [one]})
    return {
        "name": CODEPIPELINE,
        "roleArn": role,
        "artifactStore": {"type": "S3", "location": "ml-artifacts"},
        "stages": stages,
    }


def _codepipeline_runs(codepipeline: Any) -> None:
    for _ in EXECUTIONS:
        codepipeline.start_pipeline_execution(name=CODEPIPELINE)
    pipeline = backend("codepipeline").pipelines[CODEPIPELINE]
    made = list(pipeline.executions.values())
    pipeline.executions.clear()
    for execution, run in zip(made, EXECUTIONS, strict=True):
        execution.pipeline_execution_id = run.id
        execution.start_time = naive(run.started)
        execution.last_update_time = naive(run.ended)
        execution.status = "Failed" if run.failed_at else "Succeeded"
        pipeline.executions[run.id] = execution
    pipeline._created = naive(datetime(2026, 9, 14, 11, 5, tzinfo=UTC))
    pipeline._updated = naive(datetime(2026, 11, 20, 9, 30, tzinfo=UTC))


def _sagemaker_runs(sagemaker: Any) -> None:
    pipeline = backend("sagemaker").pipelines[SAGEMAKER_PIPELINE]
    pipeline.creation_time = naive(datetime(2026, 10, 1, 8, 0, tzinfo=UTC))
    for run in TRAININGS:
        made = sagemaker.start_pipeline_execution(
            PipelineName=SAGEMAKER_PIPELINE,
            PipelineExecutionDisplayName=f"churn-train-{run.started:%Y-%m-%d}",
        )
        execution = pipeline.pipeline_executions.pop(made["PipelineExecutionArn"])
        execution.arn = run.arn
        execution.start_time = execution.creation_time = naive(run.started)
        execution.last_modified_time = naive(run.ended)
        execution.pipeline_execution_status = "Succeeded"
        pipeline.pipeline_executions[run.arn] = execution
        pipeline.last_execution_time = naive(run.started)
