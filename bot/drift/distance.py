"""Model Monitor's baseline drift distance, computed from the distributions in two
statistics.json files (what `baseline_drift_check` compares with
`monitoring_config.distribution_constraints.comparison_threshold`).

AWS "Schema for Constraints": the distance is the largest absolute difference between the
cumulative distribution functions of the two distributions (L-infinity); `comparison_method`
`Simple` takes it as is (`linf_simple`), `Robust` (`linf_robust`, for few samples) lowers it by
the two-sample Kolmogorov–Smirnov allowance. Model Monitor runs on Deequ, whose
`Distance.selectMetrics` gives that allowance as `c(alpha) * sqrt((n + m) / (n * m))` with
c = 1.8 (alpha 0.003), floored at 0. For categorical features Deequ's L-infinity is the
largest absolute difference between the shares of one category.

Numeric features: each side's CDF is known at its KLL bucket edges; between edges it is
taken as linear (values spread evenly in a bucket), so the CDFs are compared at the edges
of both sides. That is as close as the buckets allow; the sketch itself is not re-read.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from bot.drift.parse import FeatureStats

ROBUST_C_ALPHA = 1.8
Buckets = Sequence[tuple[float, float, float]]


@dataclass(frozen=True)
class Distance:
    value: float  # after the robust correction when the method asks for it
    simple: float  # linf_simple
    baseline_rows: float
    current_rows: float
    categorical: bool


def cdf_at(buckets: Buckets, x: float) -> float:
    """The share of values at or below `x`, linear inside a bucket."""
    total = sum(count for _, _, count in buckets)
    if total <= 0:
        return 0.0
    below = 0.0
    for lower, upper, count in buckets:
        if x >= upper:
            below += count
        elif x > lower:
            below += count * (x - lower) / (upper - lower)
    return min(1.0, below / total)


def linf_numeric(baseline: Buckets, current: Buckets) -> float:
    edges = sorted({e for lower, upper, _ in (*baseline, *current) for e in (lower, upper)})
    return max((abs(cdf_at(baseline, x) - cdf_at(current, x)) for x in edges), default=0.0)


def linf_categorical(
    baseline: Sequence[tuple[str, float]], current: Sequence[tuple[str, float]]
) -> float:
    shares = [_shares(baseline), _shares(current)]
    values = set(shares[0]) | set(shares[1])
    return max((abs(shares[0].get(v, 0.0) - shares[1].get(v, 0.0)) for v in values), default=0.0)


def robust(simple: float, n: float, m: float, c_alpha: float = ROBUST_C_ALPHA) -> float:
    """`linf_robust`: the simple distance less what n and m samples could show by chance."""
    if n <= 0 or m <= 0:
        return simple
    return max(0.0, simple - c_alpha * math.sqrt((n + m) / (n * m)))


def drift_distance(
    baseline: FeatureStats | None, current: FeatureStats | None, method: str = "Robust"
) -> Distance | None:
    """The distance between two features' distributions, or None when they cannot be
    compared (a side without a distribution, or one numeric and one categorical)."""
    if baseline is None or current is None:
        return None
    if baseline.buckets and current.buckets:
        simple = linf_numeric(baseline.buckets, current.buckets)
        n, m = _rows(baseline.buckets), _rows(current.buckets)
        categorical = False
    elif baseline.categories and current.categories:
        simple = linf_categorical(baseline.categories, current.categories)
        n = sum(c for _, c in baseline.categories)
        m = sum(c for _, c in current.categories)
        categorical = True
    else:
        return None
    value = simple if is_simple(method) else robust(simple, n, m)
    return Distance(value, simple, n, m, categorical)


def is_simple(method: str) -> bool:
    """`Simple` / `linf_simple` (any case); anything else is the robust default."""
    return method.lower().removeprefix("linf_") == "simple"


def _rows(buckets: Buckets) -> float:
    return sum(count for _, _, count in buckets)


def _shares(categories: Sequence[tuple[str, float]]) -> dict[str, float]:
    total = sum(count for _, count in categories)
    return {value: count / total for value, count in categories} if total > 0 else {}
