"""SageMaker's monitoring-schedule API answered by botocore's Stubber.

moto (5.x) implements neither ListMonitoringSchedules nor ListMonitoringExecutions, so
these tests queue the answers on a real boto3 SageMaker client with a Stubber: the Stubber
checks every request and answer against SageMaker's API model, so the shapes are the real
ones. S3, which moto does implement, stays on the moto server.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.stub import Stubber

from tests.fakes.moto import ACCOUNT, CREDENTIALS, REGION

WHEN = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
ANALYZER = "156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer"


def stubbed_sagemaker() -> tuple[Any, Stubber]:
    client = boto3.client("sagemaker", region_name=REGION, **CREDENTIALS)
    stubber = Stubber(client)
    stubber.activate()
    return client, stubber


def schedule(name: str, endpoint: str, monitor: str) -> dict[str, Any]:
    return {
        "MonitoringScheduleName": name,
        "MonitoringScheduleArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:monitoring-schedule/{name}",
        "CreationTime": WHEN,
        "LastModifiedTime": WHEN,
        "MonitoringScheduleStatus": "Scheduled",
        "EndpointName": endpoint,
        "MonitoringType": monitor,
    }


def execution(
    name: str, status: str, job: str | None, hour: int = 3, **extra: Any
) -> dict[str, Any]:
    found: dict[str, Any] = {
        "MonitoringScheduleName": name,
        "ScheduledTime": WHEN.replace(hour=hour),
        "CreationTime": WHEN.replace(hour=hour),
        "LastModifiedTime": WHEN.replace(hour=hour, minute=20),
        "MonitoringExecutionStatus": status,
        **extra,
    }
    if job:
        found["ProcessingJobArn"] = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:processing-job/{job}"
    return found


def processing_job(job: str, output: str, baseline: dict[str, str]) -> dict[str, Any]:
    """DescribeProcessingJob of a monitoring execution: baseline inputs mounted under
    /opt/ml/processing/baseline/, results uploaded from /opt/ml/processing/output."""
    inputs = [
        {
            "InputName": "input_1",
            "S3Input": {
                "S3Uri": "s3://ml-monitoring/datacapture/churn-prod/AllTraffic/2026/11/25/02",
                "LocalPath": "/opt/ml/processing/input/endpoint",
                "S3DataType": "S3Prefix",
                "S3InputMode": "File",
            },
        }
    ]
    for role, uri in baseline.items():
        inputs.append(
            {
                "InputName": "constraints" if role == "constraints" else "baseline",
                "S3Input": {
                    "S3Uri": uri,
                    "LocalPath": f"/opt/ml/processing/baseline/{'constraints' if role == 'constraints' else 'stats'}",
                    "S3DataType": "S3Prefix",
                    "S3InputMode": "File",
                },
            }
        )
    return {
        "ProcessingJobName": job,
        "ProcessingJobArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:processing-job/{job}",
        "ProcessingJobStatus": "Completed",
        "ExitMessage": "CompletedWithViolations: Job completed successfully with 7 violations.",
        "CreationTime": WHEN,
        "ProcessingInputs": inputs,
        "ProcessingOutputConfig": {
            "Outputs": [
                {
                    "OutputName": "result",
                    "S3Output": {
                        "S3Uri": output,
                        "LocalPath": "/opt/ml/processing/output",
                        "S3UploadMode": "EndOfJob",
                    },
                }
            ]
        },
        "ProcessingResources": {
            "ClusterConfig": {
                "InstanceCount": 1,
                "InstanceType": "ml.m5.xlarge",
                "VolumeSizeInGB": 20,
            }
        },
        "AppSpecification": {"ImageUri": ANALYZER},
        "Environment": {"sagemaker_monitoring_schedule_name": job.split("-20")[0]},
    }


def expect_schedules(stubber: Stubber, endpoint: str, schedules: list[dict[str, Any]]) -> None:
    stubber.add_response(
        "list_monitoring_schedules",
        {"MonitoringScheduleSummaries": schedules},
        {"EndpointName": endpoint, "MaxResults": 100},
    )


def expect_executions(stubber: Stubber, name: str, executions: list[dict[str, Any]]) -> None:
    stubber.add_response(
        "list_monitoring_executions",
        {"MonitoringExecutionSummaries": executions},
        {
            "MonitoringScheduleName": name,
            "SortBy": "ScheduledTime",
            "SortOrder": "Descending",
            "MaxResults": 10,
        },
    )


def expect_job(stubber: Stubber, answer: dict[str, Any]) -> None:
    stubber.add_response(
        "describe_processing_job", answer, {"ProcessingJobName": answer["ProcessingJobName"]}
    )
