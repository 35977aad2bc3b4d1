"""Charts are PNGs drawn headless, deterministic, and safe whatever labels AWS gives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from commands.charts import Line, Panel, draw, label, render

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


MINUTES = [datetime(2026, 11, 25, 12, tzinfo=UTC) + timedelta(minutes=i) for i in range(60)]


def test_errors_get_their_own_axis_beside_invocations() -> None:
    """1,100 invocations a minute and a 35-error spike: on one axis the spike is a flat line
    at the bottom; on its own axis it fills the panel."""
    errors = [0.0] * 60
    errors[40] = 35.0
    panel = Panel(
        "Invocations and errors per minute",
        [Line("Invocations", MINUTES, [1100.0] * 60)],
        unit="invocations",
        secondary=[Line("4XX", MINUTES, errors), Line("5XX", MINUTES, [0.0] * 60)],
        secondary_unit="errors (4XX, 5XX)",
    )
    figure = draw("Endpoint churn-prod — last hour", [panel])
    left, right = figure.axes
    assert [line.get_label() for line in left.get_lines()] == ["Invocations"]
    assert [line.get_label() for line in right.get_lines()] == ["4XX", "5XX"]
    assert (left.get_ylabel(), right.get_ylabel()) == ("invocations", "errors (4XX, 5XX)")
    low, high = right.get_ylim()
    assert low == 0 and 35 <= high < 100  # the spike is most of the right axis's height
    assert left.get_ylim()[0] > 35  # where it would have vanished
    colours = [line.get_color() for line in (*left.get_lines(), *right.get_lines())]
    assert len(set(colours)) == 3
    legend = [t.get_text() for t in left.get_legend().get_texts()]
    assert legend == ["Invocations", "4XX", "5XX"]
    assert render("t", [panel]).startswith(PNG)


def test_times_say_they_are_utc() -> None:
    figure = draw("latency", [Panel("ModelLatency", [Line("p50", MINUTES, [1.0] * 60)])])
    assert figure.axes[-1].get_xlabel() == "time (UTC)"
    figure = draw("x", [Panel("p", [Line("a", MINUTES, [1.0] * 60)])], xlabel="minute")
    assert figure.axes[-1].get_xlabel() == "minute (UTC)"
    numbers = draw("x", [Panel("p", [Line("a", [0.0, 1.0], [1.0, 2.0])])], xlabel="minutes")
    assert numbers.axes[-1].get_xlabel() == "minutes"  # not times: no time zone to name


def test_a_panel_with_only_secondary_lines_is_still_drawn() -> None:
    panel = Panel("errors", [], secondary=[Line("5XX", MINUTES, [1.0] * 60)])
    assert len(draw("t", [panel]).axes) == 2
