"""Drift reports as Slack payloads. Pure: reports in, `{"text", "blocks"}` out.

Every string from a report passes through `bot.core.text` (`clip`/`escape`). The worst
findings get a section each until `MAX_FINDINGS` or the text budget is reached; the rest
are summarised in a context line naming the attached full report (`attachment_name`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.core.events import Severity
from bot.core.text import clip, escape, truncate
from bot.drift.clarify_text import attribution_sections, bias_sections
from bot.drift.compare import Comparison, FeatureDrift
from bot.drift.figures import figure_text
from bot.drift.findings import MONITOR_LABELS, Finding
from bot.drift.reports import EVALUATED_NOTE, Report
from bot.drift.summary import check_label
from bot.drift.textual import (
    THRESHOLDS,
    category_changes,
    detail_line,
    monitors_line,
    side_text,
    verdict,
)
from notifiers import limits
from notifiers.times import local_time

Payload = dict[str, Any]
MAX_FINDINGS = 12
_BUDGET = limits.TOTAL_BLOCK_TEXT - 2000  # room for header, summary and context lines
_CLARIFY_SECTIONS = 12
_DESCRIPTION = 400
_FIGURE = 240
_EMOJI = {
    Severity.CRITICAL: ":red_circle:",
    Severity.WARNING: ":large_orange_circle:",
    Severity.INFO: ":white_circle:",
}


@dataclass(frozen=True)
class MonitorResult:
    """The latest execution of one monitoring schedule, and its report when one was read."""

    schedule: str
    monitor: str | None
    status: str
    scheduled: datetime | None = None
    failure: str | None = None
    report: Report | None = None
    problem: str | None = None  # why no report could be read


def attachment_name(subject: str) -> str:
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in subject)[-80:]
    return f"drift-{safe.strip('-.') or 'report'}.md"


def render_report(report: Report) -> tuple[Payload, bool]:
    """The payload for one report, and whether findings were left out of it."""
    header = f"Drift report: {report.location}"
    blocks = [
        _header(header),
        _section(f"*{escape(monitors_line(report))}* · {escape(verdict(report))}"),
    ]
    if report.evaluated:
        blocks.append(_context(escape(EVALUATED_NOTE[0].upper() + EVALUATED_NOTE[1:]) + "."))
    shown = _finding_blocks(report.findings, blocks, MAX_FINDINGS)
    if not report.findings:
        shown = _detail_blocks(report.details, blocks)
    blocks += clarify_blocks(report)
    total = len(report.findings) or len(report.details)
    cut = shown < total
    attachment = attachment_name(report.location) if cut else None
    blocks += _footer(report.problems, total - shown, attachment, report.notes)
    return _payload(f"Drift report: {report.location} · {verdict(report)}", blocks), cut


def clarify_blocks(report: Report) -> list[Payload]:
    """A section per bias stage and facet, and one per label's attributions (escaped)."""
    sections = bias_sections(report.bias, report.bias_labels)
    sections += attribution_sections(report.attributions, report.baseline_attributions)
    blocks = []
    for heading, lines in sections[:_CLARIFY_SECTIONS]:
        body = "\n".join(clip(line, 300) for line in lines)
        blocks.append(_section(f"*{clip(heading, 300)}*\n{body}"))
    return blocks


