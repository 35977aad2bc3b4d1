"""Constraints evaluated by mlpulse when there is no violations file: the published
"bad baseline" outputs, then each check alone, with its threshold and its edge."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from bot.core.events import Severity
from bot.drift.evaluate import evaluate_data_quality, evaluate_model_quality
from bot.drift.files import LocalFolder
from bot.drift.parse import FeatureStats, MonitoringConfig, feature_statistics, monitoring_config
from bot.drift.reports import Report, load
from bot.drift.textual import report_text
from tests.unit.drift.samples import copy_real, put_json, put_sample, sample


def read(folder: Path) -> Report:
    return load(LocalFolder(folder, "run"))


def test_the_type_mismatch_baseline_is_a_violation_found_by_mlpulse(tmp_path: Path) -> None:
    report = read(copy_real("data-quality-type-mismatch-bad-baseline", tmp_path))
    assert report.evaluated and not report.has_violations_file
    (finding,) = report.findings
    assert (finding.subject, finding.check, finding.severity) == (
        "_c5",
        "data_type_check",
        Severity.CRITICAL,
    )
    assert "Expected data type: String" in finding.description
    assert "inferred as Fractional" in finding.description
    text = report_text(report)
    assert "1 violation (1 critical) found by mlpulse" in text
    assert "no violations file" in text and "no violations ·" not in text
    assert report.notes == ["baseline drift: no baseline statistics.json to compare with"]


def test_the_regression_baseline_breaks_one_threshold_with_its_operator(tmp_path: Path) -> None:
    report = read(copy_real("model-quality-regression-bad-baseline", tmp_path))
    # mae and rmse equal their GreaterThan thresholds, r2 equals its LessThan one: not violated
    (finding,) = report.findings
    assert (finding.subject, finding.check) == ("mse", "GreaterThanThreshold")
    assert finding.description == "Metric mse with 0.333649 was GreaterThanThreshold 0.0336493"
    assert finding.figures[0].current == "0.3336"
    assert "alert above 0.03365" in finding.figures[0].baseline
    assert finding.magnitude == pytest.approx((0.333649 - 0.0336493) / 0.0336493, rel=1e-4)


@pytest.mark.parametrize(
    ("operator", "value", "violated"),
    [
        ("GreaterThanThreshold", 0.5, False),
        ("GreaterThanThreshold", 0.51, True),
        ("GreaterThanOrEqualToThreshold", 0.5, True),
        ("LessThanThreshold", 0.5, False),
        ("LessThanThreshold", 0.49, True),
        ("LessThanOrEqualToThreshold", 0.5, True),
        ("LessThanOrEqualToThreshold", 0.51, False),
    ],
)
def test_each_comparison_operator(operator: str, value: float, violated: bool) -> None:
    found = evaluate_model_quality({"f1": (value, None)}, {"f1": (0.5, operator)})
    assert [v["metric_name"] for v in found.violations] == (["f1"] if violated else [])
    assert found.notes == []


def test_an_unknown_operator_is_a_note_not_a_guess() -> None:
    found = evaluate_model_quality({"auc": (0.1, None)}, {"auc": (0.5, "AboutThreshold")})
    assert found.violations == []
    assert found.notes == ["auc: unknown comparison operator AboutThreshold"]


def statistics() -> dict[str, Any]:
    return sample("model-monitor-data-quality-statistics.json")


def constraints() -> dict[str, Any]:
    return sample("model-monitor-data-quality-constraints.json")


def evaluate(
    current: dict[str, Any], limits: dict[str, Any], baseline: dict[str, Any] | None = None
) -> list[tuple[str, str]]:
    found = evaluate_data_quality(
        feature_statistics(current),
        feature_statistics(baseline),
        {f["name"]: f for f in limits["features"]},
        monitoring_config(limits),
    )
    return [(v["feature_name"], v["check"]) for v in found.violations]


def test_matching_statistics_and_constraints_have_no_violation() -> None:
    assert evaluate(statistics(), constraints(), baseline=statistics()) == []


def test_completeness_below_the_constraint() -> None:
    current = statistics()
    current["features"][1]["numerical_statistics"]["common"].update(num_missing=10)
    assert evaluate(current, constraints()) == [("_c1", "completeness_check")]
    found = evaluate_data_quality(
        feature_statistics(current),
        {},
        {f["name"]: f for f in constraints()["features"]},
        MonitoringConfig(),
    )
    assert "Observed: 90.9% of values present" in found.violations[0]["description"]


def test_integral_data_meets_a_fractional_constraint_and_string_does_not() -> None:
    current = statistics()
    current["features"][0]["inferred_type"] = "Integral"
    current["features"][2]["inferred_type"] = "String"
    assert evaluate(current, constraints()) == [("_c2", "data_type_check")]


def test_missing_and_extra_columns() -> None:
    current = statistics()
    current["features"][3]["name"] = "surprise"
    assert sorted(evaluate(current, constraints())) == [
        ("_c3", "missing_column_check"),
        ("surprise", "extra_column_check"),
    ]


def test_categorical_values_outside_the_domain() -> None:
    current = sample("model-monitor-data-quality-statistics-string-feature.json")
    limits = sample("model-monitor-data-quality-constraints-string-feature.json")
    limits["monitoring_config"]["domain_content_threshold"] = 1.0
    before = evaluate(current, limits)
    assert before == [("second_message", "missing_column_check")]  # as published
    buckets = current["features"][0]["string_statistics"]["distribution"]["categorical"]
    buckets["buckets"].append({"value": "new-kind-of-message", "count": 1})
    assert evaluate(current, limits) == [("message", "categorical_values_check"), *before]


def test_evaluate_constraints_disabled_means_nothing_is_evaluated() -> None:
    current = statistics()
    current["features"][0]["inferred_type"] = "String"
    limits = constraints()
    limits["monitoring_config"]["evaluate_constraints"] = "Disabled"
    assert evaluate(current, limits) == []


def shifted(by: float) -> dict[str, Any]:
    """The statistics with `_c2`'s KLL buckets moved right by `by` (as a whole)."""
    moved = copy.deepcopy(statistics())
    kll = moved["features"][2]["numerical_statistics"]["distribution"]["kll"]
    for bucket in kll["buckets"]:
        bucket["lower_bound"] += by
        bucket["upper_bound"] += by
    return moved


