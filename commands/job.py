"""`/mlpulse job NAME`: one SageMaker job of any kind, everything about it on one screen."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.aws import jobfacts
from bot.aws.calls import region_of
from bot.aws.errors import AwsError
from bot.aws.logtail import tail
from bot.aws.sagemaker_jobs import tuning_children
from bot.core.durations import format_duration
from bot.core.errors import InputError
from bot.core.text import clip, code_block, escape
from bot.kinds.jobs import TRAINING, TUNING, Job, JobKind, kinds_named
from bot.kinds.links import job_links, naming_account
from commands.base import Args, Context, Reply
from commands.display import (
    Block,
    badge,
    buttons,
    context,
    fields,
    header,
    name,
    reply,
    section,
    span,
    when,
)
from commands.locate import locate_job
from notifiers.times import Style, local_time

SLOW = True
LOG_LINES = 20
_HISTORY = 10
_LOG_CHARS = 2800
_TABLE_CHARS = 1500


def handle(ctx: Context, args: Args) -> Reply:
    """job NAME — one job of any kind: status, history, params, metrics, failure, logs.

    /mlpulse job churn-xgb-2026-11-25
    """
    if len(args.words) != 1:
        raise InputError(
            "usage: `/mlpulse job NAME` (add `--kind training` to look in one kind, "
            "`--account prod` or `--region eu-west-1` to look in one place)"
        )
    wanted, kinds = args.words[0], kinds_named(args.options.get("kind"))
    located = locate_job(ctx, args, wanted, kinds, f"a {_titles(kinds)} named {wanted}")
    if isinstance(located, Reply):
        return located
    aws, job = located.aws, located.found
    now = ctx.clock.now()
    blocks = [header(f"{job.kind.title} {job.name}"), *located.where]
    blocks += fields(_summary(job, now))
    if job.failure:
        blocks.append(section(f"*Failure reason*\n{code_block(job.failure, 1500)}"))
    if job.kind is TUNING:
        blocks += _tuning(aws.sagemaker, job)
    blocks += _history(job, now)
    if params := jobfacts.hyperparameters(job):
        table = "\n".join(f"{k} = {v}" for k, v in params.items())
        label = "Best job's hyperparameters" if job.kind is TUNING else "Hyperparameters"
        blocks.append(section(f"*{label}*\n{code_block(table, _TABLE_CHARS)}"))
    if metrics := jobfacts.final_metrics(job):
        table = "\n".join(f"{metric} = {value:.6g}" for metric, value in metrics)
        blocks.append(section(f"*Final metrics*\n{code_block(table, _TABLE_CHARS)}"))
    links = naming_account(job_links(job.kind, job.name, region_of(aws)), located.account)
    if job.kind.log_group:
        blocks.append(_logs(aws.logs, job))
    blocks += buttons(links)
    if job.kind is TRAINING:
        blocks.append(context(f"Curves: `/mlpulse metrics {clip(job.name, 100)}`"))
    summary = f"{job.kind.title} {job.name}: {job.status}"
    return reply(summary + (f" — {job.failure}" if job.failure else ""), blocks, public=args.public)


def _titles(kinds: Sequence[JobKind]) -> str:
    return " or ".join(kind.title.lower() for kind in kinds) if len(kinds) < 3 else "job"


def _summary(job: Job, now: datetime) -> list[tuple[str, str | None]]:
    status = badge(job.status)
    secondary = job.raw.get("SecondaryStatus")
    if isinstance(secondary, str) and secondary and secondary != job.status:
        status += f" ({clip(secondary, 100)})"
    began = job.started or job.created
    pairs: list[tuple[str, str | None]] = [
        ("Status", status),
        ("Duration", span(began, job.ended, now)),
        ("Created", when(job.created, now)),
        ("Ended", when(job.ended, now) if job.ended else None),
        ("Instances", clip(job.instances, 200) if job.instances else None),
    ]
    pairs += [(label, clip(value, 500)) for label, value in jobfacts.kind_facts(job)]
    return pairs[:10]


def _history(job: Job, now: datetime) -> list[Block]:
    steps = jobfacts.history(job)
    if not steps:
        return []
    lines = []
    for step in steps[-_HISTORY:]:
        at = local_time(step.start, Style.TIME_SECS) if step.start else "—"
        line = f"• *{clip(step.status, 60)}* {at}"
        if step.start and step.end:
            line += f" ({format_duration((step.end - step.start).total_seconds())})"
        if step.message:
            line += f" — {clip(step.message, 200)}"
        lines.append(line)
    skipped = f" (last {_HISTORY} of {len(steps)})" if len(steps) > _HISTORY else ""
    return [section(f"*Status history*{skipped}\n" + "\n".join(lines))]


def _tuning(sagemaker: Any, job: Job) -> list[Block]:
    blocks: list[Block] = []
    best = jobfacts.best_training_job(job)
    if best:
        score = (
            f": {clip(best.metric or 'objective', 100)} = {best.value:.6g}"
            if best.value is not None
            else ""
        )
        blocks.append(
            section(
                f"*Best training job* {name(best.name)}{score} ({clip(best.status or '?', 40)})"
            )
        )
    goal, metric = jobfacts.objective(job)
    try:
        top = tuning_children(sagemaker, job.name, goal)
    except AwsError as error:
        return [*blocks, context(f"Top training jobs: {clip(str(error), 300)}")]
    lines = []
    for rank, child in enumerate(top, 1):
        final = child.get("FinalHyperParameterTuningJobObjectiveMetric") or {}
        value = final.get("Value")
        score = (
            f" — {clip(metric or 'objective', 80)} = {value:.6g}"
            if isinstance(value, int | float)
            else ""
        )
        lines.append(
            f"{rank}. {name(child.get('TrainingJobName'))} "
            f"{badge(child.get('TrainingJobStatus'))}{score}"
        )
    if lines:
        blocks.append(section(f"*Top {len(lines)} training jobs*\n" + "\n".join(lines)))
    return blocks


def _logs(logs: Any, job: Job) -> Block:
    group = job.kind.log_group or ""
    try:
        found = tail(logs, group, job.kind.log_prefix(job.name), LOG_LINES)
    except AwsError as error:
        return section(f"*Logs*: {clip(str(error), 500)}")
    if not found.lines:
        return section(
            f"_No log lines yet in `{clip(group, 100)}` for streams "
            f"`{clip(job.kind.log_prefix(job.name), 100)}…`._"
        )
    streams = f"{found.streams} stream{'s' if found.streams != 1 else ''}"
    title = f"*Last {len(found.lines)} log lines* ({streams}, newest last)"
    return section(f"{title}\n{code_block(_newest_that_fit(found.text()), _LOG_CHARS)}")


def _newest_that_fit(lines: list[str]) -> str:
    """The newest lines whose escaped text fits the code block: a tail keeps its end."""
    kept: list[str] = []
    size = 0
    for line in reversed(lines):
        size += len(escape(line)) + 1
        if kept and size > _LOG_CHARS - 20:
            break
        kept.append(line)
    return "\n".join(reversed(kept))
