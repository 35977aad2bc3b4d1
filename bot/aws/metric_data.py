"""CloudWatch metrics: discovery with ListMetrics, and GetMetricData batched within its
limits (500 queries and 100,800 data points a call; each call's pages followed)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.aws.calls import pages
from bot.aws.errors import answering

MAX_QUERIES = 500
MAX_POINTS = 100_800
SERIES_POINTS = 1440  # what a chart can show: a day by the minute


@dataclass(frozen=True)
class MetricQuery:
    namespace: str
    name: str
    dimensions: tuple[tuple[str, str], ...]
    stat: str  # Sum, Average, Maximum, p99 ...
    period: int  # seconds, a multiple of 60
    label: str = ""

    def points(self, start: datetime, end: datetime) -> int:
        """The most data points this query can return over [start, end)."""
        return max(1, math.ceil((end - start).total_seconds() / self.period))

    def as_request(self, query_id: str) -> dict[str, Any]:
        return {
            "Id": query_id,
            "MetricStat": {
                "Metric": {
                    "Namespace": self.namespace,
                    "MetricName": self.name,
                    "Dimensions": [{"Name": k, "Value": v} for k, v in self.dimensions],
                },
                "Period": self.period,
                "Stat": self.stat,
            },
            "ReturnData": True,
        }


@dataclass
class Series:
    query: MetricQuery
    times: list[datetime] = field(default_factory=list)
    values: list[float] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.values


def period_for(start: datetime, end: datetime, most: int = SERIES_POINTS) -> int:
    """The smallest whole-minute period giving at most `most` points over [start, end)."""
    minutes = math.ceil((end - start).total_seconds() / 60 / most)
    return 60 * max(1, minutes)


def batches(
    queries: Sequence[MetricQuery], start: datetime, end: datetime
) -> list[list[MetricQuery]]:
    """`queries` split into GetMetricData calls that each keep within the API's limits."""
    found: list[list[MetricQuery]] = []
    current: list[MetricQuery] = []
    points = 0
    for query in queries:
        needed = query.points(start, end)
        if needed > MAX_POINTS:
            raise ValueError(f"{query.name}: {needed} points in one series; choose a longer period")
        if current and (len(current) >= MAX_QUERIES or points + needed > MAX_POINTS):
            found.append(current)
            current, points = [], 0
        current.append(query)
        points += needed
    if current:
        found.append(current)
    return found


def fetch(
    cloudwatch: Any, queries: Sequence[MetricQuery], start: datetime, end: datetime
) -> list[Series]:
    """One Series per query, in order, each sorted by time (empty when there is no data)."""
    series = [Series(query) for query in queries]
    offset = 0
    for batch in batches(queries, start, end):
        requests = [query.as_request(f"q{offset + i}") for i, query in enumerate(batch)]
        with answering(cloudwatch):
            paginator = cloudwatch.get_paginator("get_metric_data")
            for page in paginator.paginate(
                MetricDataQueries=requests,
                StartTime=start,
                EndTime=end,
                ScanBy="TimestampAscending",
            ):
                _collect(page, series)
        offset += len(batch)
    for one in series:
        ordered = sorted(zip(one.times, one.values, strict=True), key=lambda pair: pair[0])
        one.times = [moment for moment, _ in ordered]
        one.values = [value for _, value in ordered]
    return series


def _collect(page: dict[str, Any], series: list[Series]) -> None:
    for result in page.get("MetricDataResults") or []:
        index = int(str(result.get("Id", "q-1"))[1:])
        if not 0 <= index < len(series):
            continue
        for moment, value in zip(
            result.get("Timestamps") or [], result.get("Values") or [], strict=False
        ):
            if (
                isinstance(moment, datetime)
                and isinstance(value, int | float)
                and math.isfinite(value)
            ):
                series[index].times.append(moment.astimezone(UTC))
                series[index].values.append(float(value))


def discover(
    cloudwatch: Any, namespace: str, dimensions: Iterable[tuple[str, str]], limit: int = 500
) -> list[dict[str, Any]]:
    """The metrics CloudWatch holds in `namespace` with these dimension values."""
    return pages(
        cloudwatch,
        "list_metrics",
        "Metrics",
        limit=limit,
        Namespace=namespace,
        Dimensions=[{"Name": k, "Value": v} for k, v in dimensions],
    )


def minute(moment: datetime) -> datetime:
    """`moment` rounded down to the minute, as CloudWatch would."""
    return moment.replace(second=0, microsecond=0)


def last_hour(now: datetime) -> tuple[datetime, datetime]:
    end = minute(now)
    return end - timedelta(hours=1), end
