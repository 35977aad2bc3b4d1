"""What a Describe answer says about a job, as plain values the `job` command lays out:
the figures particular to its kind (its row in bot.kinds.jobs says which), the
secondary-status history, hyperparameters, final metrics, and for a tuning job its
objective and best training job."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.timeparse import utc
from bot.kinds.jobs import TUNING, Job
from bot.kinds.paths import dig, number, text

# Keys SageMaker's own SDK adds to every framework job: noise next to the real ones.
_SDK_KEYS = ("sagemaker_", "_tuning_objective_metric")


def kind_facts(job: Job) -> list[tuple[str, str]]:
    """(label, value) figures particular to the job's kind (its row's `describe_facts`),
    those present only."""
    return [
        (label, shown)
        for label, value in job.kind.describe_facts(job.raw)
        if (shown := text(value))
    ]


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
