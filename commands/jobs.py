"""`/mlpulse jobs`: recent SageMaker jobs of every kind, newest first."""

from __future__ import annotations

from datetime import datetime

from bot.aws.errors import AwsError
from bot.aws.sagemaker_jobs import JobFilter, newest_first, recent_jobs
from bot.core.durations import parse_duration
from bot.core.errors import InputError
from bot.core.text import clip, escape
from bot.kinds.jobs import Job, kinds_named, status_named
from commands.base import Args, Context, Reply
from commands.display import badge, context, header, name, plural, reply, section, span, when
from commands.spread import spread, where_to_look

SLOW = True
SHOWN = 25
DEFAULT_SINCE = "24h"


def handle(ctx: Context, args: Args) -> Reply:
    """jobs [--status S] [--since 24h] [--name GLOB] [--kind K] — recent jobs, newest first.

    /mlpulse jobs --status Failed --since 7d --name churn-*
    """
    if len(args.words) > 1 or (args.words and "name" in args.options):
        raise InputError(
            "usage: `/mlpulse jobs [--status Failed] [--since 24h] [--name churn-*] "
            "[--kind training]`"
        )
    wanted = _filter(ctx, args)
    accounts, places = where_to_look(ctx, args)
    looked = spread(accounts, places, lambda aws: recent_jobs(aws.sagemaker, wanted))
    if not looked.several and looked.failed:
        raise looked.failed[0][1]
    if looked.failed and not looked.found:
        raise AwsError("could not list jobs anywhere: " + "; ".join(looked.unchecked()))
    where = {id(job): place for place, _, listing in looked.found for job in listing.jobs}
    jobs = newest_first([job for _, _, listing in looked.found for job in listing.jobs])
    notes = [
        f"{place.label}: {note}" if looked.several else note
        for place, _, listing in looked.found
        for note in listing.skipped
    ] + [f"{place.label}: {error}" for place, error in looked.failed]
    now = ctx.clock.now()
    described = _described(args)
    skipped = [context(f"Not listed: {clip(note, 300)}") for note in notes]
    if not jobs:
        text = f"No jobs {described}."
        return reply(text, [section(escape(text)), *skipped], public=args.public)
    lines = [
        _line(job, now) + (f" · *{where[id(job)].label}*" if looked.several else "")
        for job in jobs[:SHOWN]
    ]
    blocks = [
        header(f"{plural(len(jobs), 'job')} {described}"),
        section("\n".join(lines)),
    ]
    if len(jobs) > SHOWN:
        blocks.append(
            context(
                f"{len(jobs) - SHOWN} more not shown: narrow with "
                "`--name`, `--status`, `--kind` or `--since`."
            )
        )
    blocks += skipped
    blocks.append(context("Details of one: `/mlpulse job NAME`"))
    failed = sum(job.status == "Failed" for job in jobs)
    running = sum(job.status == "InProgress" for job in jobs)
    return reply(
        f"{plural(len(jobs), 'job')} {described}: {running} running, {failed} failed",
        blocks,
        public=args.public,
    )


def _filter(ctx: Context, args: Args) -> JobFilter:
    try:
        since = parse_duration(args.options.get("since", DEFAULT_SINCE))
    except ValueError as error:
        raise InputError(f"`--since`: {error}") from None
    glob = args.options.get("name") or (args.words[0] if args.words else None)
    return JobFilter(
        kinds=kinds_named(args.options.get("kind")),
        status=status_named(args.options.get("status")),
        since=ctx.clock.now() - since,
        glob=glob,
    )


def _described(args: Args) -> str:
    """`failed training jobs matching churn-* in the last 7d` (raw; escaped by callers)."""
    parts = []
    if args.options.get("status"):
        parts.append(f"with status {args.options['status']}")
    if args.options.get("kind"):
        parts.append(f"of kind {args.options['kind']}")
    glob = args.options.get("name") or (args.words[0] if args.words else None)
    if glob:
        parts.append(f"matching {glob}")
    parts.append(f"changed in the last {args.options.get('since', DEFAULT_SINCE)}")
    if args.options.get("status", "inprogress").lower() in ("inprogress", "running"):
        parts.append("or still running")
    return " ".join(parts)


def _line(job: Job, now: datetime) -> str:
    began = job.started or job.created
    took = span(began, job.ended, now)
    kind = job.kind.title.split()[0]
    line = f"{badge(job.status)} {kind} {name(job.name, 120)} · created {when(job.created, now)}"
    if took:
        line += f" · {took}"
    if job.failure:
        line += f"\n      _{clip(job.failure, 160)}_"
    return line
