"""The figures particular to each SageMaker job kind, for the rows of bot.kinds.jobs: what
an alert shows from a state-change event (`*_event`), and what the `job` command shows from
a Describe answer (`*_describe`, (label, value) pairs, empty values dropped by the caller)."""

from __future__ import annotations

from typing import Any

from bot.core.durations import format_duration
from bot.core.events import Fact
from bot.kinds.paths import Raw, dig, number, text
from bot.kinds.spec import labelled

Pairs = list[tuple[str, Any]]

# --- from a state-change event (its `detail` is the job's Describe answer, at that moment)


def training_event(event: Raw) -> list[Fact]:
    body = event.get("detail") or {}
    found = labelled(("Secondary status", body.get("SecondaryStatus")))
    transitions = body.get("SecondaryStatusTransitions")
    if isinstance(transitions, list) and transitions and isinstance(transitions[-1], dict):
        found += labelled(("Last step", transitions[-1].get("StatusMessage")))
    metrics = _metric_lines(body.get("FinalMetricDataList"))
    if metrics:
        found.append(Fact(label="Final metrics", value="\n".join(metrics), long=True))
    return found


def _metric_lines(metrics: Any) -> list[str]:
    lines = []
    for metric in metrics if isinstance(metrics, list) else []:
        if not isinstance(metric, dict):
            continue
        value = number(metric.get("Value"))
        name = text(metric.get("MetricName")) or "?"
        lines.append(f"{name} = {value:.6g}" if value is not None else f"{name} = ?")
    return lines


def tuning_event(event: Raw) -> list[Fact]:
    body = event.get("detail") or {}
    found = []
    counters = body.get("TrainingJobStatusCounters")
    if isinstance(counters, dict):
        parts = [f"{count} {name}" for name, count in counters.items() if number(count)]
        found += labelled(("Training jobs", ", ".join(parts) or "none yet"))
    objective = dig(body, "HyperParameterTuningJobConfig.HyperParameterTuningJobObjective")
    if isinstance(objective, dict):
        found += labelled(
            ("Objective", f"{objective.get('Type', '')} {objective.get('MetricName', '')}")
        )
    best = body.get("BestTrainingJob")
    best_name = text(best.get("TrainingJobName")) if isinstance(best, dict) else None
    if isinstance(best, dict) and best_name:  # `{}` until a training job has a score
        metric = best.get("FinalHyperParameterTuningJobObjectiveMetric") or {}
        value = number(metric.get("Value")) if isinstance(metric, dict) else None
        score = f" ({metric.get('MetricName')} = {value:.6g})" if value is not None else ""
        found += labelled(("Best job", f"{best_name}{score}"))
    return found


def processing_event(event: Raw) -> list[Fact]:
    body = event.get("detail") or {}
    exit_message = body.get("ExitMessage")
    if exit_message and exit_message != body.get("FailureReason"):
        return labelled(("Exit message", exit_message))
    return []


def transform_event(event: Raw) -> list[Fact]:
    return labelled(("Model", dig(event, "detail.ModelName")))


def labeling_event(event: Raw) -> list[Fact]:
    return labelled(("Labeled", dig(event, "detail.LabelCounters.TotalLabeled")))


# --- from a Describe answer


def training_describe(raw: Raw) -> Pairs:
    image = dig(raw, "AlgorithmSpecification.TrainingImage")
    return [
        ("Algorithm", dig(raw, "AlgorithmSpecification.AlgorithmName") or image),
        ("Billable time", _seconds(raw.get("BillableTimeInSeconds"))),
        ("Spot", "yes" if raw.get("EnableManagedSpotTraining") else None),
    ]


def tuning_describe(raw: Raw) -> Pairs:
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


def processing_describe(raw: Raw) -> Pairs:
    return [
        ("Image", dig(raw, "AppSpecification.ImageUri")),
        ("Exit message", raw.get("ExitMessage")),
        ("Monitoring schedule", raw.get("MonitoringScheduleArn")),
    ]


def transform_describe(raw: Raw) -> Pairs:
    return [
        ("Model", raw.get("ModelName")),
        ("Output", dig(raw, "TransformOutput.S3OutputPath")),
    ]


_LABEL_COUNTS = {
    "TotalLabeled": "labeled",
    "HumanLabeled": "by people",
    "MachineLabeled": "by machine",
    "Unlabeled": "unlabeled",
    "FailedNonRetryableError": "failed",
}


def labeling_describe(raw: Raw) -> Pairs:
    counters = raw.get("LabelCounters") or {}
    parts = [
        f"{n:.0f} {label}"
        for key, label in _LABEL_COUNTS.items()
        if (n := number(counters.get(key))) is not None
    ]
    return [("Labels", ", ".join(parts) or None)]


def _seconds(value: Any) -> str | None:
    seconds = number(value)
    return format_duration(seconds) if seconds is not None else None
