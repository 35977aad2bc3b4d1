"""A SageMaker Pipelines pipeline's last executions and their steps: the latest run's
steps, and the steps that failed in the most recent failed run."""

from __future__ import annotations

from typing import Any

from bot.aws.calls import pages
from bot.aws.errors import AwsError
from bot.aws.runs import LAST_RUNS, PipelineReport, Run, Step
from bot.core.timeparse import utc
from bot.kinds.paths import arn_tail, text

# Step metadata keys that name the job or resource a step ran.
_RAN = (
    "TrainingJob",
    "ProcessingJob",
    "TransformJob",
    "TuningJob",
    "Model",
    "RegisterModel",
    "Lambda",
)


def sagemaker_pipeline_report(sagemaker: Any, name: str) -> PipelineReport:
    summaries = pages(
        sagemaker,
        "list_pipeline_executions",
        "PipelineExecutionSummaries",
        limit=LAST_RUNS,
        what=f"SageMaker pipeline {name}",
        PipelineName=name,
        SortBy="CreationTime",
        SortOrder="Descending",
    )
    runs = [_run(raw) for raw in summaries]
    arns = {
        run.id: str(raw.get("PipelineExecutionArn"))
        for run, raw in zip(runs, summaries, strict=True)
    }
    runs.sort(key=lambda run: run.started.timestamp() if run.started else 0.0, reverse=True)
    report = PipelineReport("SageMaker Pipelines", name, runs)
    if not runs:
        return report
    try:
        report.steps = _steps(sagemaker, arns[runs[0].id])
        failed = report.last_failed()
        if failed:
            report.failed_run = failed
            steps = report.steps if failed is runs[0] else _steps(sagemaker, arns[failed.id])
            report.failed_steps = [step for step in steps if step.status == "Failed"]
    except AwsError as error:
        report.notes.append(f"steps: {error}")
    return report


def _run(raw: dict[str, Any]) -> Run:
    status = text(raw.get("PipelineExecutionStatus")) or "Unknown"
    arn = text(raw.get("PipelineExecutionArn"))
    shown = text(raw.get("PipelineExecutionDisplayName"))
    return Run(
        id=arn_tail(arn) or shown or "?",
        status=status,
        started=utc(raw.get("StartTime")),
        trigger=shown,
        failure=text(raw.get("PipelineExecutionFailureReason")) if status == "Failed" else None,
    )


def _steps(sagemaker: Any, execution_arn: str) -> list[Step]:
    raw_steps = pages(
        sagemaker,
        "list_pipeline_execution_steps",
        "PipelineExecutionSteps",
        limit=100,
        page_size=100,
        PipelineExecutionArn=execution_arn,
        SortOrder="Ascending",
    )
    return [_step(raw) for raw in raw_steps]


def _step(raw: dict[str, Any]) -> Step:
    status = text(raw.get("StepStatus")) or "Unknown"
    metadata = raw.get("Metadata") or {}
    ran = [
        f"{key} {_ran(metadata[key].get('Arn')) or ''}".strip()
        for key in _RAN
        if isinstance(metadata.get(key), dict)
    ]
    detail = text(raw.get("FailureReason")) if status == "Failed" else None
    name = text(raw.get("StepDisplayName")) or text(raw.get("StepName")) or "?"
    return Step(name, status, detail or (", ".join(ran) or None))


def _ran(arn: Any) -> str | None:
    """What a step's ARN names: a job, or a model package as `group/version` (its ARN's
    tail alone would be the bare version number)."""
    if isinstance(arn, str) and ":model-package/" in arn:
        return arn.split(":model-package/", 1)[1] or None
    return arn_tail(arn)
