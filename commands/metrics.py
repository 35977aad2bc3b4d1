"""`/mlpulse metrics JOB [METRIC]`: a training job's metric curves, as numbers and a chart."""

from __future__ import annotations

import re
from datetime import datetime

from bot.aws import jobfacts
from bot.aws.curves import NAMESPACE, Curve, Curves, training_curves
from bot.aws.sagemaker_jobs import find_job
from bot.core.durations import format_duration
from bot.core.errors import InputError
from bot.core.text import clip
from bot.kinds.jobs import TRAINING, TUNING, Job
from commands import charts
from commands.base import Args, Chart, Context, Reply
from commands.display import Block, context, header, name, reply, section
from commands.locate import locate_job

SLOW = True
_LINES = 24


def handle(ctx: Context, args: Args) -> Reply:
    """metrics JOB [METRIC] — training curves: first, best and last values, and a chart.

    /mlpulse metrics churn-xgb-2026-11-25 validation:auc
    """
    if not 1 <= len(args.words) <= 2:
        raise InputError(
            "usage: `/mlpulse metrics JOB [METRIC]`, e.g. `/mlpulse metrics churn-xgb-7 loss`"
        )
    wanted = args.words[1] if len(args.words) == 2 else args.options.get("metric")
    job_name, kinds = args.words[0], (TRAINING, TUNING)
    located = locate_job(
        ctx, args, job_name, kinds, f"a training job or tuning job named {job_name}"
    )
    if isinstance(located, Reply):
        return located
    aws, job = located.aws, located.found
    note = ""
    if job.kind is TUNING:  # a tuning job's curves are its best training job's
        best = jobfacts.best_training_job(job)
        if best is None:
            raise InputError(f"tuning job {job.name} has no best training job yet")
        note = f"Best training job of tuning job {name(job.name)}."
        job = find_job(aws.sagemaker, best.name, (TRAINING,))
    now = ctx.clock.now()
    curves = training_curves(aws.cloudwatch, job, wanted, now)
    blocks: list[Block] = [header(f"Metrics of training job {job.name}")]
    blocks += located.where
    if note:
        blocks.append(context(note))
    if not curves.curves:
        blocks.append(section(_nothing(job, curves, wanted)))
        blocks += _final(job)
        return reply(f"Training job {job.name}: no metric data", blocks, public=args.public)
    start = job.started or job.created or curves.curves[0].times[0]
    blocks.append(section("\n".join(_line(curve, start) for curve in curves.curves[:_LINES])))
    if curves.more:
        blocks.append(
            context(
                f"{curves.more} more series left out; name one: "
                f"`/mlpulse metrics {clip(job.name, 100)} METRIC`"
            )
        )
    blocks += _final(job)
    blocks.append(
        context(
            f"CloudWatch `{NAMESPACE}`, dimension Host = {clip(job.name, 100)}/algo-N, "
            "averaged per data period."
        )
    )
    chart = Chart(
        filename=f"{_file_safe(job.name)}-metrics.png",
        title=f"{job.name} metrics",
        png=draw(job.name, curves, start),
    )
    first = curves.curves[0]
    summary = f"Training job {job.name}: {first.metric} last {first.values[-1]:.4g}"
    return reply(summary, blocks, charts=[chart], public=args.public)


def draw(job_name: str, curves: Curves, start: datetime) -> bytes:
    """One panel per metric, one line per host, minutes since the job started."""
    by_metric: dict[str, list[Curve]] = {}
    for curve in curves.curves:
        by_metric.setdefault(curve.metric, []).append(curve)
    panels = [
        charts.Panel(
            title=metric,
            lines=[
                charts.Line(
                    curve.host if len(group) > 1 else metric,
                    [(t - start).total_seconds() / 60 for t in curve.times],
                    curve.values,
                )
                for curve in group
            ],
            mark_best=True,
            lower=group[0].lower_is_better,
        )
        for metric, group in by_metric.items()
    ]
    return charts.render(f"Training job {job_name}", panels, xlabel="minutes since the job started")


def _line(curve: Curve, start: datetime) -> str:
    best = curve.best_index
    at = format_duration((curve.times[best] - start).total_seconds())
    direction = "lowest" if curve.lower_is_better else "highest"
    return (
        f"{name(curve.metric, 120)} ({clip(curve.host, 20)}): first {curve.values[0]:.4g} · "
        f"best {curve.values[best]:.4g} ({direction}, at {at}) · last {curve.values[-1]:.4g} · "
        f"{len(curve.values)} points"
    )


def _nothing(job: Job, curves: Curves, wanted: str | None) -> str:
    if not curves.available:
        return (
            f"No metrics in CloudWatch for training job {name(job.name)} yet "
            f"(`{NAMESPACE}`, Host {clip(job.name, 100)}/algo-1…{curves.hosts})."
        )
    listed = ", ".join(name(metric, 80) for metric in curves.available[:20])
    if wanted:
        wanted_name = name(wanted, 80)
        return (
            f"Training job {name(job.name)} has no metric matching {wanted_name}; it has {listed}."
        )
    return f"Training job {name(job.name)} has metrics ({listed}) but no data points while it ran."


def _final(job: Job) -> list[Block]:
    metrics = jobfacts.final_metrics(job)
    if not metrics:
        return []
    shown = " · ".join(f"{name(metric, 80)} = {value:.6g}" for metric, value in metrics[:20])
    return [section(f"*Final metrics (SageMaker)*: {shown}")]


def _file_safe(raw: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", raw)[:80] or "job"
