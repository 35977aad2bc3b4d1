"""Charts are PNGs drawn headless, deterministic, and safe whatever labels AWS gives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from commands.charts import Line, Panel, label, render

PNG = b"\x89PNG\r\n\x1a\n"


def test_renders_a_png_deterministically() -> None:
    panels = [
        Panel("validation:auc", [Line("auc", [1.0, 2.0, 3.0], [0.6, 0.8, 0.7])], mark_best=True)
    ]
    first = render("Training job churn-1", panels, xlabel="minutes")
    assert first.startswith(PNG)
    assert render("Training job churn-1", panels, xlabel="minutes") == first


def test_dates_on_the_x_axis_and_several_lines() -> None:
    times = [datetime(2026, 11, 25, 12, tzinfo=UTC) + timedelta(minutes=i) for i in range(60)]
    lines = [Line("p50", times, [10.0] * 60), Line("p99", times, [float(i) for i in range(60)])]
    assert render("latency", [Panel("ModelLatency", lines, unit="ms")]).startswith(PNG)


@pytest.mark.parametrize(
    "raw", ["$\\frac{1}{0}$", "cost $5 and $6", "_^{}\\", "<!channel>\u202e" + "x" * 500]
)
def test_hostile_labels_do_not_break_drawing(raw: str) -> None:
    png = render(
        raw,
        [Panel(raw, [Line(raw, [0.0, 1.0], [1.0, 2.0])], unit=raw, mark_best=True, lower=True)],
        xlabel=raw,
    )
    assert png.startswith(PNG)
    assert len(label(raw)) <= 70


def test_empty_panels_are_left_out_and_nothing_at_all_is_refused() -> None:
    empty = Panel("no data", [Line("x", [], [])])
    assert render("t", [empty, Panel("ok", [Line("y", [0.0], [1.0])])]).startswith(PNG)
    with pytest.raises(ValueError, match="nothing to draw"):
        render("t", [empty])
