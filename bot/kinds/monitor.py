"""Model Monitor executions. There is no event of their own: each execution is a processing
job that Model Monitor starts, recognisable by the environment it sets
(`sagemaker_monitoring_schedule_name`), the `MonitoringScheduleArn` DescribeProcessingJob
adds, or its analyzer image. Violations show only in the job's ExitMessage
(`CompletedWithViolations: Job completed successfully with 3 violations.`)."""

from __future__ import annotations

from bot.core.events import Fact, Kind, Link
from bot.kinds.jobs import PROCESSING
from bot.kinds.links import job_links
from bot.kinds.paths import Raw, arn_tail, detail, dig, either, first_resource_tail, text
from bot.kinds.spec import KindSpec, labelled

_MONITOR_IMAGES = ("sagemaker-model-monitor-analyzer", "sagemaker-clarify-processing")
_VIOLATIONS = "CompletedWithViolations"


def is_monitoring_execution(event: Raw) -> bool:
    body = event.get("detail")
    if not isinstance(body, dict):
        return False
    if dig(body, "Environment.sagemaker_monitoring_schedule_name") or body.get(
        "MonitoringScheduleArn"
    ):
        return True
    image = text(dig(body, "AppSpecification.ImageUri")) or ""
    return any(name in image for name in _MONITOR_IMAGES)


def _schedule(event: Raw) -> str | None:
    return text(dig(event, "detail.Environment.sagemaker_monitoring_schedule_name")) or arn_tail(
        dig(event, "detail.MonitoringScheduleArn")
    )


def _status(event: Raw) -> str | None:
    body = event.get("detail") or {}
    status = text(body.get("ProcessingJobStatus"))
    exit_message = text(body.get("ExitMessage")) or ""
    if status == "Completed" and exit_message.startswith(_VIOLATIONS):
        return _VIOLATIONS
    return status or text(body.get("MonitoringScheduleStatus"))


def _monitor_type(event: Raw) -> str | None:
    """Model Monitor's own words for the four kinds of monitor, guessed from the job."""
    body = event.get("detail") or {}
    declared = text(dig(body, "MonitoringType") or dig(body, "Environment.monitoring_type"))
    if declared:
        return declared
    image = text(dig(body, "AppSpecification.ImageUri")) or ""
    if "clarify" in image:
        return "ModelBias or ModelExplainability"
    if dig(body, "Environment.problem_type"):
        return "ModelQuality"
    if "model-monitor-analyzer" in image:
        return "DataQuality"
    return None


def _facts(event: Raw) -> list[Fact]:
    pairs = (
        ("Monitor", _monitor_type(event)),
        ("Endpoint", dig(event, "detail.Environment.sagemaker_endpoint_name")),
        ("Execution", dig(event, "detail.ProcessingJobName")),
        ("Report", _report_location(event)),
    )
    return labelled(*pairs)


def _report_location(event: Raw) -> str | None:
    """Where the execution wrote its report: the S3 output of its processing job (the
    environment's `output_path` is the container's own path, unless it is an S3 URI)."""
    outputs = dig(event, "detail.ProcessingOutputConfig.Outputs")
    for output in outputs if isinstance(outputs, list) else []:
        uri = text(dig(output, "S3Output.S3Uri")) if isinstance(output, dict) else None
        if uri and uri.startswith("s3://"):
            return uri
    path = text(dig(event, "detail.Environment.output_path"))
    return path if path and path.startswith("s3://") else None


def _links(event: Raw, region: str | None) -> list[Link]:
    """The execution's processing job: its console page, and its logs once it is named."""
    job = text(dig(event, "detail.ProcessingJobName")) or ""
    found = job_links(PROCESSING, job, region)
    return found if job else found[:1]


MODEL_MONITOR = KindSpec(
    kind=Kind.MODEL_MONITOR,
    title="Model Monitor",
    detail_types=(
        "SageMaker Processing Job State Change",
        "SageMaker Monitoring Schedule State Change",
    ),
    name=either(_schedule, detail("MonitoringScheduleName"), first_resource_tail),
    status=_status,
    reason=detail("FailureReason", "ExitMessage"),
    reason_label=lambda event: "Exit message",
    started=detail("ProcessingStartTime", "CreationTime"),
    ended=detail("ProcessingEndTime"),
    instance_type=detail("ProcessingResources.ClusterConfig.InstanceType"),
    instance_count=detail("ProcessingResources.ClusterConfig.InstanceCount"),
    facts=_facts,
    links=_links,
)
