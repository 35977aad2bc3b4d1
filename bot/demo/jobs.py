"""The demo platform's SageMaker training and processing jobs, named and timed as in the
script (bot.demo.script): the churn model's failed 03:00 training run, its completed 04:00
rerun, the best training job of the fraud model's tuning job (bot.demo.tuning), and the
processing jobs of the morning, one still running.

moto creates every job finished at the wall-clock time; the times, statuses and failures
(and a processing job's resources, which moto does not keep) are then set on its backend
(bot.demo.backend)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.demo.backend import backend
from bot.demo.moments import at, naive
from bot.demo.script import ACCOUNT, REGION

ROLE = f"arn:aws:iam::{ACCOUNT}:role/sagemaker-execution"
XGBOOST = f"141502667606.dkr.ecr.{REGION}.amazonaws.com/sagemaker-xgboost:1.7-1"
FAILED = "churn-xgb-2026-11-25-0300"
COMPLETED = "churn-xgb-2026-11-25-0400"
BEST = "fraud-hpo-1125-014-4c2a1f7e"  # the best training job of tuning job fraud-hpo-1125
FAILURE = (
    'AlgorithmError: ExecuteUserScriptError: Command "/usr/local/bin/python3 '
    'train.py --epochs 40"\n  File "<stdin>", line 88, in fit\nValueError: Input '
    "contains NaN, infinity or a value too large for dtype('float32') & 3 more "
    "errors <!channel>"
)
FEATURES = "churn-features-2026-11-25-0318"  # the SageMaker pipeline's first step
RUNNING = "fraud-features-2026-11-25-0415"  # still running at the end of the script
# (name, image, instance type, created, ended or None while it runs)
PROCESSING = [
    (FEATURES, "churn-features", "ml.m5.2xlarge", at(18), at(20)),
    ("churn-eval-2026-11-25-0410", "churn-eval", "ml.m5.xlarge", at(70), at(73)),
    ("model-monitoring-202611250600-a1b2c3", "monitor", "ml.m5.xlarge", at(52), at(60)),
    (RUNNING, "fraud-features", "ml.m5.4xlarge", at(75), None),
]


@dataclass(frozen=True)
class Run:
    """One training job as the demo tells it."""

    name: str
    instance: str
    count: int
    created: datetime
    started: datetime
    ended: datetime
    status: str
    steps: int  # boosting rounds reported while it trained
    params: dict[str, str]
    finals: dict[str, float]  # where its curves end: its final metrics


_CHURN = {"objective": "binary:logistic", "eta": "0.1", "num_round": "400", "epochs": "40"}
_SCRIPT = {"sagemaker_program": "train.py"}
_FRAUD = {"objective": "binary:logistic", "eta": "0.0731", "max_depth": "7", "num_round": "250"}
RUNS = [
    Run(FAILED, "ml.g5.2xlarge", 2, at(-38), at(-35), at(12), "Failed", 14,
        {**_CHURN, "max_depth": "8", **_SCRIPT},
        {"train:logloss": 0.3105, "validation:logloss": 0.3472, "validation:auc": 0.8611}),
    Run(COMPLETED, "ml.g5.2xlarge", 2, at(20), at(23), at(70), "Completed", 40,
        {**_CHURN, "max_depth": "6", **_SCRIPT},
        {"train:logloss": 0.2011, "validation:logloss": 0.2398, "validation:auc": 0.9134}),
    Run(BEST, "ml.m5.xlarge", 1, at(-42), at(-40), at(-12), "Completed", 24,
        {**_FRAUD, "subsample": "0.83", "min_child_weight": "3.2"},
        {"train:logloss": 0.1642, "validation:auc": 0.9412}),
]  # fmt: skip
# How far from its final value each metric starts, and how fast it gets there.
_SHAPES = {
    "train:logloss": (0.49, 4.0),
    "validation:logloss": (0.45, 3.5),
    "validation:auc": (-0.29, 3.5),
}


def curve(run: Run, metric: str, step: int) -> float:
    """What `run` reported for `metric` at round `step`: falling (or rising) to its final
    value, with a little noise that fades."""
    size, speed = _SHAPES[metric]
    rounds = run.steps if run.status == "Completed" else 40  # a failed run stopped partway
    x = step / (rounds - 1)
    wobble = 0.004 * math.sin(step * 1.7) * (1 - x)
    return run.finals[metric] + size * (math.exp(-speed * x) - math.exp(-speed)) + wobble


def seed_jobs(sagemaker: Any) -> None:
    for run in RUNS:
        _training(sagemaker, run)
    for name, image, instance, created, ended in PROCESSING:
        _processing(sagemaker, name, image, instance, created, ended)


def _training(sagemaker: Any, run: Run) -> None:
    sagemaker.create_training_job(
        TrainingJobName=run.name,
        HyperParameters=run.params,
        AlgorithmSpecification={"TrainingImage": XGBOOST, "TrainingInputMode": "File"},
        RoleArn=ROLE,
        OutputDataConfig={"S3OutputPath": "s3://ml-artifacts/models/"},
        ResourceConfig={
            "InstanceType": run.instance,
            "InstanceCount": run.count,
            "VolumeSizeInGB": 50,
        },
        StoppingCondition={"MaxRuntimeInSeconds": 14400},
        Tags=[{"Key": "team", "Value": "growth"}, {"Key": "stage", "Value": "prod"}],
    )
    job = backend("sagemaker").training_jobs[run.name]
    job.creation_time = naive(run.created)
    job.training_start_time = naive(run.started)
    job.training_end_time = naive(run.ended)
    job.last_modified_time = naive(run.ended)
    job.training_job_status = job.secondary_status = run.status
    job.billable_time_in_seconds = int((run.ended - run.started).total_seconds()) * run.count
    job.secondary_status_transitions = _transitions(run)
    job.final_metric_data_list = []
    if run.status == "Failed":
        job.failure_reason = FAILURE
    else:
        job.final_metric_data_list = [
            {"MetricName": metric, "Value": value, "Timestamp": naive(run.ended)}
            for metric, value in run.finals.items()
        ]


def _transitions(run: Run) -> list[dict[str, Any]]:
    training = run.started + timedelta(minutes=3)
    last = "Training job failed" if run.status == "Failed" else "Training job completed"
    busy = "Training image download completed. Training in progress."
    steps = [
        ("Starting", run.created, run.started, "Preparing the instances for training"),
        ("Downloading", run.started, training, "Downloading input data"),
        ("Training", training, run.ended, busy),
        (run.status, run.ended, run.ended, last),
    ]
    return [
        {"Status": s, "StartTime": naive(a), "EndTime": naive(b), "StatusMessage": m}
        for s, a, b, m in steps
    ]


def _processing(
    sagemaker: Any, name: str, image: str, instance: str, created: datetime, ended: datetime | None
) -> None:
    resources = {
        "ClusterConfig": {"InstanceCount": 1, "InstanceType": instance, "VolumeSizeInGB": 30}
    }
    sagemaker.create_processing_job(
        ProcessingJobName=name,
        ProcessingResources=resources,
        AppSpecification={"ImageUri": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{image}:latest"},
        RoleArn=ROLE,
    )
    job = backend("sagemaker").processing_jobs[name]
    job.processing_resources = resources  # moto takes them but forgets them
    job.creation_time = naive(created)
    job.processing_start_time = naive(created + timedelta(minutes=1))
    job.processing_end_time = naive(ended) if ended else None
    job.last_modified_time = naive(ended or created + timedelta(minutes=1))
    job.processing_job_status = "Completed" if ended else "InProgress"
