"""Constraints evaluated by mlpulse, for a Model Monitor result that has statistics and
constraints but no constraint_violations.json (a baseline run, a job that stopped before
writing it, files copied by hand). Pure: parsed documents in, violations out, in the shape
`bot.drift.parse.violations` gives, with descriptions that carry their figures the way
Model Monitor's do (the observed value first, the threshold last) so findings rank them
alike.

The checks follow AWS "Schema for Violations" and "Schema for Constraints":
- data type: the current inferred type against the constraint's `inferred_type`. Only the
  column's inferred type is in statistics.json, not the share of values of each type, so
  `datatype_check_threshold` cannot be applied; an Integral column satisfies a Fractional
  constraint (every integer is a fraction), any other difference is a violation;
- completeness: the share of non-missing values below the constraint's `completeness`;
- categorical values: the share of current values in `string_constraints.domains` below
  `domain_content_threshold`, from the categorical buckets;
- baseline drift: bot.drift.distance against `comparison_threshold` (numeric) or
  `categorical_comparison_threshold`, when baseline statistics are there and both sides
  have distributions; `ChiSquared` is not evaluated (its p-value needs the raw counts test);
- extra and missing columns: names in the statistics and not in the constraints, and back;
- model quality: each metric against its threshold with its `comparison_operator`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.drift.distance import drift_distance, is_simple
from bot.drift.parse import FeatureStats, MonitoringConfig, number

# comparison operator -> when the value violates the threshold
OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "GreaterThanThreshold": lambda value, limit: value > limit,
    "GreaterThanOrEqualToThreshold": lambda value, limit: value >= limit,
    "LessThanThreshold": lambda value, limit: value < limit,
    "LessThanOrEqualToThreshold": lambda value, limit: value <= limit,
}
_NUMERIC = ("Integral", "Fractional")
_EPSILON = 1e-9


@dataclass
class Evaluation:
    violations: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # checks that could not be made, and why


def evaluate_data_quality(
    current: dict[str, FeatureStats],
    baseline: dict[str, FeatureStats],
    constraints: dict[str, dict[str, Any]],
    config: MonitoringConfig,
) -> Evaluation:
    found = Evaluation()
    if not current or not constraints:
        return found
    if not config.evaluate:
        found.notes.append("data quality: constraints.json sets evaluate_constraints to Disabled")
        return found
    for name, constraint in constraints.items():
        stats = current.get(name)
        if stats is None:
            found.violations.append(_missing_column(name, len(current), len(constraints)))
            continue
        for check in (_data_type, _completeness, _categorical_values):
            if (violation := check(name, stats, constraint, config)) is not None:
                found.violations.append(violation)
    for name in current:
        if name not in constraints:
            found.violations.append(_extra_column(name, len(current), len(constraints)))
    _baseline_drift(current, baseline, constraints, config, found)
    return found


def evaluate_model_quality(
    metrics: dict[str, tuple[float | None, float | None]], thresholds: dict[str, tuple[float, str]]
) -> Evaluation:
    found = Evaluation()
    for name, (limit, operator) in thresholds.items():
        value, spread = metrics.get(name, (None, None))
        violated = OPERATORS.get(operator)
        if violated is None:
            found.notes.append(f"{name}: unknown comparison operator {operator or '(none)'}")
        elif value is not None and violated(value, limit):
            plus = f" +/- {spread:g}" if spread is not None else ""
            found.violations.append(
                {
                    "metric_name": name,
                    "check": operator,
                    "description": f"Metric {name} with {value:g}{plus} was {operator} {limit:g}",
                }
            )
    return found


def _violation(name: str, check: str, description: str) -> dict[str, str]:
    return {"feature_name": name, "check": check, "description": description}


def _missing_column(name: str, current: int, expected: int) -> dict[str, str]:
    return _violation(
        name,
        "missing_column_check",
        f"Column in the baseline constraints but not in the current data. Current columns: "
        f"{current}, baseline columns: {expected}",
    )


def _extra_column(name: str, current: int, expected: int) -> dict[str, str]:
    return _violation(
        name,
        "extra_column_check",
        f"Column in the current data but not in the baseline constraints. Current columns: "
        f"{current}, baseline columns: {expected}",
    )


def _data_type(
    name: str, stats: FeatureStats, constraint: dict[str, Any], _: MonitoringConfig
) -> dict[str, str] | None:
    expected, seen = constraint.get("inferred_type"), stats.inferred_type
    if not isinstance(expected, str) or not seen or seen == expected:
        return None
    if (seen, expected) == ("Integral", "Fractional") or "Unknown" in (seen, expected):
        return None
    return _violation(
        name,
        "data_type_check",
        f"Expected data type: {expected}. Observed: the current data is inferred as {seen}",
    )


def _completeness(
    name: str, stats: FeatureStats, constraint: dict[str, Any], _: MonitoringConfig
) -> dict[str, str] | None:
    expected = number(constraint.get("completeness"))
    missing = stats.missing_fraction
    if expected is None or missing is None or 1.0 - missing >= expected - _EPSILON:
        return None
    return _violation(
        name,
        "completeness_check",
        f"Expected completeness: {100 * expected:.1f}%. "
        f"Observed: {100 * (1.0 - missing):.1f}% of values present",
    )


def _categorical_values(
    name: str, stats: FeatureStats, constraint: dict[str, Any], config: MonitoringConfig
) -> dict[str, str] | None:
    strings = constraint.get("string_constraints")
    domains = strings.get("domains") if isinstance(strings, dict) else None
    total = sum(count for _, count in stats.categories)
    if not isinstance(domains, list) or not domains or total <= 0:
        return None
    known = {str(value) for value in domains}
    share = sum(count for value, count in stats.categories if value in known) / total
    if share >= config.domain_threshold - _EPSILON:
        return None
    return _violation(
        name,
        "categorical_values_check",
        f"Observed: {100 * share:.1f}% of values in the baseline's domain of {len(known)}. "
        f"Expected at least {100 * config.domain_threshold:.1f}%",
    )


def _baseline_drift(
    current: dict[str, FeatureStats],
    baseline: dict[str, FeatureStats],
    constraints: dict[str, dict[str, Any]],
    config: MonitoringConfig,
    into: Evaluation,
) -> None:
    if not config.compare:
        into.notes.append("baseline drift: distribution comparison is disabled in constraints.json")
        return
    if not baseline:
        into.notes.append("baseline drift: no baseline statistics.json to compare with")
        return
    chi_squared = config.categorical_method.lower() == "chisquared"
    skipped = []
    for name in constraints:
        distance = drift_distance(baseline.get(name), current.get(name), config.method)
        if distance is None:
            continue
        if distance.categorical and chi_squared:
            skipped.append(name)
            continue
        limit = config.categorical_threshold if distance.categorical else config.threshold
        if distance.value > limit:
            way = "simple" if is_simple(config.method) else "robust"
            into.violations.append(
                _violation(
                    name,
                    "baseline_drift_check",
                    f"Baseline drift distance: {distance.value:.4g} exceeds threshold: "
                    f"{limit:g} (L-infinity between the distributions, {way})",
                )
            )
    if skipped:
        into.notes.append(
            "baseline drift of categorical features (ChiSquared method is not evaluated): "
            + ", ".join(skipped[:10])
        )
