"""A small ML platform on the moto server for the command tests, and the AWS clients the
commands get.

`PlatformAws` is `bot.aws.clients.AwsClients` pointed at moto through `AWS_ENDPOINT_URL`
(as production points boto3 anywhere). Operations moto does not implement (GetPipelineState,
ListActionExecutions, ListPipelineExecutionSteps, ListLabelingJobs, DescribeLabelingJob,
ListTrainingJobsForHyperParameterTuningJob, and GetMetricData with percentile statistics,
which crashes moto's server) are answered by a botocore `Stubber` per service: `stub(...)`
queues one answer, every other operation still goes to moto.

moto creates every training job `Completed` at the current time; `seed_platform` then sets
real-looking times, failures and statuses directly on moto's in-process backend (the
threaded server shares the process), which moto's API has no call for.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto.backends import get_backend

from bot.aws.clients import AwsClients
from bot.aws.endpoint_health import queries_for
from bot.aws.metric_data import last_hour
from tests.fakes.moto import ACCOUNT, CREDENTIALS, REGION, MotoServer

ROLE = f"arn:aws:iam::{ACCOUNT}:role/sagemaker"
HOSTILE = "<!channel> & <@U123> `rm -rf` *bold* \u202eevil"


class _Routed:
    """A client whose `operations` go to a stubbed twin and the rest to moto."""

    def __init__(self, real: Any, stubbed: Any, operations: set[str]) -> None:
        self._real, self._stubbed, self._operations = real, stubbed, operations

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._stubbed if attr in self._operations else self._real, attr)

    def get_paginator(self, operation: str) -> Any:
        target = self._stubbed if operation in self._operations else self._real
        return target.get_paginator(operation)


_SESSIONS: list[boto3.session.Session] = []


def _session() -> boto3.session.Session:
    """One boto3 session for every test: it caches the service models, which take most of
    the time of making a client. The endpoint (AWS_ENDPOINT_URL) is read per client."""
    if not _SESSIONS:
        _SESSIONS.append(boto3.session.Session(region_name=REGION, **CREDENTIALS))
    return _SESSIONS[0]


class PlatformAws:
    """What a command's `ctx.aws` is in these tests."""

    def __init__(self) -> None:
        self.real = AwsClients(region=REGION, session=_session())
        self._stubs: dict[str, tuple[Any, Stubber, set[str]]] = {}
        self.seen: list[tuple[str, dict[str, Any]]] = []

    def client(self, service: str) -> Any:
        real = self.real.client(service)
        if service not in self._stubs:
            return real
        stubbed, _, operations = self._stubs[service]
        return _Routed(real, stubbed, operations)

    def stub(
        self,
        service: str,
        operation: str,
        response: dict[str, Any] | None = None,
        *,
        error: str | None = None,
        message: str = "",
        params: dict[str, Any] | None = None,
    ) -> None:
        """Queue one answer (or one error code) for `service.operation`."""
        if service not in self._stubs:
            client = _session().client(service)
            stubber = Stubber(client)
            stubber.activate()
            service_id = client.meta.service_model.service_id.hyphenize()
            client.meta.events.register(f"before-parameter-build.{service_id}", self._record)
            self._stubs[service] = (client, stubber, set())
        _, stubber, operations = self._stubs[service]
        operations.add(operation)
        if error:
            stubber.add_client_error(
                operation, error, message, 400 if error != "500" else 500, expected_params=params
            )
        else:
            stubber.add_response(operation, response or {}, params)

    def _record(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self.seen.append((model.name, dict(params)))

    def calls(self, operation: str) -> list[dict[str, Any]]:
        """The parameters of each stubbed `operation` call made (`GetMetricData`)."""
        return [params for name, params in self.seen if name == operation]

    def verify(self) -> None:
        for _, stubber, _ in self._stubs.values():
            stubber.assert_no_pending_responses()

    sagemaker = property(lambda self: self.client("sagemaker"))
    cloudwatch = property(lambda self: self.client("cloudwatch"))
    logs = property(lambda self: self.client("logs"))
    codepipeline = property(lambda self: self.client("codepipeline"))
    s3 = property(lambda self: self.client("s3"))


@dataclass(frozen=True)
class Platform:
    now: datetime
    trained: str = "churn-xgb-1"  # completed, with metrics and logs
    failed: str = "churn-xgb-2"  # failed with a hostile reason
    running: str = "churn-xgb-3"
    prep: str = "churn-prep-1"  # a processing job
    endpoint: str = "churn-prod"
    codepipeline: str = "churn-build"
    sm_pipeline: str = "churn-train"


def backend(service: str) -> Any:
    return get_backend(service)[ACCOUNT][REGION]  # type: ignore[index]


def seed_platform(aws: PlatformAws, now: datetime) -> Platform:
    platform = Platform(now=now)
    sm = aws.real.sagemaker
    for name in (platform.trained, platform.failed, platform.running):
        _training_job(sm, name)
    jobs = backend("sagemaker").training_jobs
    started = now - timedelta(minutes=50)
    _times(jobs[platform.trained], started, started + timedelta(minutes=31))
    jobs[platform.trained].secondary_status_transitions = _transitions(started)
    _times(jobs[platform.failed], now - timedelta(hours=3), now - timedelta(hours=2, minutes=50))
    jobs[platform.failed].training_job_status = "Failed"
    jobs[platform.failed].secondary_status = "Failed"
    jobs[platform.failed].failure_reason = f"AlgorithmError: {HOSTILE} " + "x" * 5000
    _times(jobs[platform.running], now - timedelta(hours=30), None)
    jobs[platform.running].training_job_status = "InProgress"
    jobs[platform.running].secondary_status = "Training"
    _processing_job(sm, platform.prep)
    seed_curves(aws.real.cloudwatch, platform.trained, started)
    seed_logs(aws.real.logs, platform.trained, started)
    _endpoint(sm, platform.endpoint)
    _alarms(aws.real.cloudwatch, platform.endpoint)
    _pipelines(aws.real, platform)
    return platform


def _training_job(sm: Any, name: str, instances: int = 1) -> None:
    sm.create_training_job(
        TrainingJobName=name,
        HyperParameters={
            "eta": "0.2",
            "max_depth": "6",
            "num_round": "30",
            "sagemaker_program": "train.py",
        },
        AlgorithmSpecification={
            "TrainingImage": "683313688378.dkr.ecr.us-east-1.amazonaws.com/xgboost:1.7-1",
            "TrainingInputMode": "File",
        },
        RoleArn=ROLE,
        OutputDataConfig={"S3OutputPath": "s3://ml-artifacts/churn/"},
        ResourceConfig={
            "InstanceType": "ml.m5.xlarge",
            "InstanceCount": instances,
            "VolumeSizeInGB": 30,
        },
        StoppingCondition={"MaxRuntimeInSeconds": 86400},
    )


def _naive(moment: datetime) -> datetime:
    """moto keeps naive UTC times on its backend (and compares them with naive ones)."""
    return moment.astimezone(UTC).replace(tzinfo=None)


def _times(job: Any, start: datetime, end: datetime | None) -> None:
    job.creation_time = _naive(start - timedelta(minutes=2))
    job.training_start_time = _naive(start)
    job.training_end_time = _naive(end) if end else None
    job.last_modified_time = _naive(end or start)


def _transitions(start: datetime) -> list[dict[str, Any]]:
    steps = [("Starting", 0, 2, "Preparing the instances for training"), ("Downloading", 2, 3, "Downloading input data"),
             ("Training", 3, 30, "Training image download completed. Training in progress."), ("Uploading", 30, 31, "Uploading generated training model"),
             ("Completed", 31, 31, "Training job completed")]  # fmt: skip
    return [
        {
            "Status": s,
            "StartTime": _naive(start + timedelta(minutes=a)),
            "EndTime": _naive(start + timedelta(minutes=b)),
            "StatusMessage": m,
        }
        for s, a, b, m in steps
    ]


def curve(step: int, metric: str) -> float:
    """Deterministic, realistic-looking curves: loss falls, AUC rises, with a little noise."""
    wobble = 0.01 * math.sin(step * 1.7)
    if metric == "validation:auc":
        return 0.62 + 0.3 * (1 - math.exp(-step / 8)) + wobble
    if metric == "validation:logloss":
        return 0.34 + 0.35 * math.exp(-step / 7) + 0.004 * step / 30 + wobble
    return 0.18 + 0.52 * math.exp(-step / 6) + wobble / 2  # train:logloss


def seed_curves(cloudwatch: Any, job: str, started: datetime, steps: int = 28) -> None:
    for metric in ("train:logloss", "validation:logloss", "validation:auc"):
        data = [
            {
                "MetricName": metric,
                "Dimensions": [{"Name": "Host", "Value": f"{job}/algo-1"}],
                "Timestamp": started + timedelta(minutes=2 + step, seconds=30),
                "Value": curve(step, metric),
            }
            for step in range(steps)
        ]
        for index in range(0, len(data), 20):
            cloudwatch.put_metric_data(
                Namespace="/aws/sagemaker/TrainingJobs", MetricData=data[index : index + 20]
            )
    cloudwatch.put_metric_data(
        Namespace="/aws/sagemaker/TrainingJobs",
        MetricData=[
            {
                "MetricName": "CPUUtilization",
                "Dimensions": [{"Name": "Host", "Value": f"{job}/algo-1"}],
                "Timestamp": started + timedelta(minutes=5),
                "Value": 180.0,
            }
        ],
    )


def seed_logs(logs: Any, job: str, started: datetime, lines: int = 30) -> None:
    group = "/aws/sagemaker/TrainingJobs"
    logs.create_log_group(logGroupName=group)
    stream = f"{job}/algo-1-1764000000"
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    events = [
        {
            "timestamp": int((started + timedelta(minutes=3, seconds=i * 50)).timestamp() * 1000),
            "message": f"[{i}]#011train-logloss:{curve(i, 'train:logloss'):.5f}",
        }
        for i in range(lines)
    ]
    events[-1]["message"] = f"last line {HOSTILE}"
    logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=events)


