"""The distribution chart: a PNG from KLL or categorical buckets, or nothing to draw."""

from __future__ import annotations

from bot.drift.chart import distribution_png
from bot.drift.parse import FeatureStats, feature_statistics
from tests.unit.drift.samples import sample

PNG = b"\x89PNG\r\n\x1a\n"


def test_numeric_buckets_of_both_sides() -> None:
    features = feature_statistics(sample("model-monitor-data-quality-statistics.json"))
    png = distribution_png("_c2", features["_c0"], features["_c2"])
    assert png is not None and png.startswith(PNG)


def test_categorical_buckets_and_math_characters_in_names() -> None:
    features = feature_statistics(
        sample("model-monitor-data-quality-statistics-string-feature.json")
    )
    base = FeatureStats("message", categories=(("$x^2$", 3.0), ("", 1.0)))
    png = distribution_png("cost in $ <!channel>", base, features["message"])
    assert png is not None and png.startswith(PNG)


def test_nothing_to_draw() -> None:
    assert distribution_png("f", None, None) is None
    assert distribution_png("f", FeatureStats("f", mean=1.0), FeatureStats("f")) is None
