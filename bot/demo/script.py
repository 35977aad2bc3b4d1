"""The demo's scripted day on an ML platform: events in the shapes AWS sends (see
tests/fixtures/aws), about believable resources, including a redelivery and an event
that arrives out of order."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

ACCOUNT = "123456789012"
REGION = "eu-west-1"


def _event(
    n: int, detail_type: str, source: str, at: datetime, resource: str, detail: dict[str, Any]
) -> dict[str, Any]:
    service = source.removeprefix("aws.")
    return {
        "version": "0",
        "id": f"demo-{n:04d}-0000-0000-0000-000000000000",
        "detail-type": detail_type,
        "source": source,
        "account": ACCOUNT,
        "time": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": REGION,
        "resources": [f"arn:aws:{service}:{REGION}:{ACCOUNT}:{resource}"],
        "detail": detail,
    }


def _ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


def _training(n: int, at: datetime, name: str, status: str, **extra: Any) -> dict[str, Any]:
    detail = {
        "TrainingJobName": name,
        "TrainingJobStatus": status,
        "SecondaryStatus": extra.pop("secondary", status),
        "ResourceConfig": {
            "InstanceType": "ml.g5.2xlarge",
            "InstanceCount": 2,
            "VolumeSizeInGB": 50,
        },
        "CreationTime": _ms(at - timedelta(minutes=50)),
        "TrainingStartTime": _ms(at - timedelta(minutes=47)),
        "LastModifiedTime": _ms(at),
        "Tags": {"team": "growth", "stage": "prod"},
        **extra,
    }
    if status in ("Completed", "Failed", "Stopped"):
        detail["TrainingEndTime"] = _ms(at)
    return _event(
        n,
        "SageMaker Training Job State Change",
        "aws.sagemaker",
        at,
        f"training-job/{name}",
        detail,
    )


def script(start: datetime) -> list[dict[str, Any]]:
    """The demo's events in arrival order; `start` is the first one's time."""

    def t(minutes: float) -> datetime:
        return start + timedelta(minutes=minutes)

    failing = "churn-xgb-2026-11-25-0300"
    events = [
        _training(1, t(0), failing, "InProgress", secondary="Training"),
        _training(
            2,
            t(12),
            failing,
            "Failed",
            secondary="Failed",
            FailureReason=(
                'AlgorithmError: ExecuteUserScriptError: Command "/usr/local/bin/python3 '
                'train.py --epochs 40"\n  File "<stdin>", line 88, in fit\nValueError: Input '
                "contains NaN, infinity or a value too large for dtype('float32') & 3 more "
                "errors <!channel>"
            ),
        ),
        _event(
            3,
            "SageMaker HyperParameter Tuning Job State Change",
            "aws.sagemaker",
            t(14),
            "hyper-parameter-tuning-job/fraud-hpo-1125",
            {
                "HyperParameterTuningJobName": "fraud-hpo-1125",
                "HyperParameterTuningJobStatus": "Completed",
                "CreationTime": _ms(t(-95)),
                "HyperParameterTuningEndTime": _ms(t(14)),
                "TrainingJobDefinition": {
                    "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1}
                },
                "HyperParameterTuningJobConfig": {
                    "HyperParameterTuningJobObjective": {
                        "Type": "Maximize",
                        "MetricName": "validation:auc",
                    }
                },
                "TrainingJobStatusCounters": {
                    "Completed": 18,
                    "InProgress": 0,
                    "RetryableError": 0,
                    "NonRetryableError": 2,
                    "Stopped": 0,
                },
                "BestTrainingJob": {
                    "TrainingJobName": "fraud-hpo-1125-014-4c2a1f7e",
                    "FinalHyperParameterTuningJobObjectiveMetric": {
                        "MetricName": "validation:auc",
                        "Value": 0.9412,
                    },
                },
            },
        ),
        _event(
            4,
            "SageMaker Endpoint State Change",
            "aws.sagemaker",
            t(15),
            "endpoint/fraud-prod",
            {
                "EndpointName": "fraud-prod",
                "EndpointConfigName": "fraud-prod-config-v42",
                "EndpointStatus": "UPDATING",
                "ProductionVariants": [
                    {
                        "VariantName": "AllTraffic",
                        "CurrentInstanceCount": 2,
                        "DesiredInstanceCount": 3,
                        "CurrentWeight": 1,
                    }
                ],
            },
        ),
        _event(
            5,
            "CloudWatch Alarm State Change",
            "aws.cloudwatch",
            t(16),
            "alarm:fraud-prod-5xx-errors",
            {
                "alarmName": "fraud-prod-5xx-errors",
                "state": {
                    "value": "ALARM",
                    "reason": "Threshold Crossed: 1 out of the last 1 datapoints [14.0] was greater than the threshold (5.0).",
                    "timestamp": t(16).isoformat(),
                    "reasonData": '{"threshold": 5.0, "recentDatapoints": [14.0]}',
                },
                "previousState": {"value": "OK"},
                "configuration": {
                    "description": "5XX errors on the fraud model endpoint",
                    "metrics": [
                        {
                            "id": "m1",
                            "metricStat": {
                                "metric": {
                                    "namespace": "AWS/SageMaker",
                                    "name": "Invocation5XXErrors",
                                    "dimensions": {
                                        "EndpointName": "fraud-prod",
                                        "VariantName": "AllTraffic",
                                    },
                                },
                                "period": 60,
                                "stat": "Sum",
                            },
                        }
                    ],
                },
            },
        ),
        _event(
            6,
            "SageMaker Endpoint State Change",
            "aws.sagemaker",
            t(21),
            "endpoint/fraud-prod",
            {
                "EndpointName": "fraud-prod",
                "EndpointConfigName": "fraud-prod-config-v42",
                "EndpointStatus": "IN_SERVICE",
                "ProductionVariants": [
                    {
                        "VariantName": "AllTraffic",
                        "CurrentInstanceCount": 3,
                        "DesiredInstanceCount": 3,
                        "CurrentWeight": 1,
                    }
                ],
            },
        ),
        _event(
            7,
            "CloudWatch Alarm State Change",
            "aws.cloudwatch",
            t(24),
            "alarm:fraud-prod-5xx-errors",
            {
                "alarmName": "fraud-prod-5xx-errors",
                "state": {
                    "value": "OK",
                    "reason": "Threshold Crossed: 1 out of the last 1 datapoints [0.0] was not greater than the threshold (5.0).",
                    "timestamp": t(24).isoformat(),
                },
                "previousState": {"value": "ALARM"},
            },
        ),
        _event(
            8,
            "CodePipeline Pipeline Execution State Change",
            "aws.codepipeline",
            t(30),
            "ml-deploy",
            {
                "pipeline": "ml-deploy",
                "execution-id": "7d3c1a9e-5b2f-4e1a-9c8d-1f2e3d4c5b6a",
                "state": "STARTED",
                "version": 12,
            },
        ),
        _event(
            9,
            "CodePipeline Action Execution State Change",
            "aws.codepipeline",
            t(38),
            "ml-deploy",
            {
                "pipeline": "ml-deploy",
                "execution-id": "7d3c1a9e-5b2f-4e1a-9c8d-1f2e3d4c5b6a",
                "stage": "Evaluate",
                "action": "ModelQualityGate",
                "state": "FAILED",
                "type": {
                    "owner": "AWS",
                    "provider": "CodeBuild",
                    "category": "Test",
                    "version": "1",
                },
                "execution-result": {
                    "external-execution-summary": "Build failed: validation:auc 0.871 is below the 0.90 gate",
                    "error-code": "JobFailed",
                },
            },
        ),
        _event(
            10,
            "CodePipeline Pipeline Execution State Change",
            "aws.codepipeline",
            t(38.5),
            "ml-deploy",
            {
                "pipeline": "ml-deploy",
                "execution-id": "7d3c1a9e-5b2f-4e1a-9c8d-1f2e3d4c5b6a",
                "state": "FAILED",
                "version": 12,
            },
        ),
        _event(
            11,
            "CodeBuild Build State Change",
            "aws.codebuild",
            t(39),
            "build/model-tests:0b5d6c1e",
            {
                "build-status": "FAILED",
                "project-name": "model-tests",
                "build-id": f"arn:aws:codebuild:{REGION}:{ACCOUNT}:build/model-tests:0b5d6c1e",
                "current-phase": "COMPLETED",
                "additional-information": {
                    "build-start-time": "Nov 25, 2026 3:31:02 AM",
                    "initiator": "codepipeline/ml-deploy",
                    "environment": {"compute-type": "BUILD_GENERAL1_MEDIUM"},
                    "logs": {
                        "deep-link": f"https://console.aws.amazon.com/cloudwatch/home?region={REGION}#logEvent:group=/aws/codebuild/model-tests;stream=0b5d6c1e"
                    },
                    "phases": [
                        {"phase-type": "INSTALL", "phase-status": "SUCCEEDED"},
                        {
                            "phase-type": "BUILD",
                            "phase-status": "FAILED",
                            "phase-context": [
                                "COMMAND_EXECUTION_ERROR: Error while executing command: pytest tests/quality. Reason: exit status 1"
                            ],
                        },
                    ],
                },
            },
        ),
        _event(
            12,
            "Step Functions Execution Status Change",
            "aws.states",
            t(45),
            "execution:retrain-weekly:run-2026-11-25",
            {
                "executionArn": f"arn:aws:states:{REGION}:{ACCOUNT}:execution:retrain-weekly:run-2026-11-25",
                "stateMachineArn": f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:retrain-weekly",
                "name": "run-2026-11-25",
                "status": "FAILED",
                "startDate": _ms(t(1)),
                "stopDate": _ms(t(45)),
                "error": "States.TaskFailed",
                "cause": "Training job churn-xgb-2026-11-25-0300 failed: AlgorithmError",
            },
        ),
        _event(
            13,
            "SageMaker Processing Job State Change",
            "aws.sagemaker",
            t(60),
            "processing-job/model-monitoring-202611250600-a1b2c3",
            {
                "ProcessingJobName": "model-monitoring-202611250600-a1b2c3",
                "ProcessingJobStatus": "Completed",
                "ExitMessage": "CompletedWithViolations: Job completed successfully with 3 violations.",
                "Environment": {
                    "sagemaker_monitoring_schedule_name": "fraud-prod-data-quality",
                    "sagemaker_endpoint_name": "fraud-prod",
                    "output_path": "s3://ml-monitoring/fraud-prod/data-quality/2026/11/25/06",
                },
                "AppSpecification": {
                    "ImageUri": "468650794304.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-model-monitor-analyzer"
                },
                "ProcessingResources": {
                    "ClusterConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1}
                },
                "ProcessingStartTime": _ms(t(52)),
                "ProcessingEndTime": _ms(t(60)),
            },
        ),
        _training(
            14,
            t(70),
            "churn-xgb-2026-11-25-0400",
            "Completed",
            secondary="Completed",
            FinalMetricDataList=[
                {"MetricName": "validation:auc", "Value": 0.9134},
                {"MetricName": "train:logloss", "Value": 0.2011},
            ],
        ),
        _training(15, t(40), "churn-xgb-2026-11-25-0400", "InProgress", secondary="Training"),
        _event(
            16,
            "SageMaker Model Package State Change",
            "aws.sagemaker",
            t(75),
            "model-package/churn-models/7",
            {
                "ModelPackageGroupName": "churn-models",
                "ModelPackageVersion": 7,
                "ModelPackageStatus": "Completed",
                "ModelApprovalStatus": "Approved",
                "ModelPackageArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model-package/churn-models/7",
            },
        ),
    ]
    redelivered = dict(events[1])  # SNS and SQS deliver at least once
    return [*events[:3], redelivered, *events[3:]]