def _processing_job(sm: Any, name: str) -> None:
    sm.create_processing_job(
        ProcessingJobName=name,
        ProcessingResources={
            "ClusterConfig": {
                "InstanceCount": 1,
                "InstanceType": "ml.m5.large",
                "VolumeSizeInGB": 10,
            }
        },
        AppSpecification={"ImageUri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/prep:1"},
        RoleArn=ROLE,
    )


def _endpoint(sm: Any, name: str) -> None:
    sm.create_model(
        ModelName="churn-model",
        ExecutionRoleArn=ROLE,
        PrimaryContainer={"Image": "683313688378.dkr.ecr.us-east-1.amazonaws.com/xgboost:1.7-1"},
    )
    sm.create_endpoint_config(
        EndpointConfigName=f"{name}-config",
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": "churn-model",
                "InitialInstanceCount": 2,
                "InstanceType": "ml.m5.large",
                "InitialVariantWeight": 1.0,
            }
        ],
    )
    sm.create_endpoint(EndpointName=name, EndpointConfigName=f"{name}-config")


def _alarm(cloudwatch: Any, name: str, metric: str, endpoint: str, threshold: float) -> None:
    cloudwatch.put_metric_alarm(
        AlarmName=name, Namespace="AWS/SageMaker", MetricName=metric, Statistic="Sum", Period=60,
        EvaluationPeriods=1, Threshold=threshold, ComparisonOperator="GreaterThanThreshold",
        Dimensions=[{"Name": "EndpointName", "Value": endpoint}, {"Name": "VariantName", "Value": "AllTraffic"}],
    )  # fmt: skip


