"""SageMaker Clarify online explainability: the explainer's configuration and its answers.

The response schema, from AWS's page "Invoke the endpoint" (Clarify online explainability)
and its code examples: a JSON object

    {"version": "1.0",
     "predictions": {"content_type": "text/csv; charset=utf-8", "data": "0.0006380207487381"},
     "label_headers": ["fraud"],                       # optional
     "explanations": {"kernel_shap": [                 # one entry per record; null: not
         [                                             #   explained; {} when none was
             {"feature_header": "amount",              # from InferenceConfig.FeatureHeaders
              "attributions": [{"attribution": [-0.0043]}]},   # one value per label
             ...]]}}

Text features have one attribution object per unit, each with `description.partial_text`.
With data capture on, this whole object is what `endpointOutput` holds.

The response holds no expected value. Kernel SHAP values are additive, so the expected
value (the model's output on the SHAP baseline) is the prediction minus the sum of the
attributions; with `ShapConfig.UseLogit` both sides are log-odds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.explain.capture import Payload, format_of


@dataclass(frozen=True)
class Explainer:
    """What mlpulse uses of an endpoint config's `ExplainerConfig.ClarifyExplainerConfig`."""

    feature_headers: tuple[str, ...] = ()
    label_headers: tuple[str, ...] = ()
    features_attribute: str | None = None
    probability_index: int | None = None
    probability_attribute: str | None = None
    use_logit: bool = False
    enable_explanations: str | None = None  # the JMESPath condition, e.g. "`true`"


@dataclass(frozen=True)
class FeatureAttribution:
    name: str | None
    values: tuple[float, ...]  # one per label


@dataclass(frozen=True)
class ClarifyResponse:
    predictions: Payload
    label_headers: tuple[str, ...]
    explanations: tuple[tuple[FeatureAttribution, ...] | None, ...]  # per record


def explainer_of(endpoint_config: dict[str, Any]) -> Explainer | None:
    """The explainer of a DescribeEndpointConfig (or DescribeEndpoint) answer, if any."""
    outer = endpoint_config.get("ExplainerConfig")
    clarify = outer.get("ClarifyExplainerConfig") if isinstance(outer, dict) else None
    if not isinstance(clarify, dict):
        return None
    inference = clarify.get("InferenceConfig")
    inference = inference if isinstance(inference, dict) else {}
    shap = clarify.get("ShapConfig")
    shap = shap if isinstance(shap, dict) else {}
    return Explainer(
        feature_headers=_strings(inference.get("FeatureHeaders")),
        label_headers=_strings(inference.get("LabelHeaders")),
        features_attribute=_text(inference.get("FeaturesAttribute")),
        probability_index=_index(inference.get("ProbabilityIndex")),
        probability_attribute=_text(inference.get("ProbabilityAttribute")),
        use_logit=shap.get("UseLogit") is True,
        enable_explanations=_text(clarify.get("EnableExplanations")),
    )


def clarify_response(output: Payload | None) -> ClarifyResponse | None:
    """The Clarify answer an `endpointOutput` holds; None when it holds something else."""
    if output is None or output.format != "json":
        return None
    try:
        document = json.loads(output.text)
    except ValueError:
        return None
    if not isinstance(document, dict):
        return None
    predictions = document.get("predictions")
    if not isinstance(predictions, dict) or "data" not in predictions:
        return None
    content_type = str(predictions.get("content_type") or "text/csv")
    data = predictions["data"]
    text = data if isinstance(data, str) else json.dumps(data)
    explanations = document.get("explanations")
    per_record = explanations.get("kernel_shap") if isinstance(explanations, dict) else None
    return ClarifyResponse(
        predictions=Payload(content_type, format_of(content_type), text),
        label_headers=_strings(document.get("label_headers")),
        explanations=tuple(
            _record(entry) for entry in (per_record if isinstance(per_record, list) else [])
        ),
    )


def _record(entry: Any) -> tuple[FeatureAttribution, ...] | None:
    if not isinstance(entry, list):
        return None
    found: list[FeatureAttribution] = []
    for feature in entry:
        if not isinstance(feature, dict):
            continue
        header = _text(feature.get("feature_header"))
        units = [u for u in feature.get("attributions") or [] if isinstance(u, dict)]
        for unit in units:
            values = tuple(_numbers(unit.get("attribution")))
            if not values:
                continue
            description = unit.get("description")
            part = _text(description.get("partial_text")) if isinstance(description, dict) else None
            name = f"{header}: {part}" if header and part else part or header
            found.append(FeatureAttribution(name, values))
    return tuple(found)


def _numbers(value: Any) -> list[float]:
    items = value if isinstance(value, list) else [value]
    return [
        float(item)
        for item in items
        if isinstance(item, int | float) and not isinstance(item, bool)
    ]


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _index(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
