"""A model package's key evaluation metrics, beside its group's approved version's, as the
text of one fact. Pure: the reports are read by bot.approvals.lookups.

A report is the JSON a pipeline's evaluation step writes and the package declares as its
model quality statistics: SageMaker's own layout (`{"regression_metrics": {"mse":
{"value": 4.6, "standard_deviation": 0.1}}}`, `binary_classification_metrics`, ...) or a
plain `{"metrics": {"auc": 0.91}}`. Every `*metrics` section is read; a metric is a
number, or an object whose `value` is one."""

from __future__ import annotations

from typing import Any

# The metrics a reviewer looks at first, in that order; then any others, by name.
KEY_METRICS = ("auc", "accuracy", "f1", "precision", "recall", "rmse", "mse", "mae", "r2")
SHOWN = 6
_NAME_CHARS = 28


def read_metrics(report: dict[str, Any]) -> dict[str, float]:
    found: dict[str, float] = {}
    for section, metrics in report.items():
        if not (isinstance(section, str) and section.endswith("metrics")):
            continue
        if not isinstance(metrics, dict):
            continue
        for name, raw in metrics.items():
            value = raw.get("value") if isinstance(raw, dict) else raw
            if isinstance(value, int | float) and not isinstance(value, bool):
                found.setdefault(str(name), float(value))
    return found


def key_metrics(metrics: dict[str, float]) -> list[str]:
    lowered = {name.lower(): name for name in metrics}
    first = [lowered[name] for name in KEY_METRICS if name in lowered]
    rest = sorted(name for name in metrics if name not in first)
    return (first + rest)[:SHOWN]


def comparison(
    this: dict[str, float], version: str, approved: dict[str, float] | None, approved_as: str
) -> str | None:
    """`metric  v7 (this)  v5 (approved)` lines for the key metrics of `this`, or None
    when it has none."""
    names = key_metrics(this)
    if not names:
        return None
    head = ("metric", f"v{version} (this)")
    rows: list[tuple[str, ...]] = [
        head if approved is None else (*head, f"v{approved_as} (approved)")
    ]
    for name in names:
        row = (name[:_NAME_CHARS], _number(this[name]))
        rows.append(row + ((_number(approved.get(name)),) if approved is not None else ()))
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def _number(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.4g}"
