"""Clarify analysis.json: bias metrics per stage and facet with what a bad value means, and
global SHAP attributions as plain data (feature, attribution), largest first."""

from __future__ import annotations

import json
from pathlib import Path

from bot.drift.clarify import (
    POST_TRAINING,
    PRE_TRAINING,
    Attribution,
    bias_metrics,
    by_label,
    global_attributions,
    label_of,
)
from bot.drift.figures import fmt
from bot.drift.files import LocalFolder
from bot.drift.render import render_report
from bot.drift.reports import load
from bot.drift.textual import report_text
from tests.unit.drift.samples import REAL_MONITOR, copy_real, put_json


def analysis(folder: str) -> dict[str, object]:
    document: dict[str, object] = json.loads((REAL_MONITOR / folder / "analysis.json").read_text())
    return document


def test_global_attributions_are_plain_data_largest_first() -> None:
    found = global_attributions(analysis("clarify-kernel-shap-docs"))
    assert found == [
        Attribution("label0", "feature_0", 0.022486410860333206),
        Attribution("label0", "feature_1", 0.007381025261958729),
        Attribution("label0", "feature_2", 0.006843906804137847),
    ]


def test_attributions_by_magnitude_per_label_and_without_labels() -> None:
    doc = {"explanations": {"kernel_shap": {
        "b": {"global_shap_values": {"x": -0.5, "y": 0.1, "bad": "NaN"}},
        "a": {"global_shap_values": {"z": 0.2}}}}}  # fmt: skip
    assert [(a.label, a.feature) for a in global_attributions(doc)] == [
        ("b", "x"),
        ("b", "y"),
        ("a", "z"),
    ]
    flat = {"explanations": {"kernel_shap": {"global_shap_values": {"x": 1.0}}}}
    assert global_attributions(flat) == [Attribution("", "x", 1.0)]
    for broken in (None, [], {"explanations": []}, {"explanations": {"kernel_shap": 3}}):
        assert global_attributions(broken) == []


def test_bias_metrics_keep_stage_facet_and_meaning() -> None:
    post = bias_metrics(analysis("clarify-posttraining-bias-docs"))
    assert [(m.stage, m.facet, m.facet_value, m.name) for m in post] == [
        (POST_TRAINING, "feature_2", "1", "DI"),
        (POST_TRAINING, "feature_2", "1", "DCR"),
    ]
    assert post[0].plain_name == "disparate impact" and "four-fifths" in (post[0].meaning or "")
    pre = bias_metrics(analysis("clarify-pretraining-bias-bad-case"))
    assert {m.stage for m in pre} == {PRE_TRAINING} and len(pre) == 8
    assert label_of(analysis("clarify-pretraining-bias-bad-case"), PRE_TRAINING) == "Label = 1"


def test_an_unknown_metric_keeps_clarifys_own_description() -> None:
    doc = {"post_training_bias_metrics": {"facets": {"age": [{"value_or_threshold": "40",
        "metrics": [{"name": "XYZ", "description": "Something New (XYZ)", "value": 0.3}]}]}}}  # fmt: skip
    (metric,) = bias_metrics(doc)
    assert (metric.plain_name, metric.meaning) == ("Something New", None)


def test_bias_and_attributions_in_text_and_slack(tmp_path: Path) -> None:
    copy_real("clarify-posttraining-bias-docs", tmp_path)
    report = load(LocalFolder(tmp_path, "run"))
    text = report_text(report)
    assert "## Bias metrics, post-training, facet feature_2 = 1 (label target = 1)" in text
    assert "- DI (disparate impact) 0.7113 · 1 is parity" in text
    assert "no violations file" in text
    payload, _ = render_report(report)
    blocks = json.dumps(payload, ensure_ascii=False)
    assert "DCR (difference in conditional rejection) -0.3478" in blocks


def test_a_baseline_analysis_stands_beside_the_current_metric(tmp_path: Path) -> None:
    copy_real("clarify-posttraining-bias-docs", tmp_path)
    baseline = {"post_training_bias_metrics": {"facets": {"feature_2": [
        {"value_or_threshold": "1", "metrics": [{"name": "DI", "value": 0.95}]}]}}}  # fmt: skip
    put_json(tmp_path / "baseline", "analysis.json", baseline)
    text = report_text(load(LocalFolder(tmp_path, "run")))
    assert "- DI (disparate impact) 0.95 → 0.7113" in text


def test_attributions_in_text_and_slack(tmp_path: Path) -> None:
    copy_real("clarify-kernel-shap-docs", tmp_path)
    report = load(LocalFolder(tmp_path, "run"))
    text = report_text(report)
    assert "## Feature attributions for label0 (global SHAP)" in text
    assert text.index("feature_0") < text.index("feature_1") < text.index("feature_2")
    payload, _ = render_report(report)
    assert "feature_0  0.02249" in json.dumps(payload, ensure_ascii=False)


def test_attributions_by_label_keep_their_order_and_drop_junk() -> None:
    doc = {
        "explanations": {
            "kernel_shap": {
                "yes": {"global_shap_values": {"a": 0.1, "b": 0.3, "c": "n/a", "d": True}},
                "no": {"global_shap_values": {}},
                "bad": [],
            }
        }
    }
    assert by_label(global_attributions(doc)) == {"yes": [("b", 0.3), ("a", 0.1)]}
    assert by_label(global_attributions({})) == {}


def test_a_baseline_analysis_puts_each_attribution_beside_its_baseline(tmp_path: Path) -> None:
    """What a feature attribution drift alert's "Why?" answers with (`/mlpulse drift`)."""
    copy_real("clarify-kernel-shap-docs", tmp_path)
    current = analysis("clarify-kernel-shap-docs")
    shap = current["explanations"]["kernel_shap"]["label0"]["global_shap_values"]
    baseline = {"explanations": {"kernel_shap": {"label0": {"global_shap_values": {
        feature: 2 * value for feature, value in shap.items()}}}}}  # fmt: skip
    put_json(tmp_path / "baseline", "analysis.json", baseline)
    report = load(LocalFolder(tmp_path, "run"))
    text = report_text(report)
    assert "## Feature attributions for label0 (global SHAP, baseline → current)" in text
    first = next(line for line in text.splitlines() if line.startswith("- feature_0"))
    assert f"{fmt(2 * shap['feature_0'])} → {fmt(shap['feature_0'])}" in first
    blocks = json.dumps(render_report(report)[0], ensure_ascii=False)
    assert "baseline → current" in blocks