def test_baseline_drift_against_the_comparison_threshold() -> None:
    limits = constraints()
    limits["monitoring_config"]["distribution_constraints"]["comparison_method"] = "Simple"
    assert evaluate(shifted(0.0), limits, baseline=statistics()) == []
    assert evaluate(shifted(3.0), limits, baseline=statistics()) == [
        ("_c2", "baseline_drift_check")
    ]


def test_robust_forgives_a_shift_that_100_rows_could_show_by_chance() -> None:
    """_c2 has 100 rows a side: the robust allowance is 1.8 * sqrt(2/100) = 0.255."""
    limits = constraints()
    distribution = limits["monitoring_config"]["distribution_constraints"]
    distribution["comparison_method"] = "Simple"
    assert evaluate(shifted(0.6), limits, baseline=statistics()) == [
        ("_c2", "baseline_drift_check")
    ]
    distribution["comparison_method"] = "Robust"
    assert evaluate(shifted(0.6), limits, baseline=statistics()) == []


def test_perform_comparison_disabled_is_said(tmp_path: Path) -> None:
    limits = constraints()
    limits["monitoring_config"]["distribution_constraints"]["perform_comparison"] = "Disabled"
    put_json(tmp_path, "statistics.json", shifted(3.0))
    put_json(tmp_path / "baseline", "constraints.json", limits)
    put_sample(tmp_path / "baseline", "model-monitor-data-quality-statistics.json")
    report = read(tmp_path)
    assert report.findings == []
    assert report.notes == [
        "baseline drift: distribution comparison is disabled in constraints.json"
    ]
    assert "no violations found by mlpulse" in report_text(report)


def test_a_violations_file_is_never_second_guessed(tmp_path: Path) -> None:
    copy_real("data-quality-type-mismatch-bad-baseline", tmp_path)
    put_json(tmp_path, "constraint_violations.json", {"violations": []})
    report = read(tmp_path)
    assert report.findings == [] and not report.evaluated and report.has_violations_file
    assert "data quality · no violations · 100 rows" in report_text(report)


def test_monitoring_config_defaults_and_spellings() -> None:
    assert monitoring_config({}) == MonitoringConfig()
    config = monitoring_config(
        {"monitoring_config": {"distribution_constraints": {
            "enable_comparisons": False, "comparion_method": "Simple", "comparison_threshold": 0.3}}}
    )  # fmt: skip
    assert (config.compare, config.method, config.threshold) == (False, "Simple", 0.3)
    assert config.categorical_threshold == 0.3  # defaults to the numeric one


def test_chi_squared_categorical_drift_is_not_evaluated_and_says_so() -> None:
    base = {"message": FeatureStats("message", categories=(("a", 90.0), ("b", 10.0)))}
    now = {"message": FeatureStats("message", categories=(("a", 10.0), ("b", 90.0)))}
    limits = {"message": {"name": "message"}}
    found = evaluate_data_quality(
        now, base, limits, MonitoringConfig(categorical_method="ChiSquared")
    )
    assert found.violations == []
    assert found.notes == [
        "baseline drift of categorical features (ChiSquared method is not evaluated): message"
    ]
    found = evaluate_data_quality(now, base, limits, MonitoringConfig())
    assert [v["check"] for v in found.violations] == ["baseline_drift_check"]
