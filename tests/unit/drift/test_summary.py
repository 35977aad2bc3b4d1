"""`violation_summary`: the paragraph an alert can carry about a Model Monitor execution."""

from __future__ import annotations

from typing import Any

import pytest

from bot.drift.summary import violation_summary
from tests.unit.drift.samples import REPORT_SAMPLES, sample, violation


@pytest.mark.parametrize("fixture", [f for f in sorted(REPORT_SAMPLES) if "violations" in f])
def test_every_violations_sample_summarises(fixture: str) -> None:
    document = sample(fixture)
    text = violation_summary(document)
    count = len(document["violations"])
    assert text.startswith(f"{count} violation") and text.endswith(".")
    assert len(text) <= 700 and "\n" not in text


def test_the_worst_come_first_and_the_rest_are_counted() -> None:
    text = violation_summary(sample("model-monitor-data-quality-constraint-violations.json"))
    assert text.startswith("7 violations (6 critical): tip_amount — data type (Value: 0.497")
    assert text.endswith("; and 4 more.")


def test_model_quality_names_the_metric_and_comparison() -> None:
    document = {"violations": [{"metric_name": "auc", "constraint_check_type": "LessThanThreshold",
                                "description": "Metric auc with 0.5 +/- 0.0 was LessThanThreshold '0.94'"}]}  # fmt: skip
    assert violation_summary(document) == (
        "1 violation (1 critical): auc — LessThanThreshold "
        "(Metric auc with 0.5 +/- 0.0 was LessThanThreshold '0.94')."
    )


@pytest.mark.parametrize(
    "document", [{}, {"violations": []}, {"violations": "x"}, {"violations": [1, None]}]
)
def test_nothing_to_say_is_said_plainly(document: dict[str, Any]) -> None:
    assert violation_summary(document) == "No violations."


def test_long_and_multiline_text_is_cut_to_one_short_line() -> None:
    document = {"violations": [violation("f" * 500, "baseline_drift_check", "a\nb " * 400)] * 5}
    text = violation_summary(document)
    assert "\n" not in text and len(text) < 600 and text.endswith("; and 2 more.")
