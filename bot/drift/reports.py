"""A Model Monitor (or Clarify) result, read from a folder or `s3://` prefix into a `Report`.

When there is no violations file but statistics and constraints are there, the constraints
are evaluated by mlpulse (bot.drift.evaluate) and the report says so (`Report.evaluated`).

The location may be one execution's output folder, a schedule's root holding many
(`.../2026/11/25/03/`: the latest, by path, is read), or one file (named as Model Monitor
names them, or recognised by its content). Baseline files come from a
`baseline/` folder beside the results, from the `baseline` location given, or, for
constraints, from a constraints.json next to the results. Missing, empty and corrupt files
are listed as problems; only when nothing is readable is it an error.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

from bot.core.errors import InputError
from bot.drift import clarify, parse
from bot.drift.clarify import Attribution, BiasMetric
from bot.drift.evaluate import Evaluation, evaluate_data_quality, evaluate_model_quality
from bot.drift.evidence import Known, details_of, figures_of
from bot.drift.files import Folder
from bot.drift.findings import (
    DATA_QUALITY,
    EXPLAINABILITY,
    MODEL_BIAS,
    MODEL_QUALITY,
    Finding,
    classify,
    magnitude,
    ordered,
    subject_of,
)
from bot.drift.parse import FeatureStats

VIOLATIONS, STATISTICS, CONSTRAINTS, ANALYSIS = (
    "constraint_violations.json",
    "statistics.json",
    "constraints.json",
    "analysis.json",
)
REPORT_FILES = (VIOLATIONS, STATISTICS, CONSTRAINTS, ANALYSIS)
# other names the same files are published under (an AWS example's custom container)
ALIASES = {"constraints_violations.json": VIOLATIONS}
EVALUATED_NOTE = "evaluated by mlpulse from statistics and constraints; no violations file"


@dataclass
class Documents:
    """The report files of one folder, parsed: file name -> JSON object."""

    where: str
    docs: dict[str, dict[str, Any]] = field(default_factory=dict)
    read: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass
class Report:
    location: str
    monitors: tuple[str, ...]
    findings: list[Finding]
    details: list[Finding]  # every feature or metric, violated or not, for the full report
    current: dict[str, FeatureStats]
    baseline: dict[str, FeatureStats]
    item_count: float | None = None
    files: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    # the findings are mlpulse's evaluation of the constraints, not Model Monitor's
    evaluated: bool = False
    has_violations_file: bool = False
    notes: list[str] = field(default_factory=list)  # checks that could not be evaluated
    bias: list[BiasMetric] = field(default_factory=list)
    bias_labels: dict[str, str] = field(default_factory=dict)  # stage -> "label = value"
    attributions: list[Attribution] = field(default_factory=list)
    baseline_attributions: list[Attribution] = field(default_factory=list)


def load(folder: Folder, baseline: Folder | None = None) -> Report:
    listed = folder.names()
    names = [n for n in listed if _is_report_file(n)]
    if not names and len(listed) == 1 and listed[0].lower().endswith(".json"):
        names = listed  # one file named otherwise: what it is shows in its content
    current = _documents(folder, _latest(n for n in names if not _in_baseline(n)), names)
    base = _documents(folder, _latest(n for n in names if _in_baseline(n)), names)
    if baseline is not None:
        extra = [n for n in baseline.names() if _is_report_file(n)]
        base = _documents(baseline, _latest(extra), extra)
    if not current.docs:
        detail = f" ({'; '.join(current.problems)})" if current.problems else ""
        raise InputError(
            f"no constraint_violations.json or statistics.json under {folder.where}{detail}"
        )
    return build(folder.where, current, base)


def _is_report_file(name: str) -> bool:
    base = name.rsplit("/", 1)[-1]
    return base in REPORT_FILES or base in ALIASES


def _in_baseline(name: str) -> bool:
    return "baseline" in name.lower().split("/")[:-1]


def _latest(names: Any) -> str | None:
    """The folder of the latest execution: the greatest path holding a result file."""
    folders = {n.rsplit("/", 1)[0] if "/" in n else "" for n in names}
    return max(folders) if folders else None


def _documents(folder: Folder, chosen: str | None, names: list[str]) -> Documents:
    found = Documents(folder.where)
    if chosen is None:
        return found
    for name in names:
        parent, _, base = name.rpartition("/")
        if parent == chosen:
            _read(folder, name, base, found)
    return found


def _read(folder: Folder, name: str, base: str, into: Documents) -> None:
    raw = folder.read(name)
    if raw is None:
        into.problems.append(f"{name}: unreadable")
    elif not raw.strip():
        into.problems.append(f"{name}: empty")
    else:
        try:
            doc = json.loads(raw.decode("utf-8", errors="replace"))
        except ValueError as error:
            into.problems.append(f"{name}: not valid JSON ({str(error)[:80]})")
            return
        if not isinstance(doc, dict):
            into.problems.append(f"{name}: not a JSON object")
            return
        role = base if base in REPORT_FILES else ALIASES.get(base) or role_of(doc)
        if role is None:
            into.problems.append(f"{name}: not a Model Monitor or Clarify result")
            return
        into.docs[role] = doc
        into.read.append(name)


def role_of(doc: dict[str, Any]) -> str | None:
    """Which report file a JSON object is, from its content."""
    if "violations" in doc:
        return VIOLATIONS
    if {"pre_training_bias_metrics", "post_training_bias_metrics", "explanations"} & set(doc):
        return ANALYSIS
    if any(key.endswith("_metrics") for key in doc):
        return STATISTICS
    if any(key.endswith("_constraints") for key in doc) or "monitoring_config" in doc:
        return CONSTRAINTS
    features = doc.get("features")
    if isinstance(features, list):
        measured = ("numerical_statistics", "string_statistics")
        if any(isinstance(f, dict) and any(k in f for k in measured) for f in features):
            return STATISTICS
        return CONSTRAINTS
    return None


def build(where: str, current: Documents, base: Documents) -> Report:
    stats_doc = current.docs.get(STATISTICS)
    constraints_doc = base.docs.get(CONSTRAINTS) or current.docs.get(CONSTRAINTS)
    analysis = current.docs.get(ANALYSIS)
    baseline_analysis = base.docs.get(ANALYSIS) or base.docs.get(CONSTRAINTS)
    known = Known(
        current=parse.feature_statistics(stats_doc),
        baseline=parse.feature_statistics(base.docs.get(STATISTICS)),
        constraints=parse.feature_constraints(constraints_doc),
        metrics=parse.model_metrics(stats_doc),
        thresholds=parse.model_thresholds(constraints_doc),
        bias_now=parse.bias_metrics(analysis),
        bias_then=parse.bias_metrics(baseline_analysis),
    )
    has_file = VIOLATIONS in current.docs
    evaluation = Evaluation() if has_file else _evaluate(known, constraints_doc)
    evaluated = not has_file and stats_doc is not None and constraints_doc is not None
    violations = parse.violations(current.docs.get(VIOLATIONS)) + evaluation.violations
    findings = [_finding(violation, known) for violation in violations]
    monitors = {f.monitor for f in findings} | _monitors_of(current.docs, known)
    dataset = stats_doc.get("dataset") if stats_doc else None
    return Report(
        location=where,
        monitors=tuple(sorted(monitors)),
        findings=ordered(findings),
        details=details_of(known),
        current=known.current,
        baseline=known.baseline,
        item_count=parse.number(dataset.get("item_count")) if isinstance(dataset, dict) else None,
        files=current.read + base.read,
        problems=current.problems + base.problems,
        evaluated=evaluated,
        has_violations_file=has_file,
        notes=evaluation.notes,
        bias=[_with_baseline(m, known) for m in clarify.bias_metrics(analysis)],
        bias_labels={
            stage: label for stage in clarify.STAGES if (label := clarify.label_of(analysis, stage))
        },
        attributions=clarify.global_attributions(analysis),
        baseline_attributions=clarify.global_attributions(baseline_analysis),
    )


def _evaluate(known: Known, constraints_doc: dict[str, Any] | None) -> Evaluation:
    config = parse.monitoring_config(constraints_doc)
    data = evaluate_data_quality(known.current, known.baseline, known.constraints, config)
    model = evaluate_model_quality(known.metrics, known.thresholds)
    return Evaluation(data.violations + model.violations, data.notes + model.notes)


def _finding(violation: dict[str, str], known: Known) -> Finding:
    monitor, severity = classify(violation)
    figures, current_value, feature = figures_of(violation, monitor, known)
    return Finding(
        monitor=monitor,
        check=violation["check"],
        subject=subject_of(violation),
        description=violation["description"],
        severity=severity,
        magnitude=magnitude(violation["check"], violation["description"], current_value),
        figures=figures,
        feature=feature,
    )


def _with_baseline(metric: BiasMetric, known: Known) -> BiasMetric:
    then = known.bias_then.get((metric.facet, metric.facet_value, metric.name))
    return replace(metric, baseline=then) if then is not None else metric


def _monitors_of(docs: dict[str, dict[str, Any]], known: Known) -> set[str]:
    found = set()
    if known.current or known.constraints:
        found.add(DATA_QUALITY)
    if known.metrics or known.thresholds:
        found.add(MODEL_QUALITY)
    if known.bias_now:
        found.add(MODEL_BIAS)
    if "explanations" in docs.get(ANALYSIS, {}):
        found.add(EXPLAINABILITY)
    return found
