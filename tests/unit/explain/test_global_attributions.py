"""Global attributions from Clarify's analysis.json: the published sample, and shapes it may
take (several labels, odd values)."""

from __future__ import annotations

import json
from pathlib import Path

from bot.explain.global_attributions import expected_values, global_attributions

PUBLISHED = (
    Path(__file__).parents[2] / "fixtures/real/monitor/clarify-kernel-shap-docs/analysis.json"
)


def test_the_published_analysis() -> None:
    document = json.loads(PUBLISHED.read_text())
    assert global_attributions(document) == {
        "label0": [
            ("feature_0", 0.022486410860333206),
            ("feature_1", 0.007381025261958729),
            ("feature_2", 0.006843906804137847),
        ]
    }
    assert expected_values(document) == {"label0": 0.508233428001}


def test_several_labels_largest_first_and_junk_ignored() -> None:
    document = {
        "explanations": {
            "kernel_shap": {
                "yes": {"global_shap_values": {"a": 0.1, "b": 0.3, "c": "n/a", "d": True}},
                "no": {"global_shap_values": {}},
                "bad": [],
            }
        }
    }
    assert global_attributions(document) == {"yes": [("b", 0.3), ("a", 0.1)]}
    assert global_attributions({}) == {} and global_attributions({"explanations": []}) == {}
