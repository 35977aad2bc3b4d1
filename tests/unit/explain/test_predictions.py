"""Captured invocations made into explained predictions: the Clarify answer as AWS
documents it, label headers and multi-label models, batches, unexplained records."""

from __future__ import annotations

import json

import pytest

from bot.explain.capture import read_capture
from bot.explain.clarify import Explainer, explainer_of
from bot.explain.model import Prediction
from bot.explain.predictions import predictions_of
from tests.unit.explain.samples import DOCS_CLARIFY_ANSWER, answer, line


def predictions(raw: str, explainer: Explainer | None = None) -> list[Prediction]:
    [record] = read_capture(raw.encode(), "f.jsonl").records
    return predictions_of(record, explainer)


def test_the_documented_answer_without_headers() -> None:
    [p] = predictions(line("1,2,3,4", json.dumps(DOCS_CLARIFY_ANSWER)))
    main = p.main
    assert main is not None and main.label is None
    assert p.fields["score"] == pytest.approx(0.0006380207487381)
    assert [name for name, _ in main.attributions] == [f"feature_{n}" for n in range(1, 5)]
    assert p.inputs[2] == ("feature_3", "3")
    # Kernel SHAP adds up: expected value + attributions = prediction
    assert main.expected == pytest.approx(
        0.0006380207487381 + 0.00433456 + 0.005369821 - 0.007917749 + 0.00261214
    )
    assert main.pushing(up=True, count=5) == [("feature_3", 0.007917749)]
    assert [n for n, _ in main.pushing(up=False, count=2)] == ["feature_2", "feature_1"]


def test_feature_headers_from_the_explainer_config() -> None:
    config = {
        "ExplainerConfig": {
            "ClarifyExplainerConfig": {
                "EnableExplanations": "[0]>`0.8`",
                "InferenceConfig": {
                    "FeatureHeaders": ["a", "b", "c", "d"],
                    "LabelHeaders": ["fraud"],
                },
                "ShapConfig": {"ShapBaselineConfig": {"ShapBaseline": "0,0,0,0"}},
            }
        }
    }
    explainer = explainer_of(config)
    assert explainer is not None and explainer.enable_explanations == "[0]>`0.8`"
    [p] = predictions(line("1,2,3,4", json.dumps(DOCS_CLARIFY_ANSWER)), explainer)
    assert p.main is not None and p.main.label == "fraud"
    assert p.input_value("c") == "3"


def test_a_multi_label_model_explains_each_label() -> None:
    body = answer(
        "0.1,0.7,0.2",
        [[("x", [0.01, 0.3, -0.1]), ("y", [-0.02, 0.1, 0.05])]],
        labels=["cat", "dog", "bird"],
    )
    [p] = predictions(line("5,6", body))
    assert [label.label for label in p.labels] == ["cat", "dog", "bird"]
    assert p.main is not None and p.main.label == "dog" and p.main.score == pytest.approx(0.7)
    assert p.main.expected == pytest.approx(0.7 - 0.4)
    assert p.fields["prediction"] == "dog" and p.fields["bird"] == pytest.approx(0.2)


def test_a_batch_gives_one_prediction_per_record_and_null_is_unexplained() -> None:
    body = answer("0.6\n0.3", [[("x", [0.4])], None])
    first, second = predictions(line("1\n2", body, event="ev"))
    assert (first.id, second.id) == ("ev#1", "ev#2")
    assert first.explained and not second.explained
    assert second.fields["score"] == pytest.approx(0.3) and second.input_value("x") == "2"


def test_one_csv_line_with_a_value_per_record() -> None:
    first, second = predictions(
        line("1\n2", "0.6,0.3", output_type="text/csv", output_encoding="CSV")
    )
    assert (first.fields["score"], second.fields["score"]) == (0.6, 0.3)


def test_explanations_left_out_by_the_condition_are_an_unexplained_prediction() -> None:
    [p] = predictions(line("1,2", answer("0.2", [])))
    assert not p.explained and p.main is None and p.fields["score"] == pytest.approx(0.2)


def test_a_json_output_names_its_fields() -> None:
    raw = line(
        '{"amount": 12, "country": "FR"}',
        '{"predicted_label": "fraud", "score": 0.93}',
        input_type="application/json",
        output_type="application/json",
        input_encoding="JSON",
    )
    [p] = predictions(raw)
    assert p.fields == {"predicted_label": "fraud", "score": 0.93, "prediction": "fraud"}
    assert p.inputs == (("amount", "12"), ("country", "FR"))


def test_log_odds_attributions_give_a_log_odds_baseline() -> None:
    explainer = Explainer(use_logit=True)
    [p] = predictions(line("1", answer("0.5", [[("x", [0.25])]])), explainer)
    assert p.main is not None and p.main.log_odds and p.main.expected == pytest.approx(-0.25)


def test_text_features_are_attributed_per_unit() -> None:
    body = json.dumps(
        {
            "version": "1.0",
            "predictions": {"content_type": "text/csv", "data": "0.9766594\n"},
            "explanations": {
                "kernel_shap": [
                    [
                        {
                            "attributions": [
                                {
                                    "attribution": [0.12],
                                    "description": {"partial_text": "good", "start_idx": 10},
                                },
                                {
                                    "attribution": [-0.01],
                                    "description": {"partial_text": "is", "start_idx": 5},
                                },
                            ],
                            "feature_type": "text",
                        }
                    ]
                ]
            },
        }
    )
    [p] = predictions(line('"This is a good product"', body))
    assert p.main is not None and p.main.strongest(1) == [("good", 0.12)]
