"""Baseline-against-current figures, formatted once for every renderer (text and Slack)."""

from __future__ import annotations

from typing import Any

from bot.drift.findings import Figure
from bot.drift.parse import FeatureStats, number

NONE = "—"
_OPERATORS = {
    "GreaterThanThreshold": "alert above",
    "GreaterThanOrEqualToThreshold": "alert at or above",
    "LessThanThreshold": "alert below",
    "LessThanOrEqualToThreshold": "alert at or below",
}


def fmt(value: float | None) -> str:
    """4 significant digits; thousands separated (25,040) up to a trillion."""
    if value is None:
        return NONE
    if 1e4 <= abs(value) < 1e12:
        return f"{value:,.0f}"
    return f"{value:.4g}"


def pct(value: float | None) -> str:
    return NONE if value is None else f"{100 * value:.1f}%"


def top_values(stats: FeatureStats | None, count: int = 3) -> str:
    if stats is None or not stats.categories:
        return NONE
    total = sum(c for _, c in stats.categories) or 1.0
    shown = [f"{value or '(empty)'} {100 * c / total:.0f}%" for value, c in stats.categories]
    return ", ".join(shown[:count]) + (", …" if len(shown) > count else "")


def feature_figures(
    base: FeatureStats | None, current: FeatureStats | None, constraint: dict[str, Any] | None
) -> tuple[Figure, ...]:
    """Type, mean, std, missing and top values, each row shown when either side has it."""
    expected_type = constraint.get("inferred_type") if constraint else None
    base_type = (base.inferred_type if base else None) or (
        expected_type if isinstance(expected_type, str) else None
    )
    completeness = number(constraint.get("completeness")) if constraint else None
    base_missing = base.missing_fraction if base else None
    if base_missing is None and completeness is not None:
        base_missing = 1.0 - completeness
    rows = [
        ("type", base_type or NONE, (current.inferred_type if current else None) or NONE),
        ("mean", fmt(base.mean if base else None), fmt(current.mean if current else None)),
        ("std", fmt(base.std if base else None), fmt(current.std if current else None)),
        ("missing", pct(base_missing), pct(current.missing_fraction if current else None)),
        ("top values", top_values(base), top_values(current)),
    ]
    return tuple(Figure(name, b, c) for name, b, c in rows if (b, c) != (NONE, NONE))


def metric_figure(
    name: str, measured: tuple[float | None, float | None] | None, limit: tuple[float, str] | None
) -> Figure:
    current = NONE
    if measured is not None and measured[0] is not None:
        current = fmt(measured[0]) + (f" ± {fmt(measured[1])}" if measured[1] else "")
    baseline = NONE
    if limit is not None:
        threshold, operator = limit
        baseline = f"{_OPERATORS.get(operator, operator or 'threshold')} {fmt(threshold)}"
    return Figure(name, baseline, current, threshold=limit is not None)


def figure_text(figure: Figure, named: bool = True) -> str:
    """`mean: 3.21 → 4.8`; one side only: `mean: 4.8` (current) or `mean: 3.21 → not measured`; a
    metric: `mae: 0.91 (alert above 0.5041)`. `named=False` leaves out `name: `."""
    if figure.threshold:
        body = (
            f"{figure.current} ({figure.baseline})"
            if figure.current != NONE
            else (f"not measured ({figure.baseline})")
        )
    elif figure.baseline == NONE:
        body = "none" if figure.current == NONE else figure.current
    elif figure.current == NONE:
        body = f"{figure.baseline} → not measured"
    else:
        body = f"{figure.baseline} → {figure.current}"
    return f"{figure.name}: {body}" if named else body
