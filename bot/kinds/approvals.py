"""Events that ask a person to decide: a CodePipeline manual approval that started, and a
model package pending manual approval. Each is its kind's own table with what it asks
(`approval`: a bot.core.approvals.ApprovalAsk) added.

A CodePipeline approval arrives two ways: the EventBridge "CodePipeline Action Execution
State Change" of an action in category Approval (with the execution id, without the token),
and the notification CodePipeline publishes to the approval's SNS topic (with the token and
its expiry, without the execution), which bot.ingress.approval_shapes puts in the first's
shape under `detail.approval`. Both are parts of their pipeline execution, as its stages
and actions are: same key, same thread. bot.approvals.asking completes what each lacks.
"""

from __future__ import annotations

from dataclasses import replace

from bot.core.approvals import CODEPIPELINE_TIMEOUT, ApprovalAsk
from bot.core.events import Fact, Link
from bot.core.timeparse import parse_time
from bot.kinds import devtools, sagemaker
from bot.kinds.paths import Raw, arn_tail, dig, text
from bot.kinds.spec import labelled

PENDING = "PendingManualApproval"
DECIDED = ("Approved", "Rejected")
_SCHEMES = ("https://", "http://")  # an external link is the team's own: any web page


def is_approval_action(event: Raw) -> bool:
    return text(dig(event, "detail.type.category")) == "Approval"


def _approval_subject(event: Raw) -> str:
    stage = text(dig(event, "detail.stage")) or "?"
    return f"approval {stage} › {text(dig(event, 'detail.action')) or '?'}"


def _pipeline_ask(event: Raw) -> ApprovalAsk | None:
    """What a started approval action asks; once it has an outcome, which one it was."""
    pipeline = text(dig(event, "detail.pipeline"))
    if not pipeline:
        return None
    found = {
        "pipeline": pipeline,
        "stage": text(dig(event, "detail.stage")),
        "action": text(dig(event, "detail.action")),
        "token": text(dig(event, "detail.approval.token")),
        "execution": text(dig(event, "detail.execution-id")),
    }
    deadline = parse_time(dig(event, "detail.approval.expires"))
    started = parse_time(event.get("time"))
    if deadline is None and started is not None:
        deadline = started + CODEPIPELINE_TIMEOUT
    return ApprovalAsk(
        kind="codepipeline",
        subject=pipeline,
        target={name: value for name, value in found.items() if value},
        deadline=deadline,
        summary=text(dig(event, "detail.approval.customData")),
        review=_external_link(event),
        asking=text(dig(event, "detail.state")) == "STARTED",
    )


def _external_link(event: Raw) -> str | None:
    url = text(dig(event, "detail.approval.externalEntityLink"))
    return url if url and url.startswith(_SCHEMES) else None


def _approval_links(event: Raw, region: str | None) -> list[Link]:
    found = devtools.CODEPIPELINE_ACTION.links(event, region)
    for label, path in (
        ("Review", "detail.approval.externalEntityLink"),
        ("Approve in console", "detail.approval.approvalReviewLink"),
    ):
        url = text(dig(event, path))
        if url and url.startswith(_SCHEMES):
            found.append(Link(label=label, url=url))
    return found


CODEPIPELINE_APPROVAL = replace(
    devtools.CODEPIPELINE_ACTION,
    subject=_approval_subject,
    links=_approval_links,
    approval=_pipeline_ask,
)

# --- SageMaker Model Registry


def _generated_by(event: Raw) -> str | None:
    """`pipeline/execution` of the SageMaker pipeline execution that made the package."""
    arn = text(dig(event, "detail.MetadataProperties.GeneratedBy"))
    if not arn:
        return None
    parts = arn.rsplit(":", 1)[-1].split("/")
    if len(parts) == 4 and parts[0] == "pipeline" and parts[2] == "execution":
        return f"{parts[1]} / {parts[3]}"
    return arn_tail(arn)


def _package_facts(event: Raw) -> list[Fact]:
    """A package waiting for a decision says where it came from; any other, as before."""
    if text(dig(event, "detail.ModelApprovalStatus")) != PENDING:
        return sagemaker.MODEL_PACKAGE.facts(event)
    return labelled(
        ("Group", dig(event, "detail.ModelPackageGroupName")),
        ("Version", dig(event, "detail.ModelPackageVersion")),
        ("Pipeline execution", _generated_by(event)),
        ("Package status", dig(event, "detail.ModelPackageStatus")),
        ("Description", dig(event, "detail.ModelPackageDescription")),
    )


def _package_ask(event: Raw) -> ApprovalAsk | None:
    """What a package pending approval asks; once approved or rejected, which it was."""
    status = text(dig(event, "detail.ModelApprovalStatus"))
    if status not in (PENDING, *DECIDED):
        return None
    arn = text(dig(event, "detail.ModelPackageArn"))
    group = text(dig(event, "detail.ModelPackageGroupName"))
    if not arn or not group:
        return None
    found = {
        "arn": arn,
        "group": group,
        "version": text(dig(event, "detail.ModelPackageVersion")),
        "metrics": text(dig(event, "detail.ModelMetrics.ModelQuality.Statistics.S3Uri")),
    }
    return ApprovalAsk(
        kind="model_package",
        subject=group,
        target={name: value for name, value in found.items() if value},
        asking=status == PENDING,
    )


MODEL_PACKAGE = replace(sagemaker.MODEL_PACKAGE, facts=_package_facts, approval=_package_ask)
