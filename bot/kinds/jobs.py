"""The five SageMaker job kinds as data: their API names, fields, console page and logs.

They differ only in a prefix (`TrainingJob`, `ProcessingJob` ...), where their times and
instances live, and where they log; `Job` reads any of them, from a list summary or a
Describe answer alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.core.errors import InputError
from bot.core.timeparse import utc
from bot.kinds.paths import dig, number, text


@dataclass(frozen=True)
class JobKind:
    key: str  # what `--kind` takes
    title: str
    prefix: str  # `TrainingJob`: TrainingJobName, TrainingJobStatus, describe_training_job
    summaries: str  # the list answer's key
    phase: str | None  # `Training`: TrainingStartTime, TrainingEndTime
    resources: str | None  # where InstanceType and InstanceCount are
    console: str  # page under the SageMaker console's #/
    log_group: str | None

    @property
    def snake(self) -> str:
        return re.sub(r"(?<!^)(?=[A-Z])", "_", self.prefix).lower()

    @property
    def describe(self) -> str:
        return f"describe_{self.snake}"

    @property
    def listing(self) -> str:
        return f"list_{self.snake}s"


TRAINING = JobKind(
    "training", "Training job", "TrainingJob", "TrainingJobSummaries", "Training",
    "ResourceConfig", "jobs", "/aws/sagemaker/TrainingJobs",
)  # fmt: skip
TUNING = JobKind(
    "tuning", "Tuning job", "HyperParameterTuningJob", "HyperParameterTuningJobSummaries",
    "HyperParameterTuning", "TrainingJobDefinition.ResourceConfig", "hyper-tuning-jobs", None,
)  # fmt: skip
PROCESSING = JobKind(
    "processing", "Processing job", "ProcessingJob", "ProcessingJobSummaries", "Processing",
    "ProcessingResources.ClusterConfig", "processing-jobs", "/aws/sagemaker/ProcessingJobs",
)  # fmt: skip
TRANSFORM = JobKind(
    "transform", "Transform job", "TransformJob", "TransformJobSummaries", "Transform",
    "TransformResources", "transform-jobs", "/aws/sagemaker/TransformJobs",
)  # fmt: skip
LABELING = JobKind(
    "labeling", "Labeling job", "LabelingJob", "LabelingJobSummaryList", None,
    None, "labeling-jobs", "/aws/sagemaker/LabelingJobs",
)  # fmt: skip

# Search order for a bare name: the kinds people ask about most first.
KINDS = (TRAINING, PROCESSING, TRANSFORM, TUNING, LABELING)
_ALIASES = {"hpo": TUNING, "hyperparameter": TUNING, "batch": TRANSFORM, "ground-truth": LABELING}
# Accepted `--status` spellings -> the SageMaker StatusEquals value.
_STATUSES = {
    "inprogress": "InProgress",
    "running": "InProgress",
    "completed": "Completed",
    "succeeded": "Completed",
    "failed": "Failed",
    "stopping": "Stopping",
    "stopped": "Stopped",
}


def kinds_named(word: str | None) -> tuple[JobKind, ...]:
    """`--kind training` (or `training_job`, `hpo` ...) -> the kinds to look in."""
    if not word:
        return KINDS
    key = word.lower().removesuffix("_job").removesuffix("-job")
    for kind in KINDS:
        if kind.key == key:
            return (kind,)
    if key in _ALIASES:
        return (_ALIASES[key],)
    known = ", ".join(kind.key for kind in KINDS)
    raise InputError(f"unknown job kind `{word[:40]}`; kinds: {known}")


def status_named(word: str | None) -> str | None:
    """`--status failed` -> `Failed`."""
    if not word:
        return None
    found = _STATUSES.get(re.sub(r"[^a-z]", "", word.lower()))
    if found is None:
        known = ", ".join(sorted(set(_STATUSES.values())))
        raise InputError(f"unknown job status `{word[:40]}`; statuses: {known}")
    return found


@dataclass(frozen=True)
class Job:
    kind: JobKind
    raw: dict[str, Any]

    def field(self, suffix: str) -> Any:
        return self.raw.get(f"{self.kind.prefix}{suffix}")

    @property
    def name(self) -> str:
        return text(self.field("Name")) or "?"

    @property
    def status(self) -> str:
        return text(self.field("Status")) or "Unknown"

    @property
    def created(self) -> datetime | None:
        return utc(self.raw.get("CreationTime"))

    @property
    def started(self) -> datetime | None:
        phase = self.kind.phase
        return utc(self.raw.get(f"{phase}StartTime")) if phase else None

    @property
    def ended(self) -> datetime | None:
        phase = self.kind.phase
        return utc(self.raw.get(f"{phase}EndTime")) if phase else None

    @property
    def modified(self) -> datetime | None:
        return utc(self.raw.get("LastModifiedTime"))

    @property
    def failure(self) -> str | None:
        return text(self.raw.get("FailureReason"))

    @property
    def instances(self) -> str | None:
        """`2 × ml.m5.xlarge`."""
        if not self.kind.resources:
            return None
        kind = text(dig(self.raw, f"{self.kind.resources}.InstanceType"))
        count = number(dig(self.raw, f"{self.kind.resources}.InstanceCount"))
        if not kind:
            return None
        return f"{count:.0f} × {kind}" if count is not None else kind

    @property
    def instance_count(self) -> int:
        count = (
            number(dig(self.raw, f"{self.kind.resources}.InstanceCount"))
            if self.kind.resources
            else None
        )
        return int(count) if count else 1
