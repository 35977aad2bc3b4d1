"""`/mlpulse pipeline NAME`: a CodePipeline or SageMaker pipeline's last executions."""

from __future__ import annotations

from datetime import datetime

from bot.aws.pipelines import SERVICES, find_pipeline, pipeline_names
from bot.aws.runs import PipelineReport, Run, Step
from bot.core.errors import InputError
from bot.core.events import Outcome
from bot.core.outcomes import outcome_of
from bot.core.text import clip, code_block
from bot.kinds.links import naming_account
from commands.base import Args, Context, Reply
from commands.display import (
    Block,
    badge,
    buttons,
    context,
    header,
    name,
    reply,
    section,
    span,
    when,
)
from commands.spread import found_in, only, shown_account, spread, where_to_look

SLOW = True
MAX_STEPS = 25


def handle(ctx: Context, args: Args) -> Reply:
    """pipeline NAME — last executions, their stages or steps, and where it failed.

    /mlpulse pipeline churn-training
    """
    if len(args.words) != 1:
        raise InputError(
            "usage: `/mlpulse pipeline NAME` (add `--kind codepipeline` or `--kind sagemaker`)"
        )
    kind = args.options.get("kind")
    service, wanted = kind.lower() if kind else None, args.words[0]
    if service and service not in SERVICES:
        raise InputError(f"unknown pipeline kind `{service[:40]}`; kinds: {', '.join(SERVICES)}")
    accounts, places = where_to_look(ctx, args)
    looked = spread(accounts, places, lambda aws: find_pipeline(aws, wanted, service))
    picked = only(
        accounts,
        looked,
        what=f"a CodePipeline or SageMaker pipeline named {wanted}",
        names=pipeline_names,
        wanted=wanted,
        line=lambda found: f"{found.service} {name(found.name)}",
    )
    if isinstance(picked, Reply):
        return picked
    place, _, report = picked
    now = ctx.clock.now()
    blocks: list[Block] = [header(f"{report.service} {report.name}"), *found_in(place, looked)]
    if not report.runs:
        blocks.append(section("_It has never run._"))
    else:
        runs = "\n".join(_run_line(run, now) for run in report.runs)
        blocks.append(
            section(
                f"*Last {len(report.runs)} execution{'s' if len(report.runs) != 1 else ''}*\n{runs}"
            )
        )
    if report.steps:
        title = (
            "Stages now" if report.service == "CodePipeline" else "Steps of the latest execution"
        )
        blocks.append(
            section(
                f"*{title}*\n" + "\n".join(_step_line(step) for step in report.steps[:MAX_STEPS])
            )
        )
    blocks += _failure(report)
    blocks += [context(clip(note, 500)) for note in report.notes]
    blocks += buttons(naming_account(report.links, shown_account(looked, place)))
    latest = report.runs[0].status if report.runs else "never ran"
    return reply(f"{report.service} {report.name}: {latest}", blocks, public=args.public)


def _run_line(run: Run, now: datetime) -> str:
    line = f"{badge(run.status)} {name(run.id[:36])} · started {when(run.started, now)}"
    running = outcome_of(run.status) == Outcome.RUNNING
    if (run.ended or running) and (took := span(run.started, run.ended, now)):
        line += f" · {took}"
    if run.trigger:
        line += f" · {clip(run.trigger, 120)}"
    if run.revision:
        first = run.revision.strip().splitlines()[0] if run.revision.strip() else run.revision
        line += f"\n      _{clip(first, 160)}_"
    return line


def _step_line(step: Step) -> str:
    line = f"{badge(step.status)} {name(step.name, 120)}"
    if step.detail:
        line += f" — {clip(step.detail, 300)}"
    return line


def _failure(report: PipelineReport) -> list[Block]:
    run = report.failed_run
    if run is None:
        return []
    where = ", ".join(name(step.name, 120) for step in report.failed_steps[:5]) or "an unknown step"
    text = f"*Where it failed* — execution {name(run.id[:36])} failed at {where}"
    reasons = [f"{step.name}: {step.detail}" for step in report.failed_steps[:5] if step.detail]
    if run.failure and not reasons:
        reasons.append(run.failure)
    if reasons:
        text += "\n" + code_block("\n".join(reasons), 1800)
    return [section(text)]