def _alarms(cloudwatch: Any, endpoint: str) -> None:
    _alarm(cloudwatch, f"{endpoint}-5xx", "Invocation5XXErrors", endpoint, 5)
    _alarm(cloudwatch, f"{endpoint}-latency", "ModelLatency", endpoint, 500000)
    _alarm(cloudwatch, "other-endpoint-5xx", "Invocation5XXErrors", "other-endpoint", 5)
    cloudwatch.set_alarm_state(
        AlarmName=f"{endpoint}-5xx",
        StateValue="ALARM",
        StateReason=f"Threshold crossed: 9 errors {HOSTILE}",
    )
    cloudwatch.set_alarm_state(AlarmName=f"{endpoint}-latency", StateValue="OK", StateReason="fine")


def _pipelines(aws: AwsClients, platform: Platform) -> None:
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
        RoleName="codepipeline", AssumeRolePolicyDocument=json.dumps(trust)
    )
    aws.codepipeline.create_pipeline(
        pipeline={
            "name": platform.codepipeline,
            "roleArn": role["Role"]["Arn"],
            "artifactStore": {"type": "S3", "location": "ml-artifacts"},
            "stages": [
                {
                    "name": "Source",
                    "actions": [
                        {
                            "name": "Code",
                            "actionTypeId": {
                                "category": "Source",
                                "owner": "AWS",
                                "provider": "S3",
                                "version": "1",
                            },
                            "configuration": {"S3Bucket": "src", "S3ObjectKey": "churn.zip"},
                            "outputArtifacts": [{"name": "src"}],
                        }
                    ],
                },
                {
                    "name": "Build",
                    "actions": [
                        {
                            "name": "UnitTests",
                            "actionTypeId": {
                                "category": "Build",
                                "owner": "AWS",
                                "provider": "CodeBuild",
                                "version": "1",
                            },
                            "configuration": {"ProjectName": "churn"},
                            "inputArtifacts": [{"name": "src"}],
                        }
                    ],
                },
            ],
        }
    )
    aws.codepipeline.start_pipeline_execution(name=platform.codepipeline)
    aws.sagemaker.create_pipeline(
        PipelineName=platform.sm_pipeline,
        PipelineDefinition='{"Version": "2020-12-01", "Steps": []}',
        RoleArn=ROLE,
    )
    aws.sagemaker.start_pipeline_execution(PipelineName=platform.sm_pipeline)


