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
  [{"name", "inferred_type", "completeness", "num_constraints", "string_constraints":
  {"domains"}}], "monitoring_config": {"evaluate_constraints", "datatype_check_threshold",
  "domain_content_threshold", "distribution_constraints": {"perform_comparison",
  "comparison_threshold", "comparison_method", "categorical_comparison_threshold",
  "categorical_drift_method"}}}`;
- Clarify analysis.json: `{"pre_training_bias_metrics" | "post_training_bias_metrics":
  {"facets": {"<facet>": [{"value_or_threshold", "metrics": [{"name", "value"}]}]}}}`.
Anything of the wrong type is skipped, never an exception.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

_VIOLATION_KEYS = ("feature_name", "metric_name", "facet", "facet_value", "label")
# keys that say where a violation came from, not what it is
_CONTEXT_KEYS = (
    "constraint_check_type",
    "description",
    "endpoint_name",
    "monitoring_schedule_name",
)


@dataclass(frozen=True)
class MonitoringConfig:
    """`monitoring_config` of a data quality constraints.json, with AWS's documented defaults
    ("Schema for Constraints": thresholds 0.1, comparison enabled, categorical threshold
    the numeric one, categorical method LInfinity). The comparison method has no documented
    default; `Robust` is what the SageMaker SDK's suggested baselines write."""

    evaluate: bool = True
    datatype_threshold: float = 0.1
    domain_threshold: float = 0.1
    compare: bool = True
    threshold: float = 0.1
    method: str = "Robust"
    categorical_threshold: float = 0.1
    categorical_method: str = "LInfinity"


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
            entry["description"] = _text(item.get("description")).strip() or _extra(item)
            found.append(entry)
    return found


def _extra(item: dict[str, Any]) -> str:
    """A custom container's own keys (`"sentence": "..."`) stand for a missing description."""
    skipped = (*_VIOLATION_KEYS, *_CONTEXT_KEYS)
    found = [
        f"{key}: {value}"
        for key, value in item.items()
        if key not in skipped and isinstance(value, str | int | float) and str(value).strip()
    ]
    return "; ".join(found).strip()


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


def monitoring_config(doc: Any) -> MonitoringConfig:
    config = doc.get("monitoring_config") if isinstance(doc, dict) else None
    config = config if isinstance(config, dict) else {}
    dist = config.get("distribution_constraints")
    dist = dist if isinstance(dist, dict) else {}
    threshold = _number_or(dist.get("comparison_threshold"), 0.1)
    # older suggested baselines write `"enable_comparisons": true` instead of perform_comparison
    compare = _enabled(dist.get("perform_comparison", dist.get("enable_comparisons", True)))
    return MonitoringConfig(
        evaluate=_enabled(config.get("evaluate_constraints", True)),
        datatype_threshold=_number_or(config.get("datatype_check_threshold"), 0.1),
        domain_threshold=_number_or(config.get("domain_content_threshold"), 0.1),
        compare=compare,
        threshold=threshold,
        method=_text(dist.get("comparison_method") or dist.get("comparion_method")) or "Robust",
        categorical_threshold=_number_or(dist.get("categorical_comparison_threshold"), threshold),
        categorical_method=_text(dist.get("categorical_drift_method")) or "LInfinity",
    )


def _number_or(value: Any, default: float) -> float:
    found = number(value)
    return default if found is None else found


def _enabled(value: Any) -> bool:
    """`"Enabled"`, `true`: on; `"Disabled"`, `false`: off."""
    if isinstance(value, str):
        return value.strip().lower() not in ("disabled", "false", "off")
    return bool(value)


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
