"""The one normalized event every later stage sees, whatever envelope it came in."""

from __future__ import annotations

import hashlib
from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.core.approvals import ApprovalAsk


class Kind(StrEnum):
    TRAINING_JOB = "training_job"
    TUNING_JOB = "tuning_job"
    PROCESSING_JOB = "processing_job"
    TRANSFORM_JOB = "transform_job"
    LABELING_JOB = "labeling_job"
    ENDPOINT = "endpoint"
    PIPELINE_EXECUTION = "pipeline_execution"
    MODEL_PACKAGE = "model_package"
    MODEL_MONITOR = "model_monitor"
    CODEPIPELINE = "codepipeline"
    CODEBUILD = "codebuild"
    STEPFUNCTIONS = "stepfunctions"
    ALARM = "alarm"
    UNKNOWN = "unknown"


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


class Outcome(StrEnum):
    """What a status means, across the many spellings AWS services use."""

    SUCCEEDED = "succeeded"
    FAILED = "failed"
    DEGRADED = "degraded"  # violations found, rolling back, insufficient data
    RUNNING = "running"
    STOPPED = "stopped"
    UNKNOWN = "unknown"


# Whose time an event's `time` is: the event's own, the SNS envelope's (a text message has
# no time of its own), or mlpulse's when it received it (the event's was missing or unreadable).
TimeSource = Literal["event", "sent", "received"]


class Fact(BaseModel):
    """One labelled figure shown with an alert (`Instances: 3 x ml.c5.xlarge`)."""

    model_config = ConfigDict(frozen=True)
    label: str
    value: str
    long: bool = False  # multi-line values get a section of their own, not a field


class Link(BaseModel):
    model_config = ConfigDict(frozen=True)
    label: str
    url: str


class FailedPart(BaseModel):
    """The most specific failed part of a resource seen so far (a CodePipeline action, a
    SageMaker Pipelines step, a CodeBuild phase): what a root message keeps of it while it
    shows the whole's state (bot.delivery.root_state decides and draws it)."""

    model_config = ConfigDict(frozen=True)
    subject: str
    depth: int  # how deep inside the resource: 1 a stage, step or phase, 2 an action in a stage
    time: datetime
    reason: str | None = None
    facts: tuple[Fact, ...] = ()
    links: tuple[Link, ...] = ()


_TUNING_KEY = f"{Kind.TUNING_JOB}:"  # how a tuning job's key starts


class Event(BaseModel):
    """A normalized platform event.

    `key` names the resource the event is about (one Slack root message per key);
    `subject` names a part of it (a pipeline stage, a build phase) when the event is
    about that part rather than the whole.
    """

    model_config = ConfigDict(frozen=True)

    id: str
    kind: Kind
    key: str
    name: str
    series: str | None = None  # what a later run recovers: a pipeline, not one execution
    title: str
    status: str
    outcome: Outcome
    time: datetime
    time_known: bool = True
    time_source: TimeSource = "event"
    previous_status: str | None = None
    subject: str | None = None
    reason: str | None = None
    reason_label: str = "Reason"  # "Message" for a text notification shown as it came
    account: str | None = None
    region: str | None = None
    source: str | None = None
    detail_type: str | None = None
    started: datetime | None = None
    ended: datetime | None = None
    facts: tuple[Fact, ...] = ()
    links: tuple[Link, ...] = ()
    tags: dict[str, str] = Field(default_factory=dict)
    envelope: str = "eventbridge"
    failed_part: FailedPart | None = None  # on a root's state only (bot.delivery.root_state)
    approval: ApprovalAsk | None = None  # a decision it asks for (bot.core.approvals)

    def fact(self, label: str) -> str | None:
        """The value of the first fact labelled `label`, if the event has one."""
        return next((fact.value for fact in self.facts if fact.label == label), None)

    @property
    def is_trial(self) -> bool:
        """One training job of a tuning job's search, keyed as the tuning job it belongs to
        (bot.kinds.trials finds them)."""
        return self.kind is Kind.TRAINING_JOB and self.key.startswith(_TUNING_KEY)

    @property
    def duration_seconds(self) -> float | None:
        if self.started is None:
            return None
        end = self.ended
        if end is None:
            return None
        seconds = (end - self.started).total_seconds()
        return seconds if seconds >= 0 else None

    @property
    def dedup_ids(self) -> tuple[str, ...]:
        """Keys under which a redelivery of this event is recognised.

        The delivery id alone is not enough: AWS's published samples reuse ids across
        different events, and SageMaker sometimes sends one state change twice under two
        ids, which the (resource, part, status, time) key catches. An event with no time
        of its own carries its receive time, which differs between redeliveries, so it is
        left out.
        """
        when = self.time.isoformat() if self.time_known else "-"
        content = f"{self.kind}|{self.key}|{self.subject}|{self.status}|{when}"
        fingerprint = hashlib.sha256(content.encode()).hexdigest()[:16]
        ids = [f"id:{self.id}:{fingerprint}"]
        if self.time_known:
            ids.append(f"state:{fingerprint}")
        return tuple(ids)