def endpoint_figures(
    now: datetime, variants: list[str], endpoint_name: str = "churn-prod"
) -> dict[str, Any]:
    """A GetMetricData answer for the endpoint's queries: 100 invocations a minute, 6 4XX and
    6 5XX in the hour, latencies in MICROseconds, CPU 40-80 %, memory 55 %, no GPU."""
    start, _ = last_hour(now)
    minutes = [start + timedelta(minutes=i) for i in range(60)]
    per_key: dict[str, tuple[list[datetime], list[float]]] = {
        "invocations": (minutes, [100.0] * 60),
        "4xx": (minutes[:3], [2.0, 2.0, 2.0]),
        "5xx": (minutes[-2:], [3.0, 3.0]),
        "model_p50": (minutes, [12_000.0] * 60),
        "model_p99": (minutes, [80_000.0 + 100 * i for i in range(60)]),
        "cpu": (minutes, [40.0 + 40 * i / 59 for i in range(60)]),
        "memory": (minutes, [55.0] * 60),
        "model_p50_hour": ([start], [12_345.0]),
        "model_p99_hour": ([start], [85_000.0]),
        "overhead_p50_hour": ([start], [1_500.0]),
        "overhead_p99_hour": ([start], [4_200.0]),
    }
    results = []
    for index, (_, key, _) in enumerate(queries_for(endpoint_name, variants)):
        times, values = per_key.get(key, ([], []))
        results.append(
            {
                "Id": f"q{index}",
                "Label": key,
                "Timestamps": times,
                "Values": values,
                "StatusCode": "Complete",
            }
        )
    return {"MetricDataResults": results}


def real_now() -> datetime:
    """moto stamps resources with the wall clock; the commands' fake clock starts there, at
    the minute (so CloudWatch's minute periods fall the same way in every run)."""
    return datetime.now(UTC).replace(second=0, microsecond=0)


_PROXIES = ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY")


@pytest.fixture
def aws(moto_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[PlatformAws]:
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", *_PROXIES):
        monkeypatch.delenv(name, raising=False)
    clients = PlatformAws()
    yield clients
    clients.verify()  # every stubbed answer was asked for


@pytest.fixture(scope="package")
def moto_server() -> Iterator[MotoServer]:
    """One moto server for a whole test package (tests.fakes.moto starts one per module;
    stopping one takes half a second). Every test still starts from empty backends."""
    server = MotoServer()
    try:
        yield server
    finally:
        server.stop()