def render_endpoint(endpoint: str, results: list[MonitorResult]) -> tuple[Payload, bool]:
    blocks = [_header(f"Drift: endpoint {endpoint}")]
    cut = False
    per_monitor = max(1, MAX_FINDINGS // max(len(results), 1))
    for result in results:
        if len(blocks) >= limits.MAX_BLOCKS - per_monitor - 4:
            cut = True
            break
        blocks.append(_section(_monitor_line(result)))
        findings = result.report.findings if result.report else []
        shown = _finding_blocks(findings, blocks, per_monitor)
        cut |= shown < len(findings)
    blocks += _footer([], 0, attachment_name(endpoint) if cut else None)
    worst = sum(len(r.report.findings) for r in results if r.report)
    text = f"Drift: endpoint {endpoint} · {len(results)} monitor(s) · {worst} violation(s)"
    return _payload(text, blocks), cut


def render_comparison(comparison: Comparison, baseline: str, current: str) -> Payload:
    blocks = [_header(f"Drift of {current} against {baseline}")]
    blocks.append(_section(f"{len(comparison.features)} features · {escape(THRESHOLDS)}"))
    used = 0
    for feature in comparison.features[: limits.MAX_BLOCKS - 5]:
        text = _feature_text(feature)
        used += len(text)
        if used > _BUDGET:
            break
        blocks.append(_section(text))
    notes = " · ".join(comparison.notes)
    if notes:
        blocks.append(_context(clip(notes, 2000)))
    return _payload(f"Drift of {current} against {baseline}", blocks)


def _monitor_line(result: MonitorResult) -> str:
    label = MONITOR_LABELS.get(result.monitor or "", result.monitor or "monitor")
    line = f"*{clip(result.schedule, 200)}* · {escape(label)} · {clip(result.status, 60)}"
    if result.scheduled:
        line += f" · {local_time(result.scheduled)}"
    if result.report:
        line += f" · {escape(verdict(result.report))}"
    if result.failure:
        line += f"\n{clip(result.failure, 500)}"
    if result.problem:
        line += f"\n_{clip(result.problem, 500)}_"
    return truncate(line, limits.SECTION_TEXT)


def _finding_blocks(findings: list[Finding], blocks: list[Payload], most: int) -> int:
    used = sum(len(b.get("text", {}).get("text", "")) for b in blocks)
    shown = 0
    for finding in findings[:most]:
        text = _finding_text(finding)
        if used + len(text) > _BUDGET:
            break
        used += len(text)
        blocks.append(_section(text))
        shown += 1
    return shown


def _finding_text(finding: Finding) -> str:
    monitor = MONITOR_LABELS.get(finding.monitor, finding.monitor)
    lines = [
        f"{_EMOJI[finding.severity]} *{clip(finding.subject, 200)}* · "
        f"`{clip(check_label(finding.check), 80)}` · {escape(monitor)}"
    ]
    if finding.description:
        lines.append(clip(finding.description, _DESCRIPTION))
    lines += [clip(figure_text(f), _FIGURE) for f in finding.figures]
    return truncate("\n".join(lines), limits.SECTION_TEXT)


def _detail_blocks(details: list[Finding], blocks: list[Payload]) -> int:
    shown = details[:MAX_FINDINGS]
    if shown:
        lines = [clip(detail_line(d).removeprefix("- "), 280) for d in shown]
        blocks.append(_section(truncate("\n".join(lines), limits.SECTION_TEXT)))
    return len(shown)


def _feature_text(feature: FeatureDrift) -> str:
    n_base, n_current = feature.rows
    stats = f"n {n_base} → {n_current} · PSI {feature.psi.value:.3f}"
    if feature.ks:
        stats += f" · KS D {feature.ks.statistic:.3f} (p {feature.ks.pvalue:.1e})"
    if feature.js is not None:
        stats += f" · JS {feature.js:.3f}"
    figures = clip(f"{side_text(feature.baseline)} → {side_text(feature.current)}", 600)
    changes = "".join(f"\n{clip(line, 300)}" for line in category_changes(feature))
    return f"*{clip(feature.name, 200)}* · {feature.verdict} · {stats}\n{figures}{changes}"


def _footer(
    problems: list[str], left_out: int, attachment: str | None, notes: list[str] | None = None
) -> list[Payload]:
    found = []
    if notes:
        found.append(_context(clip("Not evaluated: " + "; ".join(notes), 1500)))
    if left_out > 0 or attachment:
        more = f"{left_out} more not shown; " if left_out > 0 else ""
        found.append(_context(f"{more}the full report is attached as `{attachment}`"))
    if problems:
        found.append(_context(clip("Could not read: " + "; ".join(problems), 1500)))
    return found


def _header(text: str) -> Payload:
    return {
        "type": "header",
        "text": {"type": "plain_text", "text": clip(text, limits.HEADER_TEXT)},
    }


def _section(text: str) -> Payload:
    return {
        "type": "section",
        "text": {"type": "mrkdwn", "text": truncate(text, limits.SECTION_TEXT)},
    }


def _context(text: str) -> Payload:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def _payload(text: str, blocks: list[Payload]) -> Payload:
    return {
        "text": clip(text, 500),
        "blocks": blocks[: limits.MAX_BLOCKS],
        "unfurl_links": False,
        "unfurl_media": False,
    }
