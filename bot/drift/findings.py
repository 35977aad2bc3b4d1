"""One violated feature or metric, how bad it is, and the order findings are shown in.

Severity: critical when the data or the model is broken (a missing column, a wrong data
type, missing values, a model quality metric past its threshold); warning for drift (a
distribution, unseen categories, an extra column, a bias metric, feature attribution).
Within a severity findings keep the order of `CHECKS`, then the largest magnitude first:
how far the figure in the description is from what was expected (1 - the observed fraction
for type, completeness and category checks; the distance for baseline drift; the relative
gap to the threshold for model quality; |value| for a bias metric; threshold - nDCG for
attribution drift).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.events import Severity

DATA_QUALITY = "DataQuality"
MODEL_QUALITY = "ModelQuality"
MODEL_BIAS = "ModelBias"
EXPLAINABILITY = "ModelExplainability"
MONITOR_LABELS = {
    DATA_QUALITY: "data quality",
    MODEL_QUALITY: "model quality",
    MODEL_BIAS: "bias drift",
    EXPLAINABILITY: "feature attribution drift",
}

# check type -> (monitor, severity); the order here is the display order within a severity
CHECKS: dict[str, tuple[str, Severity]] = {
    "missing_column_check": (DATA_QUALITY, Severity.CRITICAL),
    "data_type_check": (DATA_QUALITY, Severity.CRITICAL),
    "completeness_check": (DATA_QUALITY, Severity.CRITICAL),
    "model_quality_check": (MODEL_QUALITY, Severity.CRITICAL),
    "baseline_drift_check": (DATA_QUALITY, Severity.WARNING),
    "categorical_values_check": (DATA_QUALITY, Severity.WARNING),
    "extra_column_check": (DATA_QUALITY, Severity.WARNING),
    "bias_drift_check": (MODEL_BIAS, Severity.WARNING),
    "feature_attribution_drift_check": (EXPLAINABILITY, Severity.WARNING),
}
_ORDER = {name: index for index, name in enumerate(CHECKS)}
_FRACTION_CHECKS = ("data_type_check", "completeness_check", "categorical_values_check")
_SEVERITY_RANK = {Severity.CRITICAL: 0, Severity.WARNING: 1, Severity.INFO: 2}
# A number stands alone: the digits of a name (`f1`, `r2`, `f0_5`, `_c2`) are not one.
_NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?%?(?!\w)")


@dataclass(frozen=True)
class Figure:
    """One baseline-against-current figure shown beside a finding (already formatted)."""

    name: str
    baseline: str
    current: str
    threshold: bool = False  # `baseline` is the threshold to meet, not a baseline value


@dataclass(frozen=True)
class Finding:
    monitor: str
    check: str  # Model Monitor's constraint_check_type, as written in the report
    subject: str  # the feature, metric, facet or label
    description: str
    severity: Severity
    magnitude: float = 0.0
    figures: tuple[Figure, ...] = ()
    feature: str | None = None  # a data feature with statistics, for charts

    @property
    def sort_key(self) -> tuple[int, int, float, str]:
        order = _ORDER.get(_family(self.check), len(_ORDER))
        return (_SEVERITY_RANK[self.severity], order, -self.magnitude, self.subject)


def ordered(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda finding: finding.sort_key)


def is_model_quality_check(check: str) -> bool:
    """Model quality violations name the comparison (`LessThanThreshold`) as their check."""
    return check.endswith("Threshold")


def _family(check: str) -> str:
    return "model_quality_check" if is_model_quality_check(check) else check


def classify(violation: dict[str, str]) -> tuple[str, Severity]:
    check = violation["check"]
    if (known := CHECKS.get(_family(check))) is not None:
        return known
    if "facet" in violation:
        return MODEL_BIAS, Severity.WARNING
    if "label" in violation:
        return EXPLAINABILITY, Severity.WARNING
    return (DATA_QUALITY if "feature_name" in violation else MODEL_QUALITY), Severity.WARNING


def subject_of(violation: dict[str, str]) -> str:
    if "facet" in violation:
        facet = f"{violation['facet']}={violation.get('facet_value', '')}".rstrip("=")
        return f"{violation.get('metric_name', '?')} for {facet}"
    if "label" in violation:
        return f"{violation.get('metric_name') or 'shap'} for {violation['label']}"
    return violation.get("feature_name") or violation.get("metric_name") or "(dataset)"


def numbers_in(text: str) -> list[float]:
    """The numbers in a description; `95.0%` reads as 0.95."""
    found = []
    for token in _NUMBER.findall(text):
        value = float(token.rstrip("%"))
        found.append(value / 100 if token.endswith("%") else value)
    return found


def magnitude(check: str, description: str, current: float | None = None) -> float:
    values = numbers_in(description)
    family = _family(check)
    if family in _FRACTION_CHECKS:
        observed = _observed_fraction(description, values)
        return max(0.0, 1.0 - observed) if observed is not None else 0.0
    if family == "baseline_drift_check":
        return abs(values[0]) if values else 0.0
    if family == "bias_drift_check":
        return abs(current if current is not None else values[0] if values else 0.0)
    if len(values) >= 2 and family in ("feature_attribution_drift_check", "model_quality_check"):
        value = current if current is not None else values[0]  # `Metric auc with 0.5 +/- ...`
        return abs(value - values[-1]) / max(abs(values[-1]), 1e-9)
    if len(values) >= 2 and family in ("missing_column_check", "extra_column_check"):
        return abs(values[-1] - values[-2])
    return 0.0


def _observed_fraction(description: str, values: list[float]) -> float | None:
    """`Observed: Only 50.0% of data is Integral.` or `Value: 0.4995 does not meet ...`."""
    observed = description.lower().rfind("observed")
    tail = numbers_in(description[observed:]) if observed != -1 else []
    if tail:
        return tail[0]
    return values[0] if values and 0.0 <= values[0] <= 1.0 else None
