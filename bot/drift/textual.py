"""Drift reports as plain text: what `mlpulse drift` prints, and the full report attached to
a Slack answer when it does not fit (Markdown-friendly: it reads well raw or rendered).

Text only for a terminal or a file, never for Slack blocks (those escape; see render.py).
Control characters from AWS text (a terminal escape sequence in a feature name) are removed.
"""

from __future__ import annotations

from bot.core.events import Severity
from bot.core.text import clean
from bot.drift import stats
from bot.drift.clarify_text import attribution_sections, bias_sections
from bot.drift.compare import Comparison, FeatureDrift, Side
from bot.drift.figures import NONE, figure_text, fmt, pct
from bot.drift.findings import MONITOR_LABELS, Finding
from bot.drift.reports import EVALUATED_NOTE, Report
from bot.drift.summary import check_label

THRESHOLDS = (
    f"Verdicts: fewer than {stats.MIN_ROWS} rows on a side: insufficient data. PSI in excess "
    f"of its no-drift expectation < {stats.PSI_MODERATE} stable, {stats.PSI_MODERATE}–"
    f"{stats.PSI_MAJOR} moderate, ≥ {stats.PSI_MAJOR} major, when its chi-square test has "
    f"p < {stats.ALPHA}; KS D ≥ {stats.KS_MODERATE} with p < {stats.KS_ALPHA}, or JS distance "
    f"≥ {stats.JS_DRIFTED}: moderate."
)


def monitors_line(report: Report) -> str:
    labels = [MONITOR_LABELS.get(m, m) for m in report.monitors] or ["unknown monitor"]
    return ", ".join(labels)


def tally(findings: list[Finding]) -> str:
    if not findings:
        return "no violations"
    critical = sum(1 for f in findings if f.severity == Severity.CRITICAL)
    parts = [f"{critical} critical"] if critical else []
    if warnings := len(findings) - critical:
        parts.append(f"{warnings} warning" + ("s" if warnings > 1 else ""))
    noun = "violation" if len(findings) == 1 else "violations"
    return f"{len(findings)} {noun} ({', '.join(parts)})"


def verdict(report: Report) -> str:
    """The tally, and whose it is: Model Monitor's violations file, mlpulse's evaluation of
    the constraints, or neither (a Clarify analysis, statistics alone)."""
    if report.evaluated:
        return f"{tally(report.findings)} found by mlpulse"
    if report.findings or report.has_violations_file:
        return tally(report.findings)
    return "no violations file"


def report_text(report: Report, title: str | None = None) -> str:
    lines = [f"# {title or 'Model Monitor report: ' + report.location}", ""]
    lines += report_body(report)
    return clean("\n".join(lines).rstrip()) + "\n"


def report_body(report: Report) -> list[str]:
    count = f" · {fmt(report.item_count)} rows" if report.item_count is not None else ""
    lines = [f"{monitors_line(report)} · {verdict(report)}{count}"]
    if report.evaluated:
        lines.append(EVALUATED_NOTE[0].upper() + EVALUATED_NOTE[1:] + ".")
    if report.files:
        lines.append(f"Read: {', '.join(report.files)}")
    lines += [f"Problem: {problem}" for problem in report.problems]
    lines += [f"Not evaluated: {note}" for note in report.notes]
    for finding in report.findings:
        lines += ["", *finding_lines(finding)]
    for heading, rows in bias_sections(report.bias, report.bias_labels):
        lines += ["", f"## {heading}", *(f"- {row}" for row in rows)]
    for heading, rows in attribution_sections(report.attributions, report.baseline_attributions):
        lines += ["", f"## {heading}", *(f"- {row}" for row in rows)]
    if report.details:
        lines += ["", f"## Everything read ({len(report.details)}; baseline → current)"]
        lines += [detail_line(detail) for detail in report.details]
    return lines


def finding_lines(finding: Finding) -> list[str]:
    head = f"{finding.severity.value.upper()}  {finding.subject} — {check_label(finding.check)}"
    lines = [f"{head} ({MONITOR_LABELS.get(finding.monitor, finding.monitor)})"]
    if finding.description:
        lines.append(f"    {finding.description}")
    lines += [f"    {figure_text(f)}" for f in finding.figures]
    return lines


def detail_line(detail: Finding) -> str:
    """`- _c0: type Fractional → Fractional · mean 2.31`; a metric:
    `- mae: 0.5 (alert above 0.4)`."""
    (only, *others) = detail.figures
    if not others and only.name == detail.subject:
        return f"- {detail.subject}: {figure_text(only, named=False)}"
    shown = " · ".join(figure_text(f).replace(": ", " ", 1) for f in detail.figures)
    return f"- {detail.subject}: {shown}"


def comparison_text(comparison: Comparison, baseline: str, current: str) -> str:
    lines = [
        f"# Drift of {current} against {baseline}",
        "",
        f"{len(comparison.features)} features · baseline {comparison.baseline_rows} rows · "
        f"current {comparison.current_rows} rows",
        *(f"Note: {note}" for note in comparison.notes),
        "",
        f"{'feature':<24} {'kind':<11} {'verdict':<17} {'n base':>8} {'n cur':>8} {'PSI':>7} "
        f"{'KS D':>7} {'KS p':>9} {'JS':>6}  baseline → current",
    ]
    for feature in comparison.features:
        lines.append(feature_line(feature))
        lines += [f"{'':<26}{line}" for line in category_changes(feature)]
    return clean("\n".join([*lines, "", THRESHOLDS])) + "\n"


def feature_line(f: FeatureDrift) -> str:
    ks_d = f"{f.ks.statistic:.4f}" if f.ks else NONE
    ks_p = f"{f.ks.pvalue:.2e}" if f.ks else NONE
    js = f"{f.js:.4f}" if f.js is not None else NONE
    name = f.name if len(f.name) <= 24 else f.name[:23] + "…"
    n_base, n_current = f.rows
    return (
        f"{name:<24} {f.kind:<11} {f.verdict:<17} {n_base:>8} {n_current:>8} "
        f"{f.psi.value:>7.4f} {ks_d:>7} {ks_p:>9} {js:>6}  "
        f"{side_text(f.baseline)} → {side_text(f.current)}"
    )


def category_changes(f: FeatureDrift) -> list[str]:
    """The categories that appeared in the current data or vanished from it."""
    found = []
    for label, shown, count in (
        ("new", f.appeared, f.appeared_count),
        ("vanished", f.vanished, f.vanished_count),
    ):
        if count:
            listed = ", ".join(f"{value} ({pct(share)})" for value, share in shown)
            more = f" and {count - len(shown)} more" if count > len(shown) else ""
            found.append(f"{label}: {listed}{more}")
    return found


def side_text(side: Side) -> str:
    if side.top:
        shown = ", ".join(f"{value} {100 * share:.0f}%" for value, share in side.top)
        return f"[{shown}] missing {pct(side.missing)}"
    return f"mean {fmt(side.mean)} std {fmt(side.std)} missing {pct(side.missing)}"
