"""The per-kind tables, the choice of one for a raw EventBridge-shaped event, and how each
kind's statuses are said in a headline."""

from __future__ import annotations

from collections.abc import Callable

from bot.core.events import Kind
from bot.core.outcomes import display_status
from bot.kinds import alarm, approvals, devtools, generic, monitor, sagemaker, trials
from bot.kinds.paths import Raw
from bot.kinds.spec import KindSpec

Predicate = Callable[[Raw], bool]


def _always(event: Raw) -> bool:
    return True


def _is_monitor_event(event: Raw) -> bool:
    schedule_event = event.get("detail-type") == "SageMaker Monitoring Schedule State Change"
    return schedule_event or monitor.is_monitoring_execution(event)


# Order matters only within one detail-type: a processing job that Model Monitor started
# is a monitor execution first, a training job that a tuning job launched is its trial,
# an action in category Approval asks for a decision.
_RULES: list[tuple[KindSpec, Predicate]] = [
    (monitor.MODEL_MONITOR, _is_monitor_event),
    (sagemaker.TRIAL, trials.is_trial_event),
    (sagemaker.TRAINING, _always),
    (sagemaker.TUNING, _always),
    (sagemaker.PROCESSING, _always),
    (sagemaker.TRANSFORM, _always),
    (sagemaker.LABELING, _always),
    (sagemaker.ENDPOINT, _always),
    (sagemaker.PIPELINE_EXECUTION, _always),
    (sagemaker.PIPELINE_STEP, _always),
    (approvals.MODEL_PACKAGE, _always),
    (devtools.CODEPIPELINE_EXECUTION, _always),
    (devtools.CODEPIPELINE_STAGE, _always),
    (approvals.CODEPIPELINE_APPROVAL, approvals.is_approval_action),
    (devtools.CODEPIPELINE_ACTION, _always),
    (devtools.CODEBUILD_STATE, _always),
    (devtools.CODEBUILD_PHASE, _always),
    (devtools.STEPFUNCTIONS, _always),
    (alarm.ALARM, _always),
]


def spec_for(event: Raw) -> KindSpec:
    detail_type = event.get("detail-type")
    for spec, matches in _RULES:
        if detail_type in spec.detail_types and matches(event):
            return spec
    return generic.UNKNOWN


_PHRASES = {
    spec.kind: spec.phrase
    for spec in (*(spec for spec, _ in _RULES), generic.UNKNOWN)
    if spec.phrase is not None
}


def status_phrase(kind: Kind, status: str, previous: str | None = None) -> str:
    """A status as a headline says it: `firing` for an alarm in ALARM, nothing for an
    event with no status of its own, else the status in words (`In service`)."""
    phrase = _PHRASES.get(kind)
    said = phrase(status, previous) if phrase else None
    return display_status(status) if said is None else said


__all__ = ["KindSpec", "spec_for", "status_phrase"]
