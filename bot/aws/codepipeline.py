"""A CodePipeline pipeline's last executions, its stages now (GetPipelineState), and the
actions that failed in its most recent failed execution (ListActionExecutions)."""

from __future__ import annotations

from typing import Any

from bot.aws.calls import call, pages
from bot.aws.errors import AwsError
from bot.aws.runs import LAST_RUNS, PipelineReport, Run, Step
from bot.core.timeparse import utc
from bot.kinds.links import codepipeline_link
from bot.kinds.paths import dig, text


def codepipeline_report(codepipeline: Any, name: str, region: str | None) -> PipelineReport:
    answer = call(
        codepipeline,
        "list_pipeline_executions",
        what=f"CodePipeline pipeline {name}",
        pipelineName=name,
        maxResults=LAST_RUNS,
    )
    runs = [_run(raw) for raw in (answer.get("pipelineExecutionSummaries") or [])[:LAST_RUNS]]
    report = PipelineReport("CodePipeline", name, runs, links=[codepipeline_link(name, region)])
    try:
        state = call(codepipeline, "get_pipeline_state", name=name)
        report.steps = [_stage(stage) for stage in state.get("stageStates") or []]
    except AwsError as error:
        report.notes.append(f"stages: {error}")
    failed = report.last_failed()
    if failed:
        report.failed_run = failed
        try:
            report.failed_steps = _failed_actions(codepipeline, name, failed.id)
        except AwsError as error:
            report.notes.append(f"failed actions: {error}")
    return report


def _run(raw: dict[str, Any]) -> Run:
    trigger = dig(raw, "trigger.triggerType")
    detail = text(dig(raw, "trigger.triggerDetail"))
    revisions = raw.get("sourceRevisions") or [{}]
    revision = text(revisions[0].get("revisionSummary")) or text(revisions[0].get("revisionId"))
    status = text(raw.get("status")) or "Unknown"
    finished = status not in ("InProgress", "Stopping")
    return Run(
        id=text(raw.get("pipelineExecutionId")) or "?",
        status=status,
        started=utc(raw.get("startTime")),
        ended=utc(raw.get("lastUpdateTime")) if finished else None,
        trigger=f"{trigger} {detail}" if trigger and detail else text(trigger),
        revision=revision,
        failure=text(raw.get("statusSummary")),
    )


def _stage(raw: dict[str, Any]) -> Step:
    status = text(dig(raw, "latestExecution.status")) or "NotStarted"
    problems = [
        f"{action.get('actionName', '?')}: {_action_error(action.get('latestExecution') or {})}"
        for action in raw.get("actionStates") or []
        if dig(action, "latestExecution.status") == "Failed"
    ]
    return Step(text(raw.get("stageName")) or "?", status, "; ".join(problems) or None)


def _action_error(execution: dict[str, Any]) -> str:
    return (
        text(dig(execution, "errorDetails.message"))
        or text(execution.get("summary"))
        or text(execution.get("externalExecutionSummary"))
        or text(dig(execution, "errorDetails.code"))
        or "failed"
    )


def _failed_actions(codepipeline: Any, name: str, execution_id: str) -> list[Step]:
    details = pages(
        codepipeline,
        "list_action_executions",
        "actionExecutionDetails",
        limit=200,
        page_size=100,
        pipelineName=name,
        filter={"pipelineExecutionId": execution_id},
    )
    return [
        Step(
            f"{detail.get('stageName', '?')} / {detail.get('actionName', '?')}",
            str(detail.get("status")),
            _action_error(dig(detail, "output.executionResult") or {}),
        )
        for detail in details
        if detail.get("status") == "Failed"
    ]
