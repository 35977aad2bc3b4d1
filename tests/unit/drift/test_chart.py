"""The distribution chart, read from its matplotlib figure: plain axis labels, shares of rows
on common bins, the distance in the title; and the endpoint answer's chart picks the most
drifted feature by distance, not the first violation."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from bot.core.events import Severity
from bot.drift.chart import BINS, SHARE, distribution_figure, distribution_png
from bot.drift.distance import drift_distance
from bot.drift.findings import DATA_QUALITY, Finding
from bot.drift.monitors import worst_chart
from bot.drift.parse import FeatureStats, feature_statistics
from bot.drift.reports import Report
from tests.unit.drift.samples import sample

PNG = b"\x89PNG\r\n\x1a\n"


def numeric() -> dict[str, FeatureStats]:
    return feature_statistics(sample("model-monitor-data-quality-statistics.json"))


def test_numeric_chart_has_plain_labels_and_shares_that_add_up() -> None:
    features = numeric()
    distance = drift_distance(features["_c0"], features["_c2"], "Simple")
    figure = distribution_figure("_c2", features["_c0"], features["_c2"], distance)
    assert figure is not None
    (axes,) = figure.axes
    assert axes.get_xlabel() == f"_c2 (value, {BINS} equal bins)"
    assert axes.get_ylabel() == SHARE == "share of rows"
    assert "distance" in axes.get_title() and "_c2: baseline vs current" in axes.get_title()
    assert [t.get_text() for t in axes.get_legend().get_texts()] == ["baseline", "current"]
    for container in axes.containers:
        heights = [patch.get_height() for patch in container]
        assert len(heights) == BINS and sum(heights) == pytest.approx(1.0)


def test_categorical_chart_names_its_values() -> None:
    strings = feature_statistics(
        sample("model-monitor-data-quality-statistics-string-feature.json")
    )
    base = FeatureStats("message", categories=(("$x^2$", 3.0), ("", 1.0)))
    figure = distribution_figure("cost in $ <!channel>", base, strings["message"])
    assert figure is not None
    (axes,) = figure.axes
    assert axes.get_ylabel() == "share of rows"
    assert axes.get_xlabel() == r"cost in \$ <!channel> (most frequent values)"
    labels = [t.get_text() for t in axes.get_xticklabels()]
    assert r"\$x^2\$" in labels and "(empty)" in labels
    png = distribution_png("cost in $ <!channel>", base, strings["message"])
    assert png is not None and png.startswith(PNG)


def test_nothing_to_draw() -> None:
    assert distribution_png("f", None, None) is None
    assert distribution_png("f", FeatureStats("f", mean=1.0), FeatureStats("f")) is None


def finding(feature: str, check: str, severity: Severity = Severity.WARNING) -> Finding:
    return Finding(DATA_QUALITY, check, feature, "", severity, feature=feature)


def moved(stats: FeatureStats, by: float) -> FeatureStats:
    buckets = tuple((lo + by, hi + by, count) for lo, hi, count in stats.buckets)
    return replace(stats, buckets=buckets)


def report(findings: list[Finding], baseline: dict[str, Any], current: dict[str, Any]) -> Report:
    return Report("run", (DATA_QUALITY,), findings, [], current, baseline)


def test_the_chart_shows_the_most_drifted_feature_not_the_first_violation() -> None:
    base = numeric()
    now = dict(base) | {"_c1": moved(base["_c1"], 0.05), "_c3": moved(base["_c3"], 2.0)}
    findings = [
        finding("_c1", "data_type_check", Severity.CRITICAL),  # shown first, barely moved
        finding("_c3", "baseline_drift_check"),
    ]
    found = worst_chart([report(findings, base, now)])
    assert found is not None and found[0] == "_c3" and found[1].startswith(PNG)


def test_without_two_sides_the_worst_finding_with_a_distribution_is_drawn() -> None:
    now = numeric()
    findings = [finding("gone", "missing_column_check"), finding("_c4", "completeness_check")]
    found = worst_chart([report(findings, {}, now)])
    assert found is not None and found[0] == "_c4"
    assert worst_chart([report([finding("gone", "missing_column_check")], {}, now)]) is None
