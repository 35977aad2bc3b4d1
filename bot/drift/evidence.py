"""The figures behind each violation: the violation joined with the statistics, constraints
and Clarify analyses read beside it, baseline against current."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.core.events import Severity
from bot.drift.figures import NONE, feature_figures, fmt, metric_figure
from bot.drift.findings import (
    DATA_QUALITY,
    EXPLAINABILITY,
    MODEL_BIAS,
    MODEL_QUALITY,
    Figure,
    Finding,
    numbers_in,
)
from bot.drift.parse import FeatureStats


@dataclass(frozen=True)
class Known:
    """Everything read besides the violations."""

    current: dict[str, FeatureStats]
    baseline: dict[str, FeatureStats]
    constraints: dict[str, dict[str, Any]]
    metrics: dict[str, tuple[float | None, float | None]]
    thresholds: dict[str, tuple[float, str]]
    bias_now: dict[tuple[str, str, str], float]
    bias_then: dict[tuple[str, str, str], float]


def figures_of(
    violation: dict[str, str], monitor: str, known: Known
) -> tuple[tuple[Figure, ...], float | None, str | None]:
    """(figures, the current value when there is one, the data feature when there is one)."""
    description = violation["description"]
    numbers = numbers_in(description)
    if monitor == DATA_QUALITY:
        name = violation.get("feature_name", "")
        base, now = known.baseline.get(name), known.current.get(name)
        figures = feature_figures(base, now, known.constraints.get(name))
        return figures, None, name if (base or now) else None
    if monitor == MODEL_QUALITY:
        name = violation.get("metric_name", "")
        measured = known.metrics.get(name)
        limit = known.thresholds.get(name)
        if limit is None and numbers:
            limit = (numbers[-1], violation["check"])
        value = measured[0] if measured else (numbers[0] if numbers else None)
        if measured is None and value is not None:
            measured = (value, None)
        return (metric_figure(name, measured, limit),), value, None
    if monitor == MODEL_BIAS:
        key = (
            violation.get("facet", ""),
            violation.get("facet_value", ""),
            violation.get("metric_name", ""),
        )
        now_value = known.bias_now.get(key, numbers[0] if numbers else None)
        figure = Figure(key[2] or "bias", fmt(known.bias_then.get(key)), fmt(now_value))
        return (figure,), now_value, None
    if monitor == EXPLAINABILITY and len(numbers) >= 2:
        figure = Figure("nDCG of attributions", f"threshold {fmt(numbers[-1])}", fmt(numbers[0]))
        return (figure,), numbers[0], None
    return (), None, None


def details_of(known: Known) -> list[Finding]:
    """Every feature and metric read, violated or not, in the files' order (bias metrics
    have their own section: bot.drift.clarify)."""
    found: list[Finding] = []
    for name in dict.fromkeys([*known.current, *known.baseline, *known.constraints]):
        figures = feature_figures(
            known.baseline.get(name), known.current.get(name), known.constraints.get(name)
        )
        found.append(_detail(DATA_QUALITY, name, figures))
    for name in dict.fromkeys([*known.metrics, *known.thresholds]):
        figure = metric_figure(name, known.metrics.get(name), known.thresholds.get(name))
        found.append(_detail(MODEL_QUALITY, name, (figure,)))
    return found


def _detail(monitor: str, subject: str, figures: tuple[Figure, ...]) -> Finding:
    return Finding(
        monitor=monitor,
        check="",
        subject=subject,
        description="",
        severity=Severity.INFO,
        figures=figures or (Figure("figures", NONE, NONE),),
        feature=subject if monitor == DATA_QUALITY else None,
    )
