"""Model quality metrics whose names hold digits (`f1`, `f2`, `r2`, `f0_5`): the value shown
is the metric's, never the digit of its name."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.drift.files import LocalFolder
from bot.drift.findings import MODEL_QUALITY, magnitude, numbers_in
from bot.drift.reports import load
from bot.drift.summary import violation_summary
from tests.unit.drift.samples import put_json

# metric, Model Monitor's description, value, threshold
CASES = [
    ("f1", "Metric f1 with 0.62 +/- 0.01 was LessThanThreshold '0.8'", 0.62, 0.8),
    ("f2", "Metric f2 with 0.55 +/- 0.02 was LessThanThreshold '0.75'", 0.55, 0.75),
    ("r2", "Metric r2 with -3.2 +/- NaN was LessThanThreshold '-1.5'", -3.2, -1.5),
    ("f0_5", "Metric f0_5 with 0.41 +/- 0.03 was LessThanThreshold '0.6'", 0.41, 0.6),
]


def violations(metric: str, description: str) -> dict[str, object]:
    return {
        "violations": [
            {
                "metric_name": metric,
                "constraint_check_type": "LessThanThreshold",
                "description": description,
            }
        ]
    }


@pytest.mark.parametrize(("metric", "description", "value", "threshold"), CASES)
def test_the_digit_in_a_name_is_not_a_number(
    metric: str, description: str, value: float, threshold: float
) -> None:
    assert numbers_in(description)[0] == value
    assert numbers_in(description)[-1] == threshold
    expected = abs(value - threshold) / abs(threshold)
    assert magnitude("LessThanThreshold", description) == pytest.approx(expected)


@pytest.mark.parametrize(("metric", "description", "value", "threshold"), CASES)
def test_the_report_shows_the_metric_value_from_a_violations_file_alone(
    metric: str, description: str, value: float, threshold: float, tmp_path: Path
) -> None:
    put_json(tmp_path, "constraint_violations.json", violations(metric, description))
    (finding,) = load(LocalFolder(tmp_path, "run")).findings
    assert finding.monitor == MODEL_QUALITY and finding.subject == metric
    (figure,) = finding.figures
    assert figure.current == f"{value:.4g}"
    assert figure.baseline.endswith(f"{threshold:.4g}")
    assert finding.magnitude == pytest.approx(abs(value - threshold) / abs(threshold))


@pytest.mark.parametrize(("metric", "description", "value", "threshold"), CASES)
def test_the_alert_summary_keeps_the_name_whole(
    metric: str, description: str, value: float, threshold: float
) -> None:
    summary = violation_summary(violations(metric, description))
    assert summary.startswith(f"1 violation (1 critical): {metric} — LessThanThreshold")


def test_numbers_beside_names_and_units() -> None:
    text = "Only 50.0% of _c2 is Integral; distance 1e-3, 2.5E+2 over 10 rows."
    assert numbers_in(text) == [0.5, 0.001, 250.0, 10.0]
