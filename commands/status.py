"""`/mlpulse status`: the platform at a glance. Each part is read on its own, so one part
we may not read (a missing permission) leaves the others standing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from bot.aws.calls import pages
from bot.aws.errors import AwsError
from bot.aws.pipelines import last_results
from bot.aws.sagemaker_jobs import JobFilter, list_jobs
from bot.core.events import Outcome
from bot.core.outcomes import outcome_of
from bot.core.text import clip
from bot.incidents.service import IncidentService
from bot.kinds.jobs import PROCESSING, TRAINING, TRANSFORM, TUNING, Job
from bot.kinds.paths import text
from commands.base import Args, Context, Reply
from commands.display import Block, badge, context, header, name, plural, reply, section, when
from commands.spread import spread, where_to_look
from notifiers.times import local_time

SLOW = True
KINDS = (TRAINING, TUNING, PROCESSING, TRANSFORM)
FAILED_WITHIN = timedelta(hours=24)
MAX_LINES = 10


def handle(ctx: Context, args: Args) -> Reply:
    """status — at a glance: running and failed jobs, endpoints, pipelines, incidents.

    /mlpulse status
    """
    accounts, places = where_to_look(ctx, args)
    now = ctx.clock.now()
    counts: list[str] = []
    blocks: list[Block] = [header("ML platform status")]
    looked = spread(accounts, places, lambda aws: _read(aws, now))
    if not looked.several and looked.failed:
        raise looked.failed[0][1]
    for place, _, parts in looked.found:
        where = f" · {place.label}" if looked.several else ""
        for title, part in parts:
            blocks += _part(title + where, [] if looked.several else counts, part)
    for place, error in looked.failed:
        blocks.append(section(f"*{place.label}*: _could not read: {clip(str(error), 400)}_"))
    if looked.several:
        counts.append(f"{len(looked.found)} of {len(places)} places read")
    open_incidents = _open_incidents(ctx.incidents)
    if open_incidents is not None:
        blocks.append(section(f"*Open incidents:* {open_incidents}  (`/mlpulse incidents`)"))
        counts.append(f"{open_incidents} open incidents")
    blocks.append(
        context(
            f"As of {local_time(now)}. Details: `/mlpulse job NAME`, "
            "`/mlpulse endpoint NAME`, `/mlpulse pipeline NAME`"
        )
    )
    return reply("Status: " + ", ".join(counts), blocks, public=args.public)


Part = tuple[list[str], str]  # lines (escaped mrkdwn), count for the summary


def _read(aws: Any, now: datetime) -> list[tuple[str, Part | AwsError]]:
    """Every part of the status in one place, each read on its own."""
    readers: list[tuple[str, Callable[[], Part]]] = [
        ("Running now", lambda: _running(aws.sagemaker, now)),
        ("Failed in the last 24 h", lambda: _failed(aws.sagemaker, now)),
        ("Endpoints", lambda: _endpoints(aws.sagemaker)),
        ("Pipelines", lambda: _pipelines(aws)),
    ]
    read: list[tuple[str, Part | AwsError]] = []
    for title, reader in readers:
        try:
            read.append((title, reader()))
        except AwsError as error:
            read.append((title, error))
    return read


def _part(title: str, counts: list[str], read: Part | AwsError) -> list[Block]:
    if isinstance(read, AwsError):
        return [section(f"*{title}*: _could not read: {clip(str(read), 400)}_")]
    lines, count = read
    counts.append(count)
    shown = lines[:MAX_LINES]
    if len(lines) > MAX_LINES:
        shown.append(f"… and {len(lines) - MAX_LINES} more")
    body = "\n".join(shown) if shown else "_none_"
    return [section(f"*{title}* · {count}\n{body}")]


def _running(sagemaker: Any, now: datetime) -> Part:
    listing = list_jobs(sagemaker, JobFilter(KINDS, "InProgress"))
    jobs = listing.jobs
    lines = [
        f"{badge(job.status)} {_kind(job)} {name(job.name, 120)} · "
        f"started {when(job.started or job.created, now)}"
        for job in jobs
    ]
    return lines + _skipped(listing.skipped), f"{len(jobs)} running"


def _failed(sagemaker: Any, now: datetime) -> Part:
    listing = list_jobs(sagemaker, JobFilter(KINDS, "Failed", now - FAILED_WITHIN))
    jobs = listing.jobs
    lines = []
    for job in jobs:
        moment = when(job.ended or job.modified, now)
        line = f"{badge(job.status)} {_kind(job)} {name(job.name, 120)} · {moment}"
        if job.failure:
            line += f"\n      _{clip(job.failure, 160)}_"
        lines.append(line)
    return lines + _skipped(listing.skipped), f"{len(jobs)} failed in 24 h"


def _endpoints(sagemaker: Any) -> Part:
    by_name: dict[str, Any] = {"SortBy": "Name", "SortOrder": "Ascending"}
    rows = pages(sagemaker, "list_endpoints", "Endpoints", limit=200, page_size=100, **by_name)
    troubled = [
        row for row in rows if outcome_of(text(row.get("EndpointStatus"))) != Outcome.SUCCEEDED
    ]
    healthy = [row for row in rows if row not in troubled]
    lines = [
        f"{badge(text(row.get('EndpointStatus')))} {name(text(row.get('EndpointName')), 120)}"
        for row in troubled + healthy
    ]
    count = plural(len(rows), "endpoint") + (
        f" ({len(troubled)} not in service)" if troubled else ""
    )
    return lines, count


def _pipelines(aws: Any) -> Part:
    results, notes = last_results(aws)
    if notes and not results:
        raise AwsError("; ".join(notes))
    lines = [
        f"{badge(result.status) if result.status else '○ never ran'} "
        f"{clip(result.service, 40)} {name(result.name, 120)}"
        for result in results
    ]
    lines += [f"_{clip(note, 300)}_" for note in notes]
    failed = sum(outcome_of(result.status) == Outcome.FAILED for result in results)
    return lines, plural(len(results), "pipeline") + (
        f" ({failed} failed last time)" if failed else ""
    )


def _open_incidents(incidents: IncidentService | None) -> int | None:
    return incidents.count_open() if incidents is not None else None


def _skipped(notes: list[str]) -> list[str]:
    return [f"_not listed: {clip(note, 300)}_" for note in notes]


def _kind(job: Job) -> str:
    return job.kind.title.split()[0]
