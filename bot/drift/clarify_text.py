"""A Clarify analysis's bias metrics and global SHAP attributions as plain lines, shared by
the terminal/attachment text (bot.drift.textual) and the Slack payload (bot.drift.render,
which escapes each line). Pure."""

from __future__ import annotations

from itertools import groupby

from bot.drift.clarify import STAGES, Attribution, BiasMetric
from bot.drift.figures import fmt

SHOWN_FEATURES = 10  # per label
_BAR = 12  # characters of the widest attribution bar


def bias_sections(metrics: list[BiasMetric], labels: dict[str, str]) -> list[tuple[str, list[str]]]:
    """(heading, lines) per stage and facet:
    `Bias metrics, post-training, facet feature_2 = 1 (label target = 1)`."""
    sections = []
    for (stage, facet, value), group in groupby(
        metrics, key=lambda m: (m.stage, m.facet, m.facet_value)
    ):
        label = labels.get(stage)
        heading = f"Bias metrics, {STAGES.get(stage, stage)}, facet {facet}"
        heading += f" = {value}" if value else ""
        heading += f" (label {label})" if label else ""
        sections.append((heading, [bias_line(m) for m in group]))
    return sections


def bias_line(metric: BiasMetric) -> str:
    """`DI (disparate impact) 0.7113 · 1 is parity; below 0.8 …`"""
    value = fmt(metric.value)
    if metric.baseline is not None:
        value = f"{fmt(metric.baseline)} → {value}"
    line = f"{metric.name} ({metric.plain_name}) {value}"
    return f"{line} · {metric.meaning}" if metric.meaning else line


def attribution_sections(
    attributions: list[Attribution], baseline: list[Attribution] | None = None
) -> list[tuple[str, list[str]]]:
    """(heading, lines) per label, the largest attributions first, with a bar to compare;
    with the baseline's attributions, each feature's as `baseline → current` (what a
    feature attribution drift is about: the features the model leans on changed)."""
    before = {(a.label, a.feature): a.value for a in baseline or []}
    sections = []
    for label, group in groupby(attributions, key=lambda a: a.label):
        rows = list(group)
        widest = max(abs(a.value) for a in rows) or 1.0
        lines = [
            f"{a.feature}  {_then_now(before.get((a.label, a.feature)), a.value)}  "
            f"{'█' * max(1, round(_BAR * abs(a.value) / widest))}"
            for a in rows[:SHOWN_FEATURES]
        ]
        if len(rows) > SHOWN_FEATURES:
            lines.append(f"… and {len(rows) - SHOWN_FEATURES} more features")
        heading = "Feature attributions" + (f" for {label}" if label else "") + " (global SHAP"
        heading += ", baseline → current)" if before else ")"
        sections.append((heading, lines))
    return sections


def _then_now(then: float | None, now: float) -> str:
    return f"{fmt(then)} → {fmt(now)}" if then is not None else fmt(now)
