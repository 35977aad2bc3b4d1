"""A Model Monitor execution's violations as one short paragraph, for alerts.

    >>> violation_summary({"violations": [{"feature_name": "fare_amount",
    ...     "constraint_check_type": "data_type_check",
    ...     "description": "Only 50.0% of data is Integral."}]})
    '1 violation (1 critical): fare_amount — data type (Only 50.0% of data is Integral).'

Pure and lenient (any dict, even a malformed one, gives a sentence). The text is plain:
the caller escapes it for Slack (bot.core.text) like any other AWS text.
"""

from __future__ import annotations

from typing import Any

from bot.core.events import Severity
from bot.drift import parse
from bot.drift.findings import Finding, classify, magnitude, ordered, subject_of

SHOWN = 3
_DESCRIPTION_CHARS = 90
_SUBJECT_CHARS = 60


def violation_summary(violations_json: dict[str, Any], shown: int = SHOWN) -> str:
    """`7 violations (5 critical): tip_amount — data type (Value: 0.497 …); ...; and 4 more.`"""
    findings = ordered([_finding(v) for v in parse.violations(violations_json)])
    if not findings:
        return "No violations."
    critical = sum(1 for f in findings if f.severity == Severity.CRITICAL)
    noun = "violation" if len(findings) == 1 else "violations"
    head = f"{len(findings)} {noun}" + (f" ({critical} critical)" if critical else "")
    parts = [_describe(f) for f in findings[:shown]]
    rest = len(findings) - len(parts)
    tail = f"; and {rest} more" if rest else ""
    return f"{head}: {'; '.join(parts)}{tail}."


def check_label(check: str) -> str:
    """`data_type_check` -> `data type`; model quality's `LessThanThreshold` stays as is."""
    return check.removesuffix("_check").replace("_", " ") if check.endswith("_check") else check


def _finding(violation: dict[str, str]) -> Finding:
    monitor, severity = classify(violation)
    return Finding(
        monitor=monitor,
        check=violation["check"],
        subject=subject_of(violation),
        description=violation["description"],
        severity=severity,
        magnitude=magnitude(violation["check"], violation["description"]),
    )


def _describe(finding: Finding) -> str:
    text = f"{_cut(finding.subject, _SUBJECT_CHARS)} — {check_label(finding.check)}"
    description = finding.description.rstrip(" .!")
    return f"{text} ({_cut(description, _DESCRIPTION_CHARS)})" if description else text


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
