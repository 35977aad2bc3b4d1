"""An endpoint's last hour from CloudWatch, per variant, in ONE GetMetricData call:
invocations and errors by the minute, latency percentiles over the hour, utilization.

`AWS/SageMaker` holds invocations, errors and latencies; ModelLatency and OverheadLatency
are in MICROseconds and shown in milliseconds. `/aws/sagemaker/Endpoints` holds
utilization in percent (CPU and GPU summed over cores, so above 100 is possible).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.aws.metric_data import MetricQuery, Series, batches, fetch, last_hour

INVOCATIONS_NS = "AWS/SageMaker"
UTILIZATION_NS = "/aws/sagemaker/Endpoints"
MICROSECONDS_PER_MS = 1000.0
_MINUTE = 60
_HOUR = 3600

# key -> (namespace, metric, statistic, period)
_PER_MINUTE = {
    "invocations": (INVOCATIONS_NS, "Invocations", "Sum", _MINUTE),
    "4xx": (INVOCATIONS_NS, "Invocation4XXErrors", "Sum", _MINUTE),
    "5xx": (INVOCATIONS_NS, "Invocation5XXErrors", "Sum", _MINUTE),
    "model_p50": (INVOCATIONS_NS, "ModelLatency", "p50", _MINUTE),
    "model_p99": (INVOCATIONS_NS, "ModelLatency", "p99", _MINUTE),
    "cpu": (UTILIZATION_NS, "CPUUtilization", "Average", _MINUTE),
    "memory": (UTILIZATION_NS, "MemoryUtilization", "Average", _MINUTE),
    "disk": (UTILIZATION_NS, "DiskUtilization", "Average", _MINUTE),
    "gpu": (UTILIZATION_NS, "GPUUtilization", "Average", _MINUTE),
    "gpu_memory": (UTILIZATION_NS, "GPUMemoryUtilization", "Average", _MINUTE),
}
# Percentiles do not add up from minutes: the hour's are asked for as one period.
_PER_HOUR = {
    "model_p50_hour": (INVOCATIONS_NS, "ModelLatency", "p50", _HOUR),
    "model_p99_hour": (INVOCATIONS_NS, "ModelLatency", "p99", _HOUR),
    "overhead_p50_hour": (INVOCATIONS_NS, "OverheadLatency", "p50", _HOUR),
    "overhead_p99_hour": (INVOCATIONS_NS, "OverheadLatency", "p99", _HOUR),
}
LATENCIES = frozenset(
    key for key, spec in {**_PER_MINUTE, **_PER_HOUR}.items() if "Latency" in spec[1]
)
UTILIZATION = ("cpu", "memory", "disk", "gpu", "gpu_memory")


@dataclass(frozen=True)
class VariantHealth:
    variant: str
    series: dict[str, Series]

    def values(self, key: str) -> list[float]:
        """The key's data points, latencies in milliseconds."""
        found = self.series[key].values if key in self.series else []
        return [v / MICROSECONDS_PER_MS for v in found] if key in LATENCIES else list(found)

    def times(self, key: str) -> list[datetime]:
        return list(self.series[key].times) if key in self.series else []

    def total(self, key: str) -> float | None:
        found = self.values(key)
        return sum(found) if found else None

    def hour(self, key: str) -> float | None:
        """A whole-hour statistic (one data point; the first if CloudWatch split the hour)."""
        found = self.values(key)
        return found[0] if found else None

    def error_rate(self) -> float | None:
        """(4XX + 5XX) / invocations over the hour, in percent."""
        invocations = self.total("invocations")
        if not invocations:
            return None
        return 100.0 * ((self.total("4xx") or 0.0) + (self.total("5xx") or 0.0)) / invocations

    def mean_and_peak(self, key: str) -> tuple[float, float] | None:
        found = self.values(key)
        return (sum(found) / len(found), max(found)) if found else None


@dataclass(frozen=True)
class Health:
    start: datetime
    end: datetime
    variants: list[VariantHealth]


def queries_for(endpoint: str, variants: Sequence[str]) -> list[tuple[str, str, MetricQuery]]:
    """(variant, key, query) for every figure of every variant."""
    found = []
    for variant in variants:
        dimensions = (("EndpointName", endpoint), ("VariantName", variant))
        for key, (namespace, metric, stat, period) in {**_PER_MINUTE, **_PER_HOUR}.items():
            found.append((variant, key, MetricQuery(namespace, metric, dimensions, stat, period)))
    return found


def endpoint_health(
    cloudwatch: Any, endpoint: str, variants: Sequence[str], now: datetime
) -> Health:
    start, end = last_hour(now)
    planned = queries_for(endpoint, variants)
    queries = [query for _, _, query in planned]
    if len(batches(queries, start, end)) > 1:  # ten variants need 140 queries: far inside
        raise ValueError(f"endpoint {endpoint}: {len(queries)} queries do not fit one call")
    series = fetch(cloudwatch, queries, start, end)
    by_variant: dict[str, dict[str, Series]] = {variant: {} for variant in variants}
    for (variant, key, _), one in zip(planned, series, strict=True):
        by_variant[variant][key] = one
    return Health(start, end, [VariantHealth(v, s) for v, s in by_variant.items()])
