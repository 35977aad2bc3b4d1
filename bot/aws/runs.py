"""A pipeline's recent runs, the same whether CodePipeline or SageMaker Pipelines ran
them: the `pipeline` command draws this and nothing service-specific."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.core.events import Link, Outcome
from bot.core.outcomes import outcome_of

LAST_RUNS = 5


@dataclass(frozen=True)
class Step:
    """A CodePipeline stage or action, or a SageMaker Pipelines step."""

    name: str
    status: str
    detail: str | None = None  # why it failed, or what it ran


@dataclass(frozen=True)
class Run:
    id: str
    status: str
    started: datetime | None = None
    ended: datetime | None = None
    trigger: str | None = None  # who or what started it
    revision: str | None = None  # the source commit, for CodePipeline
    failure: str | None = None

    @property
    def failed(self) -> bool:
        return outcome_of(self.status) == Outcome.FAILED


@dataclass
class PipelineReport:
    service: str  # `CodePipeline`, `SageMaker Pipelines`
    name: str
    runs: list[Run]
    steps: list[Step] = field(default_factory=list)  # of the latest run
    failed_run: Run | None = None  # the most recent failed run
    failed_steps: list[Step] = field(default_factory=list)  # where it failed
    links: list[Link] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # parts we could not read, and why

    def last_failed(self) -> Run | None:
        return next((run for run in self.runs if run.failed), None)
