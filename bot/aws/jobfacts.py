"""What a Describe answer says about a job, as plain values the `job` command lays out:
the figures that matter per kind, the secondary-status history, hyperparameters, final
metrics, and for a tuning job its counts and best training job."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.core.durations import format_duration
from bot.core.timeparse import utc
from bot.kinds.jobs import LABELING, PROCESSING, TRAINING, TRANSFORM, TUNING, Job
from bot.kinds.paths import dig, number, text

# Keys SageMaker's own SDK adds to every framework job: noise next to the real ones.
_SDK_KEYS = ("sagemaker_", "_tuning_objective_metric")


def kind_facts(job: Job) -> list[tuple[str, str]]:
    """(label, value) figures particular to the job's kind, those present only."""
    raw = job.raw
    pairs: list[tuple[str, Any]] = []
    if job.kind is TRAINING:
        image = dig(raw, "AlgorithmSpecification.TrainingImage")
        pairs += [
            ("Algorithm", dig(raw, "AlgorithmSpecification.AlgorithmName") or image),
            ("Billable time", _seconds(raw.get("BillableTimeInSeconds"))),
            ("Spot", "yes" if raw.get("EnableManagedSpotTraining") else None),
        ]
    elif job.kind is PROCESSING:
        pairs += [
            ("Image", dig(raw, "AppSpecification.ImageUri")),
            ("Exit message", raw.get("ExitMessage")),
            ("Monitoring schedule", raw.get("MonitoringScheduleArn")),
        ]
    elif job.kind is TRANSFORM:
        pairs += [
            ("Model", raw.get("ModelName")),
            ("Output", dig(raw, "TransformOutput.S3OutputPath")),
        ]
    elif job.kind is LABELING:
        pairs.append(("Labels", _label_counts(raw.get("LabelCounters") or {})))
    elif job.kind is TUNING:
        pairs += _tuning_facts(raw)
    return [(label, shown) for label, value in pairs if (shown := text(value))]


@dataclass(frozen=True)
class Transition:
    status: str
    start: datetime | None
    end: datetime | None
    message: str | None


def history(job: Job) -> list[Transition]:
    """A training job's secondary-status transitions, oldest first."""
    return [
        Transition(
            text(step.get("Status")) or "?",
            utc(step.get("StartTime")),
            utc(step.get("EndTime")),
            text(step.get("StatusMessage")),
        )
        for step in job.raw.get("SecondaryStatusTransitions") or []
        if isinstance(step, dict)
    ]


def hyperparameters(job: Job) -> dict[str, str]:
    """The job's hyperparameters (a tuning job's: its best training job's tuned ones)."""
    raw = job.raw.get("HyperParameters")
    if job.kind is TUNING:
        raw = dig(job.raw, "BestTrainingJob.TunedHyperParameters")
    if not isinstance(raw, dict):
        return {}
    return {str(k): str(v) for k, v in sorted(raw.items()) if not str(k).startswith(_SDK_KEYS)}


def final_metrics(job: Job) -> list[tuple[str, float]]:
    found = []
    for metric in job.raw.get("FinalMetricDataList") or []:
        value = number(metric.get("Value")) if isinstance(metric, dict) else None
        if value is not None:
            found.append((text(metric.get("MetricName")) or "?", value))
    return found


@dataclass(frozen=True)
class Best:
    name: str
    status: str | None
    metric: str | None
    value: float | None


def best_training_job(job: Job) -> Best | None:
    best = job.raw.get("BestTrainingJob")
    if not isinstance(best, dict) or not text(best.get("TrainingJobName")):
        return None
    metric = best.get("FinalHyperParameterTuningJobObjectiveMetric") or {}
    return Best(
        str(best["TrainingJobName"]),
        text(best.get("TrainingJobStatus")),
        text(metric.get("MetricName")),
        number(metric.get("Value")),
    )


def objective(job: Job) -> tuple[str | None, str | None]:
    """(Maximize|Minimize, metric name) of a tuning job."""
    found = dig(job.raw, "HyperParameterTuningJobConfig.HyperParameterTuningJobObjective") or {}
    return text(found.get("Type")), text(found.get("MetricName"))


def _tuning_facts(raw: dict[str, Any]) -> list[tuple[str, Any]]:
    counters = raw.get("TrainingJobStatusCounters") or {}
    counts = ", ".join(f"{n:.0f} {k}" for k, v in counters.items() if (n := number(v)))
    goal = dig(raw, "HyperParameterTuningJobConfig.HyperParameterTuningJobObjective") or {}
    early = dig(raw, "HyperParameterTuningJobConfig.TrainingJobEarlyStoppingType")
    return [
        ("Training jobs", counts or "none yet"),
        ("Objective", f"{goal.get('Type', '')} {goal.get('MetricName', '')}".strip()),
        ("Strategy", dig(raw, "HyperParameterTuningJobConfig.Strategy")),
        (
            "Most jobs",
            dig(raw, "HyperParameterTuningJobConfig.ResourceLimits.MaxNumberOfTrainingJobs"),
        ),
        (
            "At once",
            dig(raw, "HyperParameterTuningJobConfig.ResourceLimits.MaxParallelTrainingJobs"),
        ),
        ("Early stopping", early if early and early != "Off" else None),
    ]


def _label_counts(counters: dict[str, Any]) -> str | None:
    names = {
        "TotalLabeled": "labeled",
        "HumanLabeled": "by people",
        "MachineLabeled": "by machine",
        "Unlabeled": "unlabeled",
        "FailedNonRetryableError": "failed",
    }
    parts = [
        f"{n:.0f} {label}"
        for key, label in names.items()
        if (n := number(counters.get(key))) is not None
    ]
    return ", ".join(parts) or None


def _seconds(value: Any) -> str | None:
    seconds = number(value)
    return format_duration(seconds) if seconds is not None else None
