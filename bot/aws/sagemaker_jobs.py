"""SageMaker jobs of every kind: find one by name, list recent ones, a tuning job's
training jobs. Listings are paginated and capped."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from fnmatch import fnmatchcase
from typing import Any

from bot.aws.calls import call, pages
from bot.aws.errors import AwsError, MissingPermission, NotFound
from bot.kinds.jobs import KINDS, TUNING, Job, JobKind

PER_KIND = 50  # most jobs read per kind and query
# SageMaker applies StatusEquals AFTER taking a page of MaxResults newest jobs (API docs), so
# a status filter can page through an account's whole history: read at most this many pages
# (the newest 500 jobs of the kind), which holds every job still running in practice.
MAX_PAGES = 10
_GLOB_CHARS = re.compile(r"[*?\[\]]")


def find_job(sagemaker: Any, name: str, kinds: Sequence[JobKind] = KINDS) -> Job:
    """The job called `name`, whatever its kind. A kind that cannot be asked (a missing
    permission, an API the emulator lacks) is skipped and named in the not-found answer;
    only when no kind could be asked is that the answer."""
    denied: list[str] = []
    unchecked: list[str] = []
    for kind in kinds:
        try:
            raw = call(
                sagemaker,
                kind.describe,
                what=f"{kind.title.lower()} {name}",
                **{f"{kind.prefix}Name": name},
            )
        except NotFound:
            continue
        except AwsError as error:
            if isinstance(error, MissingPermission):
                denied.append(error.action)
            unchecked.append(f"{kind.title.lower()}s: {error}")
            continue
        return Job(kind, raw)
    titles = " or ".join(kind.title.lower() for kind in kinds) if len(kinds) < 3 else "job"
    if len(unchecked) == len(kinds):  # nothing could be asked: that is the answer
        if len(denied) == len(kinds):
            raise MissingPermission(", ".join(denied) + f" (to look for {titles} {name})")
        raise AwsError(f"could not look for {titles} {name}: " + "; ".join(unchecked))
    raise NotFound(f"a {titles} named {name}", unchecked)


def job_names(sagemaker: Any, kinds: Sequence[JobKind] = KINDS) -> list[str]:
    """The names of the newest jobs of `kinds`: what a name typed wrong is compared with."""
    return [job.name for job in list_jobs(sagemaker, JobFilter(kinds)).jobs]


@dataclass(frozen=True)
class JobFilter:
    kinds: Sequence[JobKind] = KINDS
    status: str | None = None  # a SageMaker StatusEquals value
    since: datetime | None = None  # last modified after
    glob: str | None = None  # on the name, case-insensitive


@dataclass
class Listing:
    jobs: list[Job] = field(default_factory=list)  # newest first
    skipped: list[str] = field(default_factory=list)  # kinds we could not list, and why


def list_jobs(sagemaker: Any, wanted: JobFilter) -> Listing:
    """Jobs matching `wanted`, newest first. A kind we cannot list (a missing permission)
    is skipped and said so; only when every kind fails is it an error."""
    listing = Listing()
    for kind in wanted.kinds:
        try:
            rows = _list_kind(sagemaker, kind, wanted)
        except AwsError as error:
            if len(listing.skipped) + 1 == len(wanted.kinds):
                raise
            listing.skipped.append(f"{kind.title.lower()}s: {error}")
            continue
        listing.jobs += [Job(kind, row) for row in rows]
    if wanted.glob:
        pattern = wanted.glob.lower()
        listing.jobs = [job for job in listing.jobs if fnmatchcase(job.name.lower(), pattern)]
    listing.jobs = newest_first(listing.jobs)
    return listing


def _list_kind(sagemaker: Any, kind: JobKind, wanted: JobFilter) -> list[dict[str, Any]]:
    params: dict[str, Any] = {"SortBy": "CreationTime", "SortOrder": "Descending"}
    if wanted.status:
        params["StatusEquals"] = wanted.status
    if wanted.since:
        params["LastModifiedTimeAfter"] = wanted.since
    if wanted.glob and (literal := _literal_part(wanted.glob)):
        params["NameContains"] = literal
    return pages(
        sagemaker,
        kind.listing,
        kind.summaries,
        limit=PER_KIND,
        page_size=PER_KIND,
        max_pages=MAX_PAGES,
        **params,
    )


def recent_jobs(sagemaker: Any, wanted: JobFilter) -> Listing:
    """What `jobs` shows: jobs changed since `wanted.since`, and every job still running
    however long ago it last changed (a long training step changes nothing for hours)."""
    listing = list_jobs(sagemaker, wanted)
    if wanted.since and wanted.status in (None, "InProgress"):
        running = list_jobs(sagemaker, JobFilter(wanted.kinds, "InProgress", None, wanted.glob))
        seen = {(job.kind.key, job.name) for job in listing.jobs}
        listing.jobs = newest_first(
            listing.jobs + [job for job in running.jobs if (job.kind.key, job.name) not in seen]
        )
        listing.skipped += [note for note in running.skipped if note not in listing.skipped]
    return listing


def newest_first(jobs: list[Job]) -> list[Job]:
    return sorted(
        jobs, key=lambda job: job.created.timestamp() if job.created else 0.0, reverse=True
    )


def tuning_children(
    sagemaker: Any, tuning_name: str, objective_type: str | None, limit: int = 5
) -> list[dict[str, Any]]:
    """A tuning job's best training jobs by its objective (the API sorts by it)."""
    order = "Ascending" if (objective_type or "").lower() == "minimize" else "Descending"
    return pages(
        sagemaker,
        "list_training_jobs_for_hyper_parameter_tuning_job",
        "TrainingJobSummaries",
        limit=limit,
        page_size=limit,
        what=f"{TUNING.title.lower()} {tuning_name}",
        HyperParameterTuningJobName=tuning_name,
        SortBy="FinalObjectiveMetricValue",
        SortOrder=order,
    )


def _literal_part(glob: str) -> str:
    """The longest run of a glob without wildcards: what SageMaker's NameContains can use."""
    return max(_GLOB_CHARS.split(glob), key=len)
