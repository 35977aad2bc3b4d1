"""Automation pipelines (CodePipeline, CodeBuild) and Step Functions executions."""

from __future__ import annotations

from bot.core.decision import INITIATOR
from bot.core.events import Fact, Kind, Link
from bot.kinds.links import codebuild_link, codepipeline_link, stepfunctions_link
from bot.kinds.paths import (
    Getter,
    Raw,
    arn_tail,
    detail,
    dig,
    either,
    first_resource_tail,
    nothing,
    text,
)
from bot.kinds.spec import KindSpec, labelled

# --- CodePipeline: one root message per pipeline execution; stages and actions thread on it.

BUILD = "Build"  # the fact naming the CodeBuild build a CodePipeline action ran


def _pipeline(event: Raw) -> str | None:
    return text(dig(event, "detail.pipeline")) or first_resource_tail(event)


def _execution_key(event: Raw) -> str | None:
    pipeline = _pipeline(event)
    execution = text(dig(event, "detail.execution-id"))
    return f"{pipeline}/{execution}" if execution else pipeline


def _failed_actions(event: Raw) -> str | None:
    """The notification-rule form lists what failed; the emitted form leaves it to the
    action's own event."""
    actions = dig(event, "additionalAttributes.failedActions")
    lines = [
        f"{item.get('action', '?')}: {item.get('additionalInformation', '')}".rstrip(": ")
        for item in (actions if isinstance(actions, list) else [])
        if isinstance(item, dict)
    ]
    return "; ".join(lines) or None


def _codepipeline_facts(event: Raw) -> list[Fact]:
    body = event.get("detail") or {}
    extra = event.get("additionalAttributes") or {}
    provider = dig(body, "type.provider")
    # A CodeBuild action's external id is its build's (`<project>:<uuid>`): where a
    # responder, and the log tail (bot.delivery.logsources), find what broke.
    build = dig(body, "execution-result.external-execution-id") if provider == "CodeBuild" else None
    return labelled(
        ("Execution", body.get("execution-id")),
        ("Failed stage", extra.get("failedStage")),
        ("Provider", provider),
        (BUILD, build),
        ("Error code", dig(body, "execution-result.error-code")),
        ("Attempt", body.get("pipeline-execution-attempt")),
    )


# Source providers whose action summary is the commit's message; S3 and ECR say which
# object or image version it took.
_NOT_COMMITS = ("S3", "ECR")


def _summary_label(event: Raw) -> str:
    """A source action's summary is the commit message; any other is the action's own."""
    source = text(dig(event, "detail.type.category")) == "Source"
    return (
        "Commit message"
        if source and dig(event, "detail.type.provider") not in _NOT_COMMITS
        else "Summary"
    )


def _codepipeline_links(event: Raw, region: str | None) -> list[Link]:
    found = [codepipeline_link(_pipeline(event) or "", region)]
    external = text(dig(event, "detail.execution-result.external-execution-url"))
    if external and external.startswith("https://"):
        found.append(Link(label="Details", url=external))
    return found


def _codepipeline(detail_type: str, subject: Getter) -> KindSpec:
    return KindSpec(
        kind=Kind.CODEPIPELINE,
        title="CodePipeline",
        detail_types=(detail_type,),
        name=_pipeline,
        key=_execution_key,
        series=_pipeline,
        subject=subject,
        status=detail("state"),
        reason=either(
            detail("execution-result.external-execution-summary"),
            lambda event: dig(event, "additionalAttributes.additionalInformation"),
            _failed_actions,
        ),
        reason_label=_summary_label,
        facts=_codepipeline_facts,
        links=_codepipeline_links,
    )


CODEPIPELINE_EXECUTION = _codepipeline("CodePipeline Pipeline Execution State Change", nothing)
CODEPIPELINE_STAGE = _codepipeline(
    "CodePipeline Stage Execution State Change",
    lambda event: f"stage {text(dig(event, 'detail.stage')) or '?'}",
)
CODEPIPELINE_ACTION = _codepipeline(
    "CodePipeline Action Execution State Change",
    lambda event: (
        f"action {text(dig(event, 'detail.stage')) or '?'} › "
        f"{text(dig(event, 'detail.action')) or '?'}"
    ),
)

# --- CodeBuild: one root message per build; phase changes thread on it.


def _failed_phase(event: Raw) -> str | None:
    phases = dig(event, "detail.additional-information.phases")
    for phase in phases if isinstance(phases, list) else []:
        if isinstance(phase, dict) and phase.get("phase-status") not in (None, "SUCCEEDED"):
            context = [str(item) for item in phase.get("phase-context") or [] if item]
            head = f"{phase.get('phase-type', '?')} {phase.get('phase-status')}"
            return head + (": " + "; ".join(context) if context else "")
    return None


def _codebuild_links(event: Raw, region: str | None) -> list[Link]:
    project = text(dig(event, "detail.project-name")) or ""
    found = [codebuild_link(project, region)]
    deep_link = text(dig(event, "detail.additional-information.logs.deep-link"))
    if deep_link and deep_link.startswith("https://"):
        found.append(Link(label="Build logs", url=deep_link))
    return found


def _codebuild(detail_type: str, status: Getter, subject: Getter) -> KindSpec:
    return KindSpec(
        kind=Kind.CODEBUILD,
        title="CodeBuild",
        detail_types=(detail_type,),
        name=either(detail("project-name"), first_resource_tail),
        key=either(detail("build-id"), first_resource_tail),
        series=either(detail("project-name"), first_resource_tail),
        subject=subject,
        status=status,
        reason=_failed_phase,
        reason_label=lambda event: "Failed phase",
        started=detail("additional-information.build-start-time"),
        facts=lambda event: labelled(
            ("Compute", dig(event, "detail.additional-information.environment.compute-type")),
            ("Current phase", dig(event, "detail.current-phase")),
            (INITIATOR, dig(event, "detail.additional-information.initiator")),
            ("Source", dig(event, "detail.additional-information.source.location")),
        ),
        links=_codebuild_links,
    )


CODEBUILD_STATE = _codebuild("CodeBuild Build State Change", detail("build-status"), nothing)
CODEBUILD_PHASE = _codebuild(
    "CodeBuild Build Phase Change",
    detail("completed-phase-status", "completed-phase"),
    lambda event: f"phase {text(dig(event, 'detail.completed-phase')) or '?'}",
)

# --- Step Functions: one root message per execution.


def _sfn_name(event: Raw) -> str | None:
    machine = arn_tail(dig(event, "detail.stateMachineArn"))
    execution = text(dig(event, "detail.name"))
    if machine and execution:
        return f"{machine}/{execution}"
    return execution or machine or first_resource_tail(event)


def _sfn_reason(event: Raw) -> str | None:
    error, cause = text(dig(event, "detail.error")), text(dig(event, "detail.cause"))
    return ": ".join(part for part in (error, cause) if part) or None


STEPFUNCTIONS = KindSpec(
    kind=Kind.STEPFUNCTIONS,
    title="Step Functions",
    detail_types=("Step Functions Execution Status Change",),
    name=_sfn_name,
    key=either(detail("executionArn"), _sfn_name),
    series=lambda event: arn_tail(dig(event, "detail.stateMachineArn")),
    status=detail("status"),
    reason=_sfn_reason,
    started=detail("startDate"),
    ended=detail("stopDate"),
    links=lambda event, region: [
        stepfunctions_link(text(dig(event, "detail.executionArn")) or "", region)
    ],
)
