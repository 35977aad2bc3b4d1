"""Model Monitor and Clarify JSON documents, read leniently into plain values.

Shapes (AWS docs "Schema for Violations/Statistics/Constraints", Clarify's analysis.json):
- constraint_violations.json: `{"violations": [{"feature_name" | "metric_name" | "facet",
  "facet_value" | "label", "constraint_check_type", "description"}]}`;
- data quality statistics.json: `{"dataset": {"item_count"}, "features": [{"name",
  "inferred_type", "numerical_statistics" | "string_statistics": {"common": {"num_present",
  "num_missing"}, "mean", "std_dev", "min", "max", "distinct_count", "distribution":
  {"kll": {"buckets": [{"lower_bound", "upper_bound", "count"}]} | {"categorical":
  {"buckets": [{"value", "count"}]}}}}]}`;
- model quality statistics.json: `{"<problem>_metrics": {"<metric>": {"value",
  "standard_deviation"}}}`; constraints.json: `{"<problem>_constraints": {"<metric>":
  {"threshold", "comparison_operator"}}}`; data quality constraints.json: `{"features":
  [{"name", "inferred_type", "completeness", "num_constraints", "string_constraints"}]}`;
- Clarify analysis.json: `{"pre_training_bias_metrics" | "post_training_bias_metrics":
  {"facets": {"<facet>": [{"value_or_threshold", "metrics": [{"name", "value"}]}]}}}`.
Anything of the wrong type is skipped, never an exception.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

_VIOLATION_KEYS = ("feature_name", "metric_name", "facet", "facet_value", "label")


@dataclass(frozen=True)
class FeatureStats:
    name: str
    inferred_type: str | None = None
    present: float | None = None
    missing: float | None = None
    mean: float | None = None
    std: float | None = None
    minimum: float | None = None
    maximum: float | None = None
    distinct: float | None = None
    buckets: tuple[tuple[float, float, float], ...] = ()  # KLL: (lower, upper, count)
    categories: tuple[tuple[str, float], ...] = ()  # (value, count), most frequent first

    @property
    def missing_fraction(self) -> float | None:
        if self.present is None or self.missing is None or self.present + self.missing <= 0:
            return None
        return self.missing / (self.present + self.missing)


def number(value: Any) -> float | None:
    """A finite float from a number or numeric string; None otherwise ("NaN" included)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        result = float(value)
    except ValueError:
        return None
    return result if math.isfinite(result) else None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def violations(doc: Any) -> list[dict[str, str]]:
    items = doc.get("violations") if isinstance(doc, dict) else None
    found = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict):
            entry = {key: _text(item.get(key)) for key in _VIOLATION_KEYS if key in item}
            entry["check"] = _text(item.get("constraint_check_type")) or "unknown_check"
            entry["description"] = _text(item.get("description")).strip()
            found.append(entry)
    return found


def feature_statistics(doc: Any) -> dict[str, FeatureStats]:
    features = doc.get("features") if isinstance(doc, dict) else None
    found: dict[str, FeatureStats] = {}
    for item in features if isinstance(features, list) else []:
        if isinstance(item, dict) and (name := _text(item.get("name"))):
            found[name] = _feature(name, item)
    return found


def _feature(name: str, item: dict[str, Any]) -> FeatureStats:
    block = item.get("numerical_statistics") or item.get("string_statistics")
    block = block if isinstance(block, dict) else {}
    common = block.get("common")
    common = common if isinstance(common, dict) else {}
    distribution = block.get("distribution")
    distribution = distribution if isinstance(distribution, dict) else {}
    return FeatureStats(
        name=name,
        inferred_type=_text(item.get("inferred_type")) or None,
        present=number(common.get("num_present")),
        missing=number(common.get("num_missing")),
        mean=number(block.get("mean")),
        std=number(block.get("std_dev")),
        minimum=number(block.get("min")),
        maximum=number(block.get("max")),
        distinct=number(block.get("distinct_count")),
        buckets=_kll(distribution.get("kll")),
        categories=_categories(distribution.get("categorical")),
    )


def _kll(kll: Any) -> tuple[tuple[float, float, float], ...]:
    buckets = kll.get("buckets") if isinstance(kll, dict) else None
    found = []
    for bucket in buckets if isinstance(buckets, list) else []:
        if isinstance(bucket, dict):
            bounds = (number(bucket.get(k)) for k in ("lower_bound", "upper_bound", "count"))
            lower, upper, count = bounds
            if lower is not None and upper is not None and count is not None:
                found.append((lower, upper, count))
    return tuple(found)


def _categories(categorical: Any) -> tuple[tuple[str, float], ...]:
    buckets = categorical.get("buckets") if isinstance(categorical, dict) else None
    found = []
    for bucket in buckets if isinstance(buckets, list) else []:
        if isinstance(bucket, dict) and (count := number(bucket.get("count"))) is not None:
            found.append((_text(bucket.get("value")), count))
    return tuple(sorted(found, key=lambda pair: -pair[1]))


def _sections(doc: Any, suffix: str) -> dict[str, dict[str, Any]]:
    """`{"regression_metrics": {...}}` -> the inner dicts, for any problem type."""
    if not isinstance(doc, dict):
        return {}
    return {k: v for k, v in doc.items() if k.endswith(suffix) and isinstance(v, dict)}


def model_metrics(doc: Any) -> dict[str, tuple[float | None, float | None]]:
    """Model quality statistics: metric -> (value, standard deviation)."""
    found: dict[str, tuple[float | None, float | None]] = {}
    for section in _sections(doc, "_metrics").values():
        for name, entry in section.items():
            if isinstance(entry, dict) and "value" in entry:
                found[name] = (number(entry.get("value")), number(entry.get("standard_deviation")))
    return found


def model_thresholds(doc: Any) -> dict[str, tuple[float, str]]:
    """Model quality constraints: metric -> (threshold, comparison operator)."""
    found: dict[str, tuple[float, str]] = {}
    for section in _sections(doc, "_constraints").values():
        for name, entry in section.items():
            threshold = number(entry.get("threshold")) if isinstance(entry, dict) else None
            if isinstance(entry, dict) and threshold is not None:
                found[name] = (threshold, _text(entry.get("comparison_operator")))
    return found


def feature_constraints(doc: Any) -> dict[str, dict[str, Any]]:
    """Data quality constraints: feature -> its entry (inferred_type, completeness, ...)."""
    features = doc.get("features") if isinstance(doc, dict) else None
    return {
        _text(item.get("name")): item
        for item in (features if isinstance(features, list) else [])
        if isinstance(item, dict) and _text(item.get("name"))
    }


def bias_metrics(doc: Any) -> dict[tuple[str, str, str], float]:
    """Clarify analysis.json: (facet, facet value, metric short name) -> value."""
    found: dict[tuple[str, str, str], float] = {}
    for key in ("pre_training_bias_metrics", "post_training_bias_metrics"):
        block = doc.get(key) if isinstance(doc, dict) else None
        facets = block.get("facets") if isinstance(block, dict) else None
        for facet, groups in (facets if isinstance(facets, dict) else {}).items():
            for group in groups if isinstance(groups, list) else []:
                group = group if isinstance(group, dict) else {}
                value_of = _text(group.get("value_or_threshold"))
                for metric in group.get("metrics") or []:
                    value = number(metric.get("value")) if isinstance(metric, dict) else None
                    if isinstance(metric, dict) and value is not None:
                        found[(facet, value_of, _text(metric.get("name")))] = value
    return found
