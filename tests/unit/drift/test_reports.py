"""Reading Model Monitor and Clarify results into reports: every published sample, the
baseline figures beside each violation, the severity order, and empty or corrupt files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.core.errors import InputError
from bot.core.events import Severity
from bot.drift.files import LocalFolder
from bot.drift.findings import DATA_QUALITY, EXPLAINABILITY, MODEL_BIAS, MODEL_QUALITY
from bot.drift.render import render_report
from bot.drift.reports import Report, load
from bot.drift.textual import report_text
from notifiers import limits
from tests.unit.drift.samples import REPORT_SAMPLES, put_json, put_sample, sample, violation

EXPECTED_MONITOR = {
    "model-monitor-bias-drift-constraint-violations.json": MODEL_BIAS,
    "model-monitor-feature-attribution-drift-constraint-violations.json": EXPLAINABILITY,
    "clarify-bias-analysis.json": MODEL_BIAS,
}


def read(folder: Path, baseline: Path | None = None) -> Report:
    return load(
        LocalFolder(folder, str(folder)), LocalFolder(baseline, str(baseline)) if baseline else None
    )


def test_every_sample_is_known() -> None:
    assert len(REPORT_SAMPLES) == 12


@pytest.mark.parametrize("fixture", sorted(REPORT_SAMPLES))
def test_every_sample_is_parsed_and_reported(fixture: str, tmp_path: Path) -> None:
    put_sample(tmp_path, fixture)
    report = read(tmp_path)
    expected = EXPECTED_MONITOR.get(
        fixture, MODEL_QUALITY if "model-quality" in fixture else DATA_QUALITY
    )
    assert report.monitors == (expected,)
    assert report.problems == [] and report.files == [REPORT_SAMPLES[fixture]]
    violations = sample(fixture).get("violations", [])
    assert len(report.findings) == len(violations)
    assert report.findings or report.details or report.bias  # something to show either way
    text = report_text(report)
    for finding in report.findings:
        assert finding.subject in text and finding.description in text
    payload, _ = render_report(report)
    assert limits.problems(payload) == []


def test_data_quality_violations_worst_first(tmp_path: Path) -> None:
    put_sample(tmp_path, "model-monitor-data-quality-constraint-violations.json")
    findings = read(tmp_path).findings
    assert [f.severity for f in findings] == [Severity.CRITICAL] * 6 + [Severity.WARNING]
    checks = [f.check for f in findings]
    assert checks == ["data_type_check"] * 5 + ["completeness_check", "categorical_values_check"]
    # within a check, the furthest from the constraint first: 49.7% of tip_amount typed right
    assert [f.subject for f in findings[:3]] == ["tip_amount", "fare_amount", "tolls_amount"]


def test_baseline_figures_stand_beside_current_ones(tmp_path: Path) -> None:
    current = sample("model-monitor-data-quality-statistics.json")
    current["features"][2]["numerical_statistics"].update(mean=4.8, std_dev=0.9)
    current["features"][2]["numerical_statistics"]["common"].update(num_missing=25)
    put_json(tmp_path / "run", "statistics.json", current)
    put_json(
        tmp_path / "run",
        "constraint_violations.json",
        {
            "violations": [
                violation(
                    "_c2",
                    "baseline_drift_check",
                    "Baseline drift distance: 0.62 exceeds threshold: 0.1",
                )
            ]
        },
    )
    put_sample(tmp_path / "run" / "baseline", "model-monitor-data-quality-statistics.json")
    put_sample(tmp_path / "run" / "baseline", "model-monitor-data-quality-constraints.json")
    report = read(tmp_path / "run")
    (finding,) = report.findings
    figures = {f.name: (f.baseline, f.current) for f in finding.figures}
    assert figures["mean"] == ("3.21", "4.8")
    assert figures["std"] == ("1.976", "0.9")
    assert figures["missing"] == ("0.0%", "20.0%")
    assert figures["type"] == ("Fractional", "Fractional")
    assert finding.magnitude == pytest.approx(0.62) and finding.feature == "_c2"
    assert "baseline/statistics.json" in report.files


def test_string_features_show_their_top_values(tmp_path: Path) -> None:
    put_sample(tmp_path, "model-monitor-data-quality-statistics-string-feature.json")
    put_sample(tmp_path / "baseline", "model-monitor-data-quality-constraints-string-feature.json")
    put_json(
        tmp_path,
        "constraint_violations.json",
        {
            "violations": [
                violation(
                    "message",
                    "categorical_values_check",
                    "Value: 0.2 does not meet the constraint requirement! ",
                )
            ]
        },
    )
    (finding,) = read(tmp_path).findings
    figures = {f.name: (f.baseline, f.current) for f in finding.figures}
    assert figures["top values"] == ("—", "preproc-not-YET-supported-for-csv-json 100%")
    assert figures["type"] == ("String", "String")
    assert finding.magnitude == pytest.approx(0.8)


def test_model_quality_shows_the_metric_and_its_threshold(tmp_path: Path) -> None:
    statistics = sample("model-monitor-model-quality-regression-statistics.json")
    statistics["regression_metrics"]["mae"]["value"] = 0.91
    put_json(tmp_path, "statistics.json", statistics)
    put_sample(tmp_path / "baseline", "model-monitor-model-quality-regression-constraints.json")
    put_json(
        tmp_path,
        "constraint_violations.json",
        {"violations": [{"metric_name": "mae", "constraint_check_type": "GreaterThanThreshold",
                         "description": "Metric mae with 0.91 +/- 0.0 was GreaterThanThreshold '0.5040653554420981'"}]},
    )  # fmt: skip
    report = read(tmp_path)
    (finding,) = report.findings
    assert finding.monitor == MODEL_QUALITY and finding.severity == Severity.CRITICAL
    (figure,) = finding.figures
    assert (figure.name, figure.baseline, figure.current) == ("mae", "alert above 0.5041", "0.91")
    assert finding.magnitude == pytest.approx((0.91 - 0.5040653554420981) / 0.5040653554420981)
    assert {d.subject for d in report.details} == {"mae", "mse", "rmse", "r2"}


def test_bias_drift_against_its_baseline_analysis(tmp_path: Path) -> None:
    put_sample(tmp_path, "model-monitor-bias-drift-constraint-violations.json")
    baseline = {"post_training_bias_metrics": {"facets": {"Age": [
        {"value_or_threshold": "40", "metrics": [{"name": "CI", "value": 0.01}, {"name": "DPPL", "value": -0.02}]}]}}}  # fmt: skip
    put_json(tmp_path / "baseline", "analysis.json", baseline)
    findings = read(tmp_path).findings
    assert [f.subject for f in findings] == ["DPPL for Age=40", "CI for Age=40"]
    assert [(f.figures[0].baseline, f.figures[0].current) for f in findings] == [
        ("-0.02", "-0.07912"),
        ("0.01", "0.07515"),
    ]


def test_the_latest_execution_of_a_schedule_is_read(tmp_path: Path) -> None:
    for hour, value in (("02", 0.5), ("03", 0.9), ("01", 0.1)):
        put_json(
            tmp_path / "2026" / "11" / "25" / hour,
            "constraint_violations.json",
            {"violations": [violation("age", "baseline_drift_check", f"distance: {value}")]},
        )
    report = read(tmp_path)
    assert report.files == ["2026/11/25/03/constraint_violations.json"]
    assert report.findings[0].magnitude == 0.9


def test_nothing_readable_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(
        InputError, match=r"^no constraint_violations.json or statistics.json under "
    ):
        read(tmp_path)
    (tmp_path / "statistics.json").write_text("")
    (tmp_path / "constraint_violations.json").write_text('{"violations": [')
    with pytest.raises(InputError) as raised:
        read(tmp_path)
    assert "statistics.json: empty" in str(raised.value)
    assert "constraint_violations.json: not valid JSON" in str(raised.value)


@pytest.mark.parametrize(
    "content",
    ["", "   \n", "[1, 2]", "null", '{"violations": [', b"\xff\xfe\x00garbage"],
    ids=["empty", "blank", "list", "null", "truncated", "binary"],
)
def test_a_corrupt_file_beside_a_good_one_is_listed_not_fatal(
    content: str | bytes, tmp_path: Path
) -> None:
    put_sample(tmp_path, "model-monitor-data-quality-statistics.json")
    target = tmp_path / "constraint_violations.json"
    target.write_bytes(content if isinstance(content, bytes) else content.encode())
    report = read(tmp_path)
    assert report.findings == [] and len(report.details) == 6
    assert [p.split(":")[0] for p in report.problems] == ["constraint_violations.json"]
    assert "constraint_violations.json" in report_text(report)


def test_wrong_types_inside_the_files_are_skipped(tmp_path: Path) -> None:
    put_json(
        tmp_path,
        "constraint_violations.json",
        {"violations": [1, "x", None, {"description": 7}, {}]},
    )
    put_json(
        tmp_path,
        "statistics.json",
        {"features": [1, {"name": 3}, {"name": "ok", "numerical_statistics": "x"}], "dataset": []},
    )
    report = read(tmp_path)
    assert [f.check for f in report.findings] == ["unknown_check", "unknown_check"]
    assert [d.subject for d in report.details] == ["3", "ok"]
    payload, _ = render_report(report)
    assert limits.problems(payload) == []


def test_hostile_text_is_escaped_in_the_slack_payload(tmp_path: Path) -> None:
    hostile = "<!channel> & <@U123> <https://evil.example|click>"
    put_json(
        tmp_path,
        "constraint_violations.json",
        {"violations": [violation(hostile, "data_type_check", hostile * 50)]},
    )
    payload, _ = render_report(read(tmp_path))
    dumped = json.dumps(payload)
    assert "<!channel>" not in dumped and "<@U123>" not in dumped and "&lt;!channel&gt;" in dumped
    assert limits.problems(payload) == []


def test_a_long_report_is_summarised_and_marked_for_attachment(tmp_path: Path) -> None:
    many = [
        violation(f"feature_{i:03d}", "baseline_drift_check", f"distance {i / 1000} " + "x" * 300)
        for i in range(400)
    ]
    put_json(tmp_path, "constraint_violations.json", {"violations": many})
    report = read(tmp_path)
    payload, cut = render_report(report)
    assert cut and limits.problems(payload) == []
    assert report.findings[0].subject == "feature_399"  # the largest distance first
    assert "the full report is attached as `drift-" in json.dumps(payload)
    assert all(f"feature_{i:03d}" in report_text(report) for i in range(400))
