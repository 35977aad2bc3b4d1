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
_SERVICE_NAMES = {"codepipeline": "CodePipeline", "sagemaker": "SageMaker Pipelines"}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def find_pipeline(aws: Any, name: str, service: str | None = None) -> PipelineReport:
    """The report for the pipeline called `name`; `service` limits the search to one."""
    if service and service not in SERVICES:
        raise InputError(f"unknown pipeline kind `{service[:40]}`; kinds: {', '.join(SERVICES)}")
    denied: list[str] = []
    unchecked: list[str] = []
    asked = [each for each in SERVICES if service in (None, each)]
    for each in asked:
        try:
            if each == "codepipeline":
                return codepipeline_report(aws.codepipeline, name, region_of(aws))
            return sagemaker_pipeline_report(aws.sagemaker, name)
        except NotFound:
            continue
        except AwsError as error:
            if isinstance(error, MissingPermission):
                denied.append(error.action)
            unchecked.append(f"{_SERVICE_NAMES[each]}: {error}")
    if len(unchecked) == len(asked):  # nothing could be asked: that is the answer
        if len(denied) == len(asked):
            raise MissingPermission(", ".join(denied) + f" (to look for pipeline {name})")
        raise AwsError(f"could not look for pipeline {name}: " + "; ".join(unchecked))
    raise NotFound(f"a CodePipeline or SageMaker pipeline named {name}", unchecked)


def pipeline_names(aws: Any) -> list[str]:
    """The names of the pipelines of both services: what a name typed wrong is compared
    with. A service that cannot be listed adds none."""
    names: list[str] = []
    for listing in (_codepipelines_named, _sagemaker_named):
        try:
            names += listing(aws)
        except AwsError:
            continue
    return names


def _codepipelines_named(aws: Any) -> list[str]:
    rows = pages(aws.codepipeline, "list_pipelines", "pipelines", limit=100)
    return [str(row.get("name")) for row in rows if row.get("name")]


def _sagemaker_named(aws: Any) -> list[str]:
    rows = pages(aws.sagemaker, "list_pipelines", "PipelineSummaries", limit=100)
    return [str(row.get("PipelineName")) for row in rows if row.get("PipelineName")]


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
