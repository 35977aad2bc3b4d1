"""Find a pipeline by name in CodePipeline, then in SageMaker Pipelines, and list every
pipeline's last result for `status`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.aws.calls import call, pages, region_of
from bot.aws.codepipeline import codepipeline_report
from bot.aws.errors import AwsError, MissingPermission, NotFound
from bot.aws.runs import PipelineReport
from bot.aws.sagemaker_pipelines import sagemaker_pipeline_report
from bot.core.errors import InputError
from bot.core.timeparse import utc
from bot.kinds.paths import text

SERVICES = ("codepipeline", "sagemaker")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def find_pipeline(aws: Any, name: str, service: str | None = None) -> PipelineReport:
    """The report for the pipeline called `name`; `service` limits the search to one."""
    if service and service not in SERVICES:
        raise InputError(f"unknown pipeline kind `{service[:40]}`; kinds: {', '.join(SERVICES)}")
    denied: list[str] = []
    if service in (None, "codepipeline"):
        try:
            return codepipeline_report(aws.codepipeline, name, region_of(aws))
        except NotFound:
            pass
        except MissingPermission as error:
            denied.append(error.action)
    if service in (None, "sagemaker"):
        try:
            return sagemaker_pipeline_report(aws.sagemaker, name)
        except NotFound:
            pass
        except MissingPermission as error:
            denied.append(error.action)
    if denied:
        raise MissingPermission(", ".join(denied) + f" (to look for pipeline {name})")
    raise NotFound(f"a CodePipeline or SageMaker pipeline named {name}")


@dataclass(frozen=True)
class LastResult:
    service: str
    name: str
    status: str | None  # None: never ran


def last_results(aws: Any, most: int = 10) -> tuple[list[LastResult], list[str]]:
    """Each pipeline's latest execution status (the `most` most recently changed per
    service), and a note for each service we could not read."""
    found: list[LastResult] = []
    notes: list[str] = []
    for service, read in (("CodePipeline", _codepipelines), ("SageMaker Pipelines", _sagemaker)):
        try:
            found += read(aws, most)
        except AwsError as error:
            notes.append(f"{service}: {error}")
    return found, notes


def _codepipelines(aws: Any, most: int) -> list[LastResult]:
    rows = pages(aws.codepipeline, "list_pipelines", "pipelines", limit=100)
    rows.sort(key=lambda row: utc(row.get("updated")) or _EPOCH, reverse=True)
    found = []
    for row in rows[:most]:
        name = str(row.get("name"))
        answer = call(aws.codepipeline, "list_pipeline_executions", pipelineName=name, maxResults=1)
        latest = (answer.get("pipelineExecutionSummaries") or [{}])[0]
        found.append(LastResult("CodePipeline", name, text(latest.get("status"))))
    return found


def _sagemaker(aws: Any, most: int) -> list[LastResult]:
    newest: dict[str, Any] = {"SortBy": "CreationTime", "SortOrder": "Descending"}
    rows = pages(aws.sagemaker, "list_pipelines", "PipelineSummaries", limit=most, **newest)
    found = []
    for row in rows:
        name = str(row.get("PipelineName"))
        runs = pages(
            aws.sagemaker,
            "list_pipeline_executions",
            "PipelineExecutionSummaries",
            limit=1,
            PipelineName=name,
            **newest,
        )
        status = text(runs[0].get("PipelineExecutionStatus")) if runs else None
        found.append(LastResult("SageMaker Pipelines", name, status))
    return found
