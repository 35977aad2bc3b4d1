"""One feature's distribution, baseline against current, as a PNG (matplotlib, Agg).

Numeric features are drawn from Model Monitor's KLL buckets. Each side has its own bucket
edges, so both are spread over one set of `BINS` equal bins between the smallest and the
largest edge (values taken as even inside a bucket, as bot.drift.distance does) and drawn
as the share of rows in each bin: bars of the same width that compare at a glance. String
features are drawn from the categorical buckets (the ten most frequent values of both
sides), also as shares of rows. The title names the feature and, when both sides have a
distribution, Model Monitor's distance between them.

Built on a `Figure` with its own Agg canvas: no pyplot global state, safe from any thread.
`distribution_figure` returns the figure itself, for tests to read its axes.
"""

from __future__ import annotations

import io
from itertools import pairwise

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bot.drift.distance import Distance, cdf_at
from bot.drift.parse import FeatureStats

_BASELINE, _CURRENT = "#7F8C8D", "#E01E5A"
_CATEGORIES = 10
BINS = 20
SHARE = "share of rows"
Side = tuple[str, FeatureStats | None, str]


def has_distribution(stats: FeatureStats | None) -> bool:
    return stats is not None and bool(stats.buckets or stats.categories)


def distribution_png(
    name: str,
    baseline: FeatureStats | None,
    current: FeatureStats | None,
    distance: Distance | None = None,
) -> bytes | None:
    """The chart, or None when neither side has a distribution to draw."""
    figure = distribution_figure(name, baseline, current, distance)
    if figure is None:
        return None
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def distribution_figure(
    name: str,
    baseline: FeatureStats | None,
    current: FeatureStats | None,
    distance: Distance | None = None,
) -> Figure | None:
    if not (has_distribution(baseline) or has_distribution(current)):
        return None
    figure = Figure(figsize=(7.0, 3.8), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    sides: list[Side] = [("baseline", baseline, _BASELINE), ("current", current, _CURRENT)]
    if any(s is not None and s.buckets for _, s, _ in sides):
        _numeric(axes, sides)
        axes.set_xlabel(_plain(f"{name[:80]} (value, {BINS} equal bins)"))
    else:
        _categories(axes, sides)
        axes.set_xlabel(_plain(f"{name[:80]} (most frequent values)"))
    axes.set_ylabel(SHARE)
    axes.yaxis.set_major_formatter(lambda share, _: f"{100 * share:.0f}%")
    axes.set_title(_plain(_title(name, sides, distance)), fontsize=10)
    axes.legend(loc="best")
    axes.grid(True, axis="y", alpha=0.3)
    figure.tight_layout()
    return figure


def _title(name: str, sides: list[Side], distance: Distance | None) -> str:
    title = f"{name[:100]}: baseline vs current"
    if distance is not None:
        title += f" · distance {distance.value:.3g} (largest gap between the CDFs)"
    missing = [s.missing_fraction if s else None for _, s, _ in sides]
    if any(m is not None for m in missing):
        shown = [f"{100 * m:.1f}%" if m is not None else "—" for m in missing]
        title += f"\nmissing values: {shown[0]} → {shown[1]}"
    return title


def _numeric(axes: Axes, sides: list[Side]) -> None:
    drawn = [(label, s, color) for label, s, color in sides if s is not None and s.buckets]
    low = min(s.buckets[0][0] for _, s, _ in drawn)
    high = max(s.buckets[-1][1] for _, s, _ in drawn)
    width = (high - low) / BINS or 1.0
    edges = [low + i * width for i in range(BINS + 1)]
    for offset, (label, stats, color) in zip((0.0, 0.5), drawn, strict=False):
        shares = [cdf_at(stats.buckets, b) - cdf_at(stats.buckets, a) for a, b in pairwise(edges)]
        lefts = [a + offset * width for a in edges[:-1]]
        axes.bar(lefts, shares, width / 2, align="edge", label=label, color=color)


def _categories(axes: Axes, sides: list[Side]) -> None:
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
