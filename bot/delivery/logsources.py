"""Where the logs of a failed job or build are, from its alert's event alone. Pure.

SageMaker training, processing and transform jobs log to their kind's group, one stream per
instance under the job's name (the rows of bot.kinds.jobs); a trial is a training job like
any other. A CodeBuild build names its group and stream in its event
(`additional-information.logs`, kept as the alert's "Build logs" deep link); without it, a
build logs to `/aws/codebuild/<project>`, in a stream named by the build's id. A failed
CodePipeline action that ran a build names it (`Build`), and its tail goes under the
pipeline's alert.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from bot.core.events import Event, Kind, Link, Outcome
from bot.kinds.devtools import BUILD
from bot.kinds.jobs import PROCESSING, TRAINING, TRANSFORM, JobKind
from bot.kinds.links import log_link
from bot.kinds.trials import is_trial

_JOB_KINDS: dict[Kind, JobKind] = {k.event_kind: k for k in (TRAINING, PROCESSING, TRANSFORM)}
BUILD_LOGS = "Build logs"  # the label bot.kinds.devtools gives a build's deep link
_DEEP_LINK = re.compile(r"#logEvent:group=(?P<group>[^;]+);stream=(?P<stream>[^;&]+)$")


@dataclass(frozen=True)
class LogSource:
    noun: str  # `training job`, `build`
    name: str  # the job's or the project's name
    group: str
    prefix: str  # the start of its stream names: `<job>/`, or a build's one stream
    region: str | None
    account: str | None
    link: Link
    one_stream: bool = False  # `prefix` is the whole name of its one stream (a build's)


def log_source(event: Event | None) -> LogSource | None:
    """Where to read the failure's logs: a failed job's (a trial's too) or a failed build's
    (not a failed phase: the build's own FAILED follows it); None for anything else."""
    if event is None or event.outcome is not Outcome.FAILED:
        return None
    job = _JOB_KINDS.get(event.kind)
    if job is not None and job.log_group and (event.subject is None or is_trial(event)):
        prefix = job.log_prefix(event.name)
        link = log_link(event.region, job.log_group, prefix)
        return LogSource(
            job.title.lower(), event.name, job.log_group, prefix, event.region, event.account, link
        )
    if event.kind is Kind.CODEBUILD and event.subject is None:
        return _build(event)
    run = event.fact(BUILD) if event.kind is Kind.CODEPIPELINE else None
    if run is not None and ":" in run:
        return _pipeline_build(event, run)
    return None


def _pipeline_build(event: Event, build_id: str) -> LogSource:
    """The logs of the build a failed CodeBuild action ran (`<project>:<uuid>`), read under
    the pipeline's alert, where the incident is (the build's own failure opens none:
    bot.core.decision), and where a digest route leaves the build only a line. CodeBuild's
    defaults: the project's group, the uuid's stream (a project that logs elsewhere names
    it only in the build's own event)."""
    project, stream = build_id.split(":", 1)
    return _build_stream(event, project, stream)


def _build(event: Event) -> LogSource:
    deep = next((link for link in event.links if link.label == BUILD_LOGS), None)
    found = _DEEP_LINK.search(deep.url) if deep is not None else None
    if found is not None:
        group, stream = unquote(found["group"]), unquote(found["stream"])
        return _build_stream(event, event.name, stream, group, deep)
    # CodeBuild's defaults: the project's group, the build id's stream
    return _build_stream(event, event.name, event.key.rsplit(":", 1)[-1], link=deep)


def _build_stream(
    event: Event, project: str, stream: str, group: str | None = None, link: Link | None = None
) -> LogSource:
    """A build's one stream, in `group` or CodeBuild's default, the project's."""
    group = group or f"/aws/codebuild/{project}"
    link = link or log_link(event.region, group, stream)
    return LogSource("build", project, group, stream, event.region, event.account, link, True)
