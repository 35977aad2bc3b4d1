"""SageMaker jobs, endpoints, pipelines, model packages and Model Monitor executions."""

from __future__ import annotations

from typing import Any

from bot.core.events import Fact, Kind, Link
from bot.kinds.paths import (
    Raw,
    arn_tail,
    detail,
    dig,
    either,
    first_resource_tail,
    nothing,
    number,
    text,
)
from bot.kinds.spec import FactsFn, KindSpec, console_link, labelled, log_link, no_facts

_CONSOLE = "sagemaker/home?region={region}#/"


def _job(
    kind: Kind,
    title: str,
    job: str,
    phase: str,
    *,
    detail_type: str,
    resources: str | None,
    console: str,
    log_group: str | None = None,
    facts: FactsFn = no_facts,
) -> KindSpec:
    """One SageMaker job kind: they differ only in field prefixes, console page and logs."""

    def links(event: Raw, region: str | None) -> list[Link]:
        name = text(dig(event, f"detail.{job}Name")) or first_resource_tail(event) or ""
        found = [console_link(_CONSOLE + console + "/{name}", region, name=name)]
        if log_group:
            found.append(log_link(region, log_group, f"{name}/"))
        return found

    return KindSpec(
        kind=kind,
        title=title,
        detail_types=(detail_type,),
        name=either(detail(f"{job}Name"), first_resource_tail),
        status=detail(f"{job}Status"),
        reason=detail("FailureReason"),
        started=detail(f"{phase}StartTime", "CreationTime"),
        ended=detail(f"{phase}EndTime"),
        instance_type=detail(f"{resources}.InstanceType") if resources else nothing,
        instance_count=detail(f"{resources}.InstanceCount") if resources else nothing,
        facts=facts,
        links=links,
    )


def _training_facts(event: Raw) -> list[Fact]:
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


def _tuning_facts(event: Raw) -> list[Fact]:
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
    if isinstance(best, dict):
        metric = best.get("FinalHyperParameterTuningJobObjectiveMetric") or {}
        value = number(metric.get("Value")) if isinstance(metric, dict) else None
        score = f" ({metric.get('MetricName')} = {value:.6g})" if value is not None else ""
        found += labelled(("Best job", f"{best.get('TrainingJobName', '?')}{score}"))
    return found


def _processing_facts(event: Raw) -> list[Fact]:
    body = event.get("detail") or {}
    exit_message = body.get("ExitMessage")
    if exit_message and exit_message != body.get("FailureReason"):
        return labelled(("Exit message", exit_message))
    return []


TRAINING = _job(
    Kind.TRAINING_JOB,
    "Training job",
    "TrainingJob",
    "Training",
    detail_type="SageMaker Training Job State Change",
    resources="ResourceConfig",
    console="jobs",
    log_group="/aws/sagemaker/TrainingJobs",
    facts=_training_facts,
)
TUNING = _job(
    Kind.TUNING_JOB,
    "Tuning job",
    "HyperParameterTuningJob",
    "HyperParameterTuning",
    detail_type="SageMaker HyperParameter Tuning Job State Change",
    resources="TrainingJobDefinition.ResourceConfig",
    console="hyper-tuning-jobs",
    facts=_tuning_facts,
)
PROCESSING = _job(
    Kind.PROCESSING_JOB,
    "Processing job",
    "ProcessingJob",
    "Processing",
    detail_type="SageMaker Processing Job State Change",
    resources="ProcessingResources.ClusterConfig",
    console="processing-jobs",
    log_group="/aws/sagemaker/ProcessingJobs",
    facts=_processing_facts,
)
TRANSFORM = _job(
    Kind.TRANSFORM_JOB,
    "Transform job",
    "TransformJob",
    "Transform",
    detail_type="SageMaker Transform Job State Change",
    resources="TransformResources",
    console="transform-jobs",
    log_group="/aws/sagemaker/TransformJobs",
    facts=lambda event: labelled(("Model", dig(event, "detail.ModelName"))),
)
LABELING = _job(
    Kind.LABELING_JOB,
    "Labeling job",
    "LabelingJob",
    "Labeling",
    detail_type="SageMaker Ground Truth Labeling Job State Change",
    resources=None,
    console="labeling-jobs",
    facts=lambda event: labelled(("Labeled", dig(event, "detail.LabelCounters.TotalLabeled"))),
)


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
    return [
        console_link(_CONSOLE + "endpoints/{name}", region, name=name),
        log_link(region, f"/aws/sagemaker/Endpoints/{name}", ""),
    ]


ENDPOINT = KindSpec(
    kind=Kind.ENDPOINT,
    title="Endpoint",
    detail_types=("SageMaker Endpoint State Change", "SageMaker Endpoint Deployment State Change"),
    name=either(detail("EndpointName"), first_resource_tail),
    status=detail("EndpointStatus"),
    reason=detail("FailureReason"),
    facts=_endpoint_facts,
    links=_endpoint_links,
)


def _pipeline_name(event: Raw) -> str | None:
    return arn_tail(dig(event, "detail.pipelineArn")) or first_resource_tail(event)


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
    "key": either(detail("pipelineExecutionArn"), _pipeline_name),
    "series": _pipeline_name,
    "reason": detail("failureReason", "FailureReason"),
}
PIPELINE_EXECUTION = KindSpec(
    **_PIPELINE_COMMON,
    detail_types=("SageMaker Model Building Pipeline Execution Status Change",),
    status=detail("currentPipelineExecutionStatus"),
    previous_status=detail("previousPipelineExecutionStatus"),
    started=detail("executionStartTime"),
    ended=detail("executionEndTime"),
    facts=lambda event: labelled(
        ("Execution", dig(event, "detail.pipelineExecutionDisplayName")),
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
    console="sagemaker/home?region={region}#/model-registry",
)
