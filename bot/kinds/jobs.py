"""The five SageMaker job kinds, as one table that both the alerts (bot.kinds.sagemaker builds
their KindSpecs from it) and the commands (bot.aws.sagemaker_jobs, commands/job.py) read:
their API names, event, fields, console page, logs and figures.

They differ only in a prefix (`TrainingJob`, `ProcessingJob` ...), where their times and
instances live, and where they log; `Job` reads any of them, from a list summary or a
Describe answer alike.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.core.errors import InputError
from bot.core.events import Kind
from bot.core.outcomes import status_word
from bot.core.timeparse import utc
from bot.kinds import job_facts
from bot.kinds.paths import Raw, dig, number, text
from bot.kinds.spec import FactsFn

DescribeFactsFn = Callable[[Raw], list[tuple[str, Any]]]


@dataclass(frozen=True)
class JobKind:
    key: str  # what `--kind` takes
    event_kind: Kind  # the kind of its events
    title: str
    prefix: str  # `TrainingJob`: TrainingJobName, TrainingJobStatus, describe_training_job
    detail_type: str  # its EventBridge state-change event
    summaries: str  # the list answer's key
    phase: str | None  # `Training`: TrainingStartTime, TrainingEndTime
    resources: str | None  # where InstanceType and InstanceCount are
    console: str  # page under the SageMaker console's #/
    log_group: str | None
    event_facts: FactsFn  # an alert's figures, from the state-change event
    describe_facts: DescribeFactsFn  # the `job` command's figures, from a Describe answer
    log_stream: str = "{name}/"  # the start of the job's stream names in log_group

    @property
    def snake(self) -> str:
        return re.sub(r"(?<!^)(?=[A-Z])", "_", self.prefix).lower()

    @property
    def describe(self) -> str:
        return f"describe_{self.snake}"

    @property
    def listing(self) -> str:
        return f"list_{self.snake}s"

    def log_prefix(self, name: str) -> str:
        """The start of the names of the job's log streams: `<job>/` where a job writes one
        stream per instance, the name itself where it writes one stream of that name."""
        return self.log_stream.format(name=name)


TRAINING = JobKind(
    key="training",
    event_kind=Kind.TRAINING_JOB,
    title="Training job",
    prefix="TrainingJob",
    detail_type="SageMaker Training Job State Change",
    summaries="TrainingJobSummaries",
    phase="Training",
    resources="ResourceConfig",
    console="jobs",
    log_group="/aws/sagemaker/TrainingJobs",  # streams <job>/algo-<n>-<epoch>
    event_facts=job_facts.training_event,
    describe_facts=job_facts.training_describe,
)
TUNING = JobKind(
    key="tuning",
    event_kind=Kind.TUNING_JOB,
    title="Tuning job",
    prefix="HyperParameterTuningJob",
    detail_type="SageMaker HyperParameter Tuning Job State Change",
    summaries="HyperParameterTuningJobSummaries",
    phase="HyperParameterTuning",
    resources="TrainingJobDefinition.ResourceConfig",
    console="hyper-tuning-jobs",
    log_group=None,  # its training jobs log, each under its own name
    event_facts=job_facts.tuning_event,
    describe_facts=job_facts.tuning_describe,
)
PROCESSING = JobKind(
    key="processing",
    event_kind=Kind.PROCESSING_JOB,
    title="Processing job",
    prefix="ProcessingJob",
    detail_type="SageMaker Processing Job State Change",
    summaries="ProcessingJobSummaries",
    phase="Processing",
    resources="ProcessingResources.ClusterConfig",
    console="processing-jobs",
    log_group="/aws/sagemaker/ProcessingJobs",  # streams <job>/<host>-<epoch>
    event_facts=job_facts.processing_event,
    describe_facts=job_facts.processing_describe,
)
TRANSFORM = JobKind(
    key="transform",
    event_kind=Kind.TRANSFORM_JOB,
    title="Transform job",
    prefix="TransformJob",
    detail_type="SageMaker Transform Job State Change",
    summaries="TransformJobSummaries",
    phase="Transform",
    resources="TransformResources",
    console="transform-jobs",
    log_group="/aws/sagemaker/TransformJobs",  # streams <job>/<instance>-<epoch>
    event_facts=job_facts.transform_event,
    describe_facts=job_facts.transform_describe,
)
LABELING = JobKind(
    key="labeling",
    event_kind=Kind.LABELING_JOB,
    title="Labeling job",
    prefix="LabelingJob",
    detail_type="SageMaker Ground Truth Labeling Job State Change",
    summaries="LabelingJobSummaryList",
    phase=None,  # DescribeLabelingJob has no start or end time of its own
    resources=None,  # Ground Truth's workers are people and its own fleet
    console="labeling-jobs",
    # SageMaker's "CloudWatch Logs for Amazon SageMaker AI": one stream, named as the job.
    log_group="/aws/sagemaker/LabelingJobs",
    log_stream="{name}",
    event_facts=job_facts.labeling_event,
    describe_facts=job_facts.labeling_describe,
)

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
    found = _STATUSES.get(status_word(word))
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
