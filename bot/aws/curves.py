"""A training job's metric curves from CloudWatch: namespace `/aws/sagemaker/TrainingJobs`,
one `Host` dimension value per instance (`<job>/algo-<n>`), discovered with ListMetrics
because names come from the algorithm or the job's MetricDefinitions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from fnmatch import fnmatchcase
from typing import Any

from bot.aws.metric_data import MetricQuery, discover, fetch, minute, period_for
from bot.kinds.jobs import Job

NAMESPACE = "/aws/sagemaker/TrainingJobs"
UTILIZATION = frozenset(
    {
        "CPUUtilization",
        "MemoryUtilization",
        "DiskUtilization",
        "GPUUtilization",
        "GPUMemoryUtilization",
    }
)
_LOWER_IS_BETTER = ("loss", "error", "mae", "mse", "rmse", "mape", "wer", "perplexity", "latency")
MAX_HOSTS = 8
MAX_CURVES = 12


@dataclass(frozen=True)
class Curve:
    metric: str
    host: str  # `algo-1`
    times: list[datetime]
    values: list[float]

    @property
    def lower_is_better(self) -> bool:
        name = self.metric.lower()
        return any(word in name for word in _LOWER_IS_BETTER)

    @property
    def best_index(self) -> int:
        pick = min if self.lower_is_better else max
        return pick(range(len(self.values)), key=lambda i: self.values[i])


@dataclass(frozen=True)
class Curves:
    curves: list[Curve]
    available: list[str]  # every metric name the job has, utilization included
    hosts: int  # hosts looked at
    more: int = 0  # curves left out beyond MAX_CURVES


def training_curves(cloudwatch: Any, job: Job, wanted: str | None, now: datetime) -> Curves:
    """The job's curves: `wanted` picks metrics by name or glob (case-insensitive); by
    default every training metric, or the utilization ones when it has nothing else."""
    hosts = [f"algo-{n}" for n in range(1, min(job.instance_count, MAX_HOSTS) + 1)]
    found: list[tuple[str, str]] = []  # (metric, host)
    for host in hosts:
        for metric in discover(cloudwatch, NAMESPACE, [("Host", f"{job.name}/{host}")]):
            name = str(metric.get("MetricName", ""))
            if name and (name, host) not in found:
                found.append((name, host))
    available = sorted({name for name, _ in found})
    chosen = sorted(pick(found, wanted), key=lambda pair: (pair[0], int(pair[1].split("-")[-1])))
    start, end = window(job, now)
    period = period_for(start, end)
    queries = [
        MetricQuery(NAMESPACE, name, (("Host", f"{job.name}/{host}"),), "Average", period)
        for name, host in chosen[:MAX_CURVES]
    ]
    series = fetch(cloudwatch, queries, start, end) if queries else []
    curves = [
        Curve(one.query.name, host, one.times, one.values)
        for one, (_, host) in zip(series, chosen, strict=False)
        if not one.empty
    ]
    return Curves(curves, available, len(hosts), max(0, len(chosen) - MAX_CURVES))


def pick(found: list[tuple[str, str]], wanted: str | None) -> list[tuple[str, str]]:
    if wanted:
        pattern = wanted.lower()
        exact = [pair for pair in found if pair[0].lower() == pattern]
        if exact:
            return exact
        if not any(ch in pattern for ch in "*?["):
            pattern = f"*{pattern}*"
        return [pair for pair in found if fnmatchcase(pair[0].lower(), pattern)]
    learning = [pair for pair in found if pair[0] not in UTILIZATION]
    return learning or found


def window(job: Job, now: datetime) -> tuple[datetime, datetime]:
    """When the job could have written metrics: from its start (or creation) to a few
    minutes after its end (or now), whole minutes as CloudWatch counts them."""
    began = job.started or job.created or now - timedelta(days=1)
    start = minute(began) - timedelta(minutes=1)
    end = (
        minute(job.ended + timedelta(minutes=5))
        if job.ended
        else minute(now) + timedelta(minutes=1)
    )
    return start, max(end, start + timedelta(minutes=2))
