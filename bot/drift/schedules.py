"""The monitoring schedules on an endpoint and where each one's latest results are.

ListMonitoringSchedules(EndpointName) gives the schedules (and their MonitoringType);
ListMonitoringExecutions(MonitoringScheduleName, newest first) the latest execution that
finished, else the newest one; DescribeProcessingJob on its ProcessingJobArn the output S3
URI (ProcessingOutputConfig.Outputs[].S3Output.S3Uri) and the baseline files the job read
(ProcessingInputs whose LocalPath is under `/opt/ml/processing/baseline/`). AWS refusals
become user answers (bot.aws.errors); a job that cannot be described leaves its monitor
with a problem line instead of failing the whole answer.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from bot.aws.calls import call
from bot.core.errors import InputError, UserError

FINISHED = ("Completed", "CompletedWithViolations", "Failed", "Stopped")
MAX_SCHEDULES = 20
_EXECUTIONS = 10


@dataclass(frozen=True)
class Execution:
    schedule: str
    monitor: str | None
    status: str
    scheduled: datetime | None = None
    failure: str | None = None
    job: str | None = None  # processing job name
    output: str | None = None  # s3:// prefix holding the results
    baseline: tuple[tuple[str, str], ...] = ()  # (constraints.json | statistics.json, s3 URI)
    problem: str | None = None


def latest_executions(sagemaker: Any, endpoint: str) -> list[Execution]:
    """One entry per schedule on `endpoint` (at most MAX_SCHEDULES), in name order."""
    schedules = _schedules(sagemaker, endpoint)
    if not schedules:
        raise InputError(f"no Model Monitor schedule watches endpoint `{endpoint}`")
    return [_latest(sagemaker, s) for s in schedules[:MAX_SCHEDULES]]


def _schedules(sagemaker: Any, endpoint: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    token = None
    while len(found) < MAX_SCHEDULES:
        request: dict[str, Any] = {"EndpointName": endpoint, "MaxResults": 100}
        if token:
            request["NextToken"] = token
        answer = call(sagemaker, "list_monitoring_schedules", **request)
        found += answer.get("MonitoringScheduleSummaries") or []
        if not (token := answer.get("NextToken")):
            break
    return sorted(found, key=lambda s: str(s.get("MonitoringScheduleName", "")))


def _latest(sagemaker: Any, schedule: dict[str, Any]) -> Execution:
    name = str(schedule.get("MonitoringScheduleName", "?"))
    monitor = schedule.get("MonitoringType")
    answer = call(
        sagemaker,
        "list_monitoring_executions",
        MonitoringScheduleName=name,
        SortBy="ScheduledTime",
        SortOrder="Descending",
        MaxResults=_EXECUTIONS,
    )
    runs = answer.get("MonitoringExecutionSummaries") or []
    if not runs:
        return Execution(name, monitor, "no execution yet")
    run = next((r for r in runs if r.get("MonitoringExecutionStatus") in FINISHED), runs[0])
    execution = Execution(
        schedule=name,
        monitor=run.get("MonitoringType") or monitor,
        status=str(run.get("MonitoringExecutionStatus", "?")),
        scheduled=run.get("ScheduledTime"),
        failure=run.get("FailureReason"),
        job=_job_name(run.get("ProcessingJobArn")),
    )
    return _with_locations(sagemaker, execution) if execution.job else execution


def _job_name(arn: Any) -> str | None:
    return arn.rsplit("/", 1)[-1] if isinstance(arn, str) and arn else None


def _with_locations(sagemaker: Any, execution: Execution) -> Execution:
    try:
        job = call(
            sagemaker,
            "describe_processing_job",
            what=f"processing job {execution.job}",
            ProcessingJobName=execution.job,
        )
    except UserError as error:
        return replace(execution, problem=str(error))
    outputs = (job.get("ProcessingOutputConfig") or {}).get("Outputs") or []
    uris = [o.get("S3Output", {}).get("S3Uri") for o in outputs if isinstance(o, dict)]
    baseline = tuple(
        found for item in job.get("ProcessingInputs") or [] if (found := _baseline_input(item))
    )
    output = next((u for u in uris if isinstance(u, str) and u), None)
    problem = None if output else f"processing job {execution.job} names no S3 output"
    return replace(execution, output=output, baseline=baseline, problem=problem)


def _baseline_input(item: Any) -> tuple[str, str] | None:
    """`/opt/ml/processing/baseline/constraints` -> ("constraints.json", its S3 URI)."""
    source = item.get("S3Input") if isinstance(item, dict) else None
    if not isinstance(source, dict) or not source.get("S3Uri"):
        return None
    where = f"{source.get('LocalPath', '')} {item.get('InputName', '')}".lower()
    if "/baseline" not in where:
        return None
    role = "constraints.json" if "constraint" in where else "statistics.json"
    return role, str(source["S3Uri"])
