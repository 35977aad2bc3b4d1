"""CloudWatch's alarm vocabulary in the words people read: comparison operators as `≥ 10`,
statistics as the console spells them, periods as `5 min`, why actions are suppressed.
Used by the alarm table (bot.kinds.alarm)."""

from __future__ import annotations

import re
from typing import Any

from bot.kinds.paths import number, text

_NOT_LETTERS = re.compile(r"[^a-z]")


def _word(value: Any) -> str:
    """`GreaterThanThreshold`, `GREATER_THAN_THRESHOLD` (CDK's spelling) -> one key."""
    return _NOT_LETTERS.sub("", str(value).lower()) if value is not None else ""


# Every ComparisonOperator of PutMetricAlarm: (what is written before the threshold,
# whether it compares with an anomaly detection band rather than a number).
_OPERATORS: dict[str, tuple[str, bool]] = {
    "greaterthanorequaltothreshold": ("≥", False),
    "greaterthanthreshold": (">", False),
    "lessthanthreshold": ("<", False),
    "lessthanorequaltothreshold": ("≤", False),
    "lessthanlowerorgreaterthanupperthreshold": ("outside the band", True),
    "lessthanlowerthreshold": ("below the band", True),
    "greaterthanupperthreshold": ("above the band", True),
}
OPERATOR_NAMES = (
    "GreaterThanOrEqualToThreshold",
    "GreaterThanThreshold",
    "LessThanThreshold",
    "LessThanOrEqualToThreshold",
    "LessThanLowerOrGreaterThanUpperThreshold",
    "LessThanLowerThreshold",
    "GreaterThanUpperThreshold",
)


# Units of the metrics whose raw figures mislead without one: SageMaker reports latencies in
# microseconds (a 500 ms threshold reads 500000), utilization in percent (summed over cores).
_UNITS: dict[tuple[str, str], str] = {
    ("AWS/SageMaker", "ModelLatency"): "µs",
    ("AWS/SageMaker", "OverheadLatency"): "µs",
    **{
        ("/aws/sagemaker/Endpoints", name): "%"
        for name in (
            "CPUUtilization",
            "MemoryUtilization",
            "DiskUtilization",
            "GPUUtilization",
            "GPUMemoryUtilization",
        )
    },
}


def unit_of(namespace: Any, metric: Any) -> str:
    """The unit a metric's figures are in, where knowing it changes how they read."""
    return _UNITS.get((text(namespace) or "", text(metric) or ""), "")


def _with_unit(value: float, unit: str) -> str:
    """`500000 µs (500 ms)`: a microsecond figure also in milliseconds, as people think."""
    if unit == "µs":
        return f"{value:.6g} µs ({value / 1000:.6g} ms)"
    return f"{value:.6g}{unit}" if unit == "%" else f"{value:.6g}"


def comparison(operator: Any, threshold: Any, band: Any, unit: str = "") -> str | None:
    """`≥ 10`; `outside the band ad1` for an anomaly detection alarm (its `band` is the
    ThresholdMetricId); an operator CloudWatch does not have is shown as it came. `unit`:
    the metric's (unit_of), written after the threshold."""
    value = number(threshold)
    shown_value = _with_unit(value, unit) if value is not None else None
    known = _OPERATORS.get(_word(operator))
    if known is None:
        parts = (text(operator), shown_value)
        return " ".join(part for part in parts if part) or None
    words, compares_band = known
    if compares_band:
        return f"{words} {text(band) or ''}".strip()
    return f"{words} {shown_value}" if shown_value else None


_STATISTICS = {
    "average": "Average",
    "sum": "Sum",
    "minimum": "Minimum",
    "maximum": "Maximum",
    "samplecount": "SampleCount",
}


def statistic(value: Any) -> str | None:
    """`AVERAGE` (a classic notification's spelling) -> `Average`; percentiles and other
    extended statistics (`p99`, `tm90`) as they are."""
    shown = text(value)
    return _STATISTICS.get(_word(shown), shown) if shown else None


def period(seconds: Any) -> str | None:
    """`300` -> `5 min`, `3600` -> `1 h`, `10` -> `10 s`."""
    value = number(seconds)
    if value is None or value <= 0 or value != int(value):
        return text(seconds)
    whole = int(value)
    if whole % 3600 == 0:
        return f"{whole // 3600} h"
    if whole % 60 == 0:
        return f"{whole // 60} min"
    return f"{whole} s"


def suppression(by: Any, suppressor: Any, wait: Any, extension: Any, said: Any) -> str | None:
    """Why an alarm's actions are suppressed, naming the suppressor alarm: it is in ALARM,
    or the composite alarm waits for it to go into ALARM (the wait period), or it has just
    left ALARM (the extension period); after either period the actions run. `said` is
    CloudWatch's own sentence, used when the suppressor is not named."""
    name = text(suppressor)
    cause = _word(by)
    if not name:
        return text(said) or text(by)
    if cause == "alarm":
        return f"{name} (in ALARM)"
    if cause == "waitperiod":
        most = f" up to {shown}" if (shown := period(wait)) else ""
        return f"{name} (waiting{most} for it to go into ALARM, then actions run)"
    if cause == "extensionperiod":
        most = f" for up to {shown}" if (shown := period(extension)) else ""
        return f"{name} (it left ALARM; actions stay suppressed{most})"
    return f"{name} ({text(said) or text(by)})"
