"""Global feature attributions from a Clarify explainability analysis (`analysis.json`), as
a SageMaker Clarify processing job or a Model Monitor feature-attribution (ModelExplainability)
execution writes it:

    {"explanations": {"kernel_shap": {"label0": {
        "global_shap_values": {"feature_0": 0.0225, "feature_1": 0.0074},
        "expected_value": 0.5082}}}}

`global_shap_values` are mean absolute SHAP values per feature. (The drift-reports work
reads the same file in bot.drift; the two readers are to be merged.)
"""

from __future__ import annotations

from typing import Any


def global_attributions(doc: dict[str, Any]) -> dict[str, list[tuple[str, float]]]:
    """label -> [(feature, mean |SHAP|)], largest first; {} when the document has none."""
    explanations = doc.get("explanations") if isinstance(doc, dict) else None
    methods = explanations if isinstance(explanations, dict) else {}
    found: dict[str, list[tuple[str, float]]] = {}
    for method in methods.values():  # kernel_shap (and any later method of the same shape)
        if not isinstance(method, dict):
            continue
        for label, block in method.items():
            values = block.get("global_shap_values") if isinstance(block, dict) else None
            if not isinstance(values, dict):
                continue
            pairs = [
                (str(feature), float(value))
                for feature, value in values.items()
                if isinstance(value, int | float) and not isinstance(value, bool)
            ]
            if pairs:
                found.setdefault(str(label), sorted(pairs, key=lambda p: (-abs(p[1]), p[0])))
    return found


def expected_values(doc: dict[str, Any]) -> dict[str, float]:
    """label -> the analysis's expected value (the baseline's mean prediction)."""
    explanations = doc.get("explanations") if isinstance(doc, dict) else None
    found: dict[str, float] = {}
    for method in (explanations or {}).values() if isinstance(explanations, dict) else []:
        for label, block in method.items() if isinstance(method, dict) else []:
            value = block.get("expected_value") if isinstance(block, dict) else None
            if isinstance(value, int | float) and not isinstance(value, bool):
                found.setdefault(str(label), float(value))
    return found
