"""PNG line charts for command replies, drawn headless.

matplotlib's object API with the Agg canvas: no pyplot, no global figure state, no display,
safe from several threads at once. Labels come from AWS, so `$` (matplotlib's maths markup)
is escaped and long names are cut. Output is deterministic for the same data.

A panel may put some lines on a second y axis at its right (`secondary`), for a series of
another scale: 35 errors a minute stay visible beside 1,100 invocations. Times are drawn in
UTC and the x axis says so.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

MAX_PANELS = 6
MAX_LINES = 8  # per panel
_LABEL_CHARS = 60
_WIDTH = 8.0  # inches
_PANEL_HEIGHT = 2.6
_DPI = 100


@dataclass(frozen=True)
class Line:
    label: str
    x: Sequence[float] | Sequence[datetime]
    y: Sequence[float]


@dataclass(frozen=True)
class Panel:
    title: str
    lines: Sequence[Line]
    unit: str = ""  # y axis label
    mark_best: bool = False  # a dot on each line's best point (lowest when `lower`)
    lower: bool = False
    secondary: Sequence[Line] = ()  # drawn on their own y axis, at the right
    secondary_unit: str = ""


def label(raw: str) -> str:
    """An AWS string made safe for a matplotlib label."""
    text = "".join(ch for ch in raw if ch.isprintable())
    if len(text) > _LABEL_CHARS:
        text = text[: _LABEL_CHARS - 1] + "…"
    return text.replace("$", r"\$")


def render(title: str, panels: Sequence[Panel], xlabel: str = "") -> bytes:
    """The panels stacked in one PNG, sharing the x axis."""
    figure = draw(title, panels, xlabel)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def draw(title: str, panels: Sequence[Panel], xlabel: str = "") -> Figure:
    """The matplotlib figure `render` saves (tests read its axes)."""
    shown = [panel for panel in panels if _has_data(panel)][:MAX_PANELS]
    if not shown:
        raise ValueError("nothing to draw")
    # matplotlib is imported when a chart is drawn, not when the bot starts: it costs
    # about a second and tens of megabytes that most processes never need.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
    from matplotlib.figure import Figure

    figure = Figure(figsize=(_WIDTH, 0.6 + _PANEL_HEIGHT * len(shown)), dpi=_DPI)
    FigureCanvasAgg(figure)
    axes = figure.subplots(len(shown), 1, sharex=True, squeeze=False)[:, 0]
    for ax, panel in zip(axes, shown, strict=True):
        _draw(ax, panel)
    if _uses_dates(shown):
        locator = AutoDateLocator(tz=UTC)  # type: ignore[no-untyped-call]
        axes[-1].xaxis.set_major_locator(locator)
        axes[-1].xaxis.set_major_formatter(ConciseDateFormatter(locator, tz=UTC))  # type: ignore[no-untyped-call]
        xlabel = f"{xlabel or 'time'} (UTC)"
    if xlabel:
        axes[-1].set_xlabel(label(xlabel))
    figure.suptitle(label(title), fontsize=12, fontweight="bold")
    figure.tight_layout()
    return figure


def _draw(ax: Axes, panel: Panel) -> None:
    for line in list(panel.lines)[:MAX_LINES]:
        if not line.y:
            continue
        xs: list[Any] = list(line.x)
        values = list(line.y)
        drawn = ax.plot(xs, values, label=label(line.label), linewidth=1.6)
        if panel.mark_best:
            best = values.index(min(values) if panel.lower else max(values))
            color = drawn[0].get_color()
            ax.plot([xs[best]], [values[best]], "o", color=color)
            ax.annotate(
                f"best {values[best]:.4g}",
                (xs[best], values[best]),
                textcoords="offset points",
                xytext=(-6, 7),
                ha="right",
                fontsize=8,
                color=color,
            )
    ax.margins(y=0.12)
    ax.set_title(label(panel.title), fontsize=10, loc="left")
    if panel.unit:
        ax.set_ylabel(label(panel.unit))
    ax.grid(True, alpha=0.3)
    handles, labels = ax.get_legend_handles_labels()
    secondary = [line for line in list(panel.secondary)[:MAX_LINES] if line.y]
    if secondary:
        right = ax.twinx()
        # the colours go on from the left axis's cycle, so no two lines share one
        for index, line in enumerate(secondary, start=len(ax.get_lines())):
            times: list[Any] = list(line.x)
            right.plot(
                times,
                list(line.y),
                label=label(line.label),
                linewidth=1.6,
                linestyle="--",
                color=f"C{index % 10}",
            )
        right.set_ylim(bottom=0)
        if panel.secondary_unit:
            right.set_ylabel(label(panel.secondary_unit))
        more_handles, more_labels = right.get_legend_handles_labels()
        handles, labels = handles + more_handles, labels + more_labels
    if len(handles) > 1:
        ax.legend(handles, labels, fontsize=8, loc="upper left")


def _has_data(panel: Panel) -> bool:
    return any(line.y for line in (*panel.lines, *panel.secondary))


def _uses_dates(panels: Sequence[Panel]) -> bool:
    return any(
        isinstance(next(iter(line.x), None), datetime)
        for panel in panels
        for line in (*panel.lines, *panel.secondary)
    )
