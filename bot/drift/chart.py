"""One feature's distribution, baseline against current, as a PNG (matplotlib, Agg).

Numeric features are drawn from Model Monitor's KLL buckets, each side with its own bucket
edges, as a density (share of rows per unit) so different edges still compare; string
features from the categorical buckets (the ten most frequent values of both sides). Built
on a `Figure` with its own Agg canvas: no pyplot global state, safe from any thread.
"""

from __future__ import annotations

import io

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bot.drift.parse import FeatureStats

_BASELINE, _CURRENT = "#7F8C8D", "#E01E5A"
_CATEGORIES = 10


def has_distribution(stats: FeatureStats | None) -> bool:
    return stats is not None and bool(stats.buckets or stats.categories)


def distribution_png(
    name: str, baseline: FeatureStats | None, current: FeatureStats | None
) -> bytes | None:
    """The chart, or None when neither side has a distribution to draw."""
    if not (has_distribution(baseline) or has_distribution(current)):
        return None
    figure = Figure(figsize=(7.0, 3.6), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    sides = [("baseline", baseline, _BASELINE), ("current", current, _CURRENT)]
    if any(s is not None and s.buckets for _, s, _ in sides):
        for label, stats, color in sides:
            if stats is not None and stats.buckets:
                total = sum(b[2] for b in stats.buckets) or 1.0
                edges = [b[0] for b in stats.buckets] + [stats.buckets[-1][1]]
                density = [b[2] / total / ((b[1] - b[0]) or 1.0) for b in stats.buckets]
                axes.stairs(density, edges, label=label, color=color, linewidth=2)
        axes.set_xlabel(_plain(name))
        axes.set_ylabel("share of rows per unit")
    else:
        _categories(axes, sides)
        axes.set_ylabel("share of rows")
    title = f"{name[:100]}: baseline vs current"
    missing = [s.missing_fraction if s else None for _, s, _ in sides]
    if any(missing):
        shown = [f"{100 * m:.1f}%" if m is not None else "—" for m in missing]
        title += f"\nmissing values: {shown[0]} → {shown[1]}"
    axes.set_title(_plain(title))
    axes.legend(loc="best")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def _categories(axes: Axes, sides: list[tuple[str, FeatureStats | None, str]]) -> None:
    shares: list[dict[str, float]] = []
    for _, stats, _ in sides:
        total = sum(c for _, c in stats.categories) if stats else 0.0
        shares.append({v: c / total for v, c in stats.categories} if stats and total else {})
    values = sorted(
        set(shares[0]) | set(shares[1]), key=lambda v: -max(s.get(v, 0) for s in shares)
    )
    values = values[:_CATEGORIES]
    positions = range(len(values))
    width = 0.4
    for offset, (label, _, color), share in zip(
        (-width / 2, width / 2), sides, shares, strict=True
    ):
        heights = [share.get(v, 0.0) for v in values]
        axes.bar([p + offset for p in positions], heights, width, label=label, color=color)
    axes.set_xticks(list(positions), [_plain(v[:18]) or "(empty)" for v in values], rotation=30)


def _plain(text: str) -> str:
    """Text shown as is: `$` would start matplotlib's math mode."""
    return text.replace("$", r"\$")
