"""The demo platform's tuning job fraud-hpo-1125 (the script's event 3): 20 training jobs,
18 completed and 2 failed, the best (bot.demo.jobs.BEST) at validation:auc 0.9412. moto
keeps a tuning job but not its training jobs' ranking: `TUNING_TOP` is what
bot.demo.canned answers ListTrainingJobsForHyperParameterTuningJob with."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.demo.backend import backend
from bot.demo.jobs import BEST, ROLE, RUNS, XGBOOST
from bot.demo.moments import at, naive
from bot.demo.script import ACCOUNT, REGION

TUNING = "fraud-hpo-1125"
# Its best training jobs, best first: (name, validation:auc).
TUNING_TOP = [
    (BEST, 0.9412),
    ("fraud-hpo-1125-009-7be01d3a", 0.9388),
    ("fraud-hpo-1125-017-02c9e4f5", 0.9371),
    ("fraud-hpo-1125-003-d41f6a90", 0.9342),
    ("fraud-hpo-1125-011-5e8b2c71", 0.9315),
]


def seed_tuning(sagemaker: Any) -> None:
    sagemaker.create_hyper_parameter_tuning_job(
        HyperParameterTuningJobName=TUNING,
        HyperParameterTuningJobConfig={
            "Strategy": "Bayesian",
            "HyperParameterTuningJobObjective": {
                "Type": "Maximize",
                "MetricName": "validation:auc",
            },
            "ResourceLimits": {"MaxNumberOfTrainingJobs": 20, "MaxParallelTrainingJobs": 4},
        },
        TrainingJobDefinition={
            "AlgorithmSpecification": {"TrainingImage": XGBOOST, "TrainingInputMode": "File"},
            "RoleArn": ROLE,
            "OutputDataConfig": {"S3OutputPath": "s3://ml-artifacts/tuning/"},
            "ResourceConfig": {
                "InstanceType": "ml.m5.xlarge",
                "InstanceCount": 1,
                "VolumeSizeInGB": 30,
            },
            "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
        },
    )
    job = backend("sagemaker").hyper_parameter_tuning_jobs[TUNING]
    job.creation_time = naive(at(-95))
    job.last_modified_time = job.hyper_parameter_tuning_end_time = naive(at(14))
    job.training_job_status_counters = {
        "Completed": 18,
        "InProgress": 0,
        "RetryableError": 0,
        "NonRetryableError": 2,
        "Stopped": 0,
    }
    job.objective_status_counters = {"Succeeded": 18, "Pending": 0, "Failed": 2}
    job.best_training_job = job.OverallBestTrainingJob = tuning_summary(0)
    job.tuning_job_completion_details = {"NumberOfTrainingJobsObjectiveNotImproving": 6}
    job.consumed_resources = {"RuntimeInSeconds": 6540}


def tuning_summary(rank: int) -> dict[str, Any]:
    """The tuning job's `rank`th best training job, as SageMaker summarises one."""
    name, auc = TUNING_TOP[rank]
    best = next(run for run in RUNS if run.name == BEST)
    started = best.started - timedelta(minutes=9 * rank)
    return {
        "TrainingJobName": name,
        "TrainingJobArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:training-job/{name}",
        "TuningJobName": TUNING,
        "CreationTime": started - timedelta(minutes=2),
        "TrainingStartTime": started,
        "TrainingEndTime": started + timedelta(minutes=26),
        "TrainingJobStatus": "Completed",
        "TunedHyperParameters": best.params if rank == 0 else {"eta": f"{0.05 + rank / 50:.3f}"},
        "FinalHyperParameterTuningJobObjectiveMetric": {
            "Type": "Maximize",
            "MetricName": "validation:auc",
            "Value": auc,
        },
        "ObjectiveStatus": "Succeeded",
    }
