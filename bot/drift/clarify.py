"""A SageMaker Clarify analysis.json read for people: its bias metrics, per facet, with what
a bad value means, and its global SHAP attributions.

Shapes (AWS "Analysis Results" of a Clarify processing job):
`{"pre_training_bias_metrics" | "post_training_bias_metrics": {"label",
"label_value_or_threshold", "facets": {"<facet>": [{"value_or_threshold", "metrics": [{"name",
"description", "value"}]}]}}, "explanations": {"kernel_shap": {"<label>":
{"global_shap_values": {"<feature>": value}, "expected_value"}}}}`.
Pure and lenient: anything of the wrong type is skipped.

`global_attributions` is the one function a caller needs for "why": (label, feature,
attribution), largest first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.drift.parse import number

PRE_TRAINING, POST_TRAINING = "pre_training_bias_metrics", "post_training_bias_metrics"
STAGES = {PRE_TRAINING: "pre-training", POST_TRAINING: "post-training"}

_DIFFERENCE = "0 is parity; the further from 0, the more one facet is favoured"
_DIVERGENCE = "0: the facets' label distributions match; larger: they differ more"
# metric short name -> (plain name, what a bad value looks like), from the Clarify docs
MEANINGS: dict[str, tuple[str, str]] = {
    "CI": ("class imbalance", "range −1…1; near ±1 one facet has few rows in the data"),
    "DPL": ("difference in positive proportions in labels", _DIFFERENCE),
    "KL": ("Kullback–Leibler divergence", _DIVERGENCE),
    "JS": ("Jensen–Shannon divergence", _DIVERGENCE),
    "LP": ("Lp-norm", _DIVERGENCE),
    "TVD": ("total variation distance", _DIVERGENCE),
    "KS": ("Kolmogorov–Smirnov distance", _DIVERGENCE),
    "CDDL": ("conditional demographic disparity in labels", _DIFFERENCE),
    "DPPL": ("difference in positive proportions in predicted labels", _DIFFERENCE),
    "DI": (
        "disparate impact",
        "1 is parity; below 0.8 (the four-fifths rule) the facet gets markedly fewer "
        "positive predictions",
    ),
    "DCA": ("difference in conditional acceptance", _DIFFERENCE),
    "DCAcc": ("difference in conditional acceptance", _DIFFERENCE),
    "DCR": ("difference in conditional rejection", _DIFFERENCE),
    "SD": ("specificity difference", _DIFFERENCE),
    "RD": ("recall difference", _DIFFERENCE),
    "DAR": ("difference in acceptance rates", _DIFFERENCE),
    "DRR": ("difference in rejection rates", _DIFFERENCE),
    "AD": ("accuracy difference", _DIFFERENCE),
    "TE": ("treatment equality", _DIFFERENCE),
    "CDDPL": ("conditional demographic disparity in predicted labels", _DIFFERENCE),
    "FT": ("flip test", "0 is parity; the further from 0, the more predictions flip"),
    "GE": ("generalized entropy", "0: benefits spread evenly; larger: less evenly"),
}


@dataclass(frozen=True)
class BiasMetric:
    stage: str  # PRE_TRAINING or POST_TRAINING
    facet: str
    facet_value: str  # the facet's value or threshold ("" when none)
    name: str  # short name, e.g. "DI"
    value: float
    description: str = ""  # Clarify's own ("Disparate Impact (DI)")
    baseline: float | None = None  # the same metric in a baseline analysis, when read

    @property
    def meaning(self) -> str | None:
        known = MEANINGS.get(self.name)
        return known[1] if known else None

    @property
    def plain_name(self) -> str:
        known = MEANINGS.get(self.name)
        return known[0] if known else self.description.split(" (")[0] or self.name


@dataclass(frozen=True)
class Attribution:
    label: str
    feature: str
    value: float


def label_of(doc: Any, stage: str) -> str:
    """`label = 1`: the label column and its positive value, as the analysis names them."""
    block = doc.get(stage) if isinstance(doc, dict) else None
    if not isinstance(block, dict):
        return ""
    label, value = _text(block.get("label")), _text(block.get("label_value_or_threshold"))
    return f"{label} = {value}" if label and value else label


def bias_metrics(doc: Any) -> list[BiasMetric]:
    """Every bias metric, pre-training first, in the file's order."""
    found = []
    for stage in STAGES:
        block = doc.get(stage) if isinstance(doc, dict) else None
        facets = block.get("facets") if isinstance(block, dict) else None
        for facet, groups in (facets if isinstance(facets, dict) else {}).items():
            for group in groups if isinstance(groups, list) else []:
                if not isinstance(group, dict):
                    continue
                value_of = _text(group.get("value_or_threshold"))
                metrics = group.get("metrics")
                for metric in metrics if isinstance(metrics, list) else []:
                    value = number(metric.get("value")) if isinstance(metric, dict) else None
                    if isinstance(metric, dict) and value is not None:
                        name = _text(metric.get("name")) or "?"
                        description = _text(metric.get("description"))
                        found.append(
                            BiasMetric(stage, str(facet), value_of, name, value, description)
                        )
    return found


def global_attributions(doc: Any) -> list[Attribution]:
    """Global SHAP values of every label, each label's features by |attribution|, largest
    first. `explanations.<method>.<label>.global_shap_values` (a method without labels
    gives label "")."""
    explanations = doc.get("explanations") if isinstance(doc, dict) else None
    found: list[Attribution] = []
    for method in (explanations if isinstance(explanations, dict) else {}).values():
        if not isinstance(method, dict):
            continue
        labelled = {"": method} if "global_shap_values" in method else method
        for label, entry in labelled.items():
            values = entry.get("global_shap_values") if isinstance(entry, dict) else None
            pairs = [
                Attribution(str(label), str(feature), value)
                for feature, raw in (values if isinstance(values, dict) else {}).items()
                if (value := number(raw)) is not None
            ]
            found += sorted(pairs, key=lambda a: (-abs(a.value), a.feature))
    return found


def by_label(attributions: list[Attribution]) -> dict[str, list[tuple[str, float]]]:
    """The attributions of global_attributions grouped: label -> [(feature, value)], in
    their order (largest first); a label with none is left out."""
    found: dict[str, list[tuple[str, float]]] = {}
    for attribution in attributions:
        found.setdefault(attribution.label, []).append((attribution.feature, attribution.value))
    return found


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)
