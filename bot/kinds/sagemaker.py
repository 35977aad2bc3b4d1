"""SageMaker jobs (their specs built from the job-kind table, bot.kinds.jobs), endpoints,
pipelines and model packages."""

from __future__ import annotations

from typing import Any

from bot.core.events import Fact, Kind, Link
from bot.kinds import jobs, trials
from bot.kinds.jobs import JobKind
from bot.kinds.links import (
    endpoint_links,
    job_links,
    model_registry_link,
    sagemaker_pipeline_link,
)
from bot.kinds.paths import (
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


def _failure_reason(event: Raw) -> str:
    """SageMaker's `FailureReason`, on an event whose status is not a failure one."""
    return "Failure reason"


def _job(kind: JobKind) -> KindSpec:
    """A job kind's alerts, from its row in the job-kind table (bot.kinds.jobs)."""
    resources, phase = kind.resources, kind.phase
    name = either(detail(f"{kind.prefix}Name"), first_resource_tail)
    return KindSpec(
        kind=kind.event_kind,
        title=kind.title,
        detail_types=(kind.detail_type,),
        name=name,
        status=detail(f"{kind.prefix}Status"),
        reason=detail("FailureReason"),
        reason_label=_failure_reason,
        started=detail(f"{phase}StartTime", "CreationTime") if phase else detail("CreationTime"),
        ended=detail(f"{phase}EndTime") if phase else nothing,
        instance_type=detail(f"{resources}.InstanceType") if resources else nothing,
        instance_count=detail(f"{resources}.InstanceCount") if resources else nothing,
        facts=kind.event_facts,
        links=lambda event, region: job_links(kind, text(name(event)) or "", region),
    )


TRAINING = _job(jobs.TRAINING)
TRIAL = trials.trial_spec(TRAINING)  # a training job a tuning job launched
TUNING = trials.tuning_spec(_job(jobs.TUNING))
PROCESSING = _job(jobs.PROCESSING)
TRANSFORM = _job(jobs.TRANSFORM)
LABELING = _job(jobs.LABELING)


def _endpoint_facts(event: Raw) -> list[Fact]:
    body = event.get("detail") or {}
    found = labelled(("Config", body.get("EndpointConfigName")))
    lines = _variant_lines(body.get("ProductionVariants"))
    pending = body.get("PendingDeploymentSummary")
    if isinstance(pending, dict):
        lines.append(f"deploying config {pending.get('EndpointConfigName', '?')}:")
        lines += ["  " + line for line in _variant_lines(pending.get("ProductionVariants"))]
    if lines:
        found.append(Fact(label="Variants", value="\n".join(lines), long=True))
    return found


def _variant_lines(variants: Any) -> list[str]:
    lines = []
    for variant in variants if isinstance(variants, list) else []:
        if not isinstance(variant, dict):
            continue
        current = text(variant.get("CurrentInstanceCount"))
        desired = text(variant.get("DesiredInstanceCount"))
        count = f"{current}/{desired}" if current and desired else (desired or current or "?")
        plural = "" if count == "1" else "s"
        line = f"{variant.get('VariantName', 'variant')}: {count} instance{plural}"
        weight = text(variant.get("CurrentWeight") or variant.get("DesiredWeight"))
        lines.append(line + (f", weight {weight}" if weight else ""))
        for status in variant.get("VariantStatus") or []:
            if isinstance(status, dict):
                lines.append(f"  {status.get('Status', '?')}: {status.get('StatusMessage', '')}")
    return lines


def _endpoint_links(event: Raw, region: str | None) -> list[Link]:
    name = text(dig(event, "detail.EndpointName")) or first_resource_tail(event) or ""
    return endpoint_links(name, region)


ENDPOINT = KindSpec(
    kind=Kind.ENDPOINT,
    title="Endpoint",
    detail_types=("SageMaker Endpoint State Change", "SageMaker Endpoint Deployment State Change"),
    name=either(detail("EndpointName"), first_resource_tail),
    status=detail("EndpointStatus"),
    reason=detail("FailureReason"),
    reason_label=_failure_reason,
    facts=_endpoint_facts,
    links=_endpoint_links,
)


def _pipeline_name(event: Raw) -> str | None:
    return arn_tail(dig(event, "detail.pipelineArn")) or first_resource_tail(event)


def _execution_arn(event: Raw) -> str | None:
    """`arn:...:pipeline/<name>/execution/<id>`: in the detail, else among the resources."""
    arn = text(dig(event, "detail.pipelineExecutionArn"))
    resources = event.get("resources")
    for candidate in resources if not arn and isinstance(resources, list) else []:
        if isinstance(candidate, str) and "/execution/" in candidate:
            return candidate
    return arn


def _execution(event: Raw) -> str | None:
    """The execution's id, which its ARN ends with, and its display name when it has one
    of its own: `nightly-run (a1b2c3d4e6f7)`."""
    execution_id = arn_tail(_execution_arn(event))
    shown = text(dig(event, "detail.pipelineExecutionDisplayName"))
    if shown and execution_id and shown != execution_id:
        return f"{shown} ({execution_id})"
    return shown or execution_id


def _pipeline_links(event: Raw, region: str | None) -> list[Link]:
    name = _pipeline_name(event)
    return [sagemaker_pipeline_link(name, region)] if name else []


def _step_facts(event: Raw) -> list[Fact]:
    metadata = dig(event, "detail.metadata")
    jobs = [
        f"{kind}: {arn_tail(value.get('arn')) or '?'}"
        for kind, value in (metadata.items() if isinstance(metadata, dict) else [])
        if isinstance(value, dict)
    ]
    return labelled(("Step type", dig(event, "detail.stepType")), ("Runs", ", ".join(jobs)))


_PIPELINE_COMMON: dict[str, Any] = {
    "kind": Kind.PIPELINE_EXECUTION,
    "title": "SageMaker pipeline",
    "name": _pipeline_name,
    "key": either(_execution_arn, _pipeline_name),
    "series": _pipeline_name,
    "reason": detail("failureReason", "FailureReason"),
    "reason_label": _failure_reason,
    "links": _pipeline_links,
}
PIPELINE_EXECUTION = KindSpec(
    **_PIPELINE_COMMON,
    detail_types=("SageMaker Model Building Pipeline Execution Status Change",),
    status=detail("currentPipelineExecutionStatus"),
    previous_status=detail("previousPipelineExecutionStatus"),
    started=detail("executionStartTime"),
    ended=detail("executionEndTime"),
    facts=lambda event: labelled(
        ("Execution", _execution(event)),
        ("Description", dig(event, "detail.pipelineExecutionDescription")),
    ),
)
PIPELINE_STEP = KindSpec(
    **_PIPELINE_COMMON,
    detail_types=("SageMaker Model Building Pipeline Execution Step Status Change",),
    subject=lambda event: f"step {text(dig(event, 'detail.stepName')) or '?'}",
    status=detail("currentStepStatus"),
    previous_status=detail("previousStepStatus"),
    started=detail("stepStartTime"),
    ended=detail("stepEndTime"),
    facts=_step_facts,
)


def _package_name(event: Raw) -> str | None:
    group = text(dig(event, "detail.ModelPackageGroupName"))
    version = text(dig(event, "detail.ModelPackageVersion"))
    if group:
        return f"{group} v{version}" if version else group
    return first_resource_tail(event)


MODEL_PACKAGE = KindSpec(
    kind=Kind.MODEL_PACKAGE,
    title="Model package",
    detail_types=("SageMaker Model Package State Change",),
    name=_package_name,
    key=either(detail("ModelPackageArn"), _package_name),
    status=detail("ModelApprovalStatus", "ModelPackageStatus"),
    facts=lambda event: labelled(
        ("Package status", dig(event, "detail.ModelPackageStatus")),
        ("Generated by", arn_tail(dig(event, "detail.MetadataProperties.GeneratedBy"))),
        ("Description", dig(event, "detail.ModelPackageDescription")),
    ),
    links=lambda event, region: [model_registry_link(region)],
)
