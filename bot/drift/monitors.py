"""`/mlpulse drift ENDPOINT`, the work: the latest execution of every monitor on the
endpoint, each one's report read from S3, the chart of the worst feature, and the full
report as text when the Slack message cannot hold it all."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.core.errors import InputError
from bot.core.text import clean
from bot.drift import chart, schedules
from bot.drift.chart import has_distribution
from bot.drift.distance import drift_distance
from bot.drift.files import Mapped, split_s3
from bot.drift.findings import ordered
from bot.drift.render import MonitorResult, attachment_name, render_endpoint
from bot.drift.reports import Report, load
from bot.drift.s3folder import S3Folder
from bot.drift.schedules import Execution
from bot.drift.textual import report_body


@dataclass(frozen=True)
class EndpointDrift:
    payload: dict[str, Any]  # {"text", "blocks"}
    results: list[MonitorResult]
    chart: tuple[str, bytes] | None  # (feature, PNG)
    full_report: tuple[str, str] | None  # (file name, text) when the message is cut


def endpoint_drift(sagemaker: Any, s3: Any, endpoint: str) -> EndpointDrift:
    results = [_result(s3, run) for run in schedules.latest_executions(sagemaker, endpoint)]
    payload, cut = render_endpoint(endpoint, results)
    text = full_text(endpoint, results) if cut else None
    return EndpointDrift(
        payload=payload,
        results=results,
        chart=worst_chart([r.report for r in results if r.report]),
        full_report=(attachment_name(endpoint), text) if text else None,
    )


def _result(s3: Any, run: Execution) -> MonitorResult:
    result = MonitorResult(
        schedule=run.schedule,
        monitor=run.monitor,
        status=run.status,
        scheduled=run.scheduled,
        failure=run.failure,
        problem=run.problem,
    )
    if run.output is None:
        return result
    try:
        bucket, prefix = split_s3(run.output)
        folder = S3Folder(s3, bucket, prefix, run.output)
        baseline = Mapped(dict(run.baseline), lambda: s3, "baseline") if run.baseline else None
        report = load(folder, baseline)
    except InputError as error:
        return MonitorResult(**{**result.__dict__, "problem": str(error)})
    return MonitorResult(**{**result.__dict__, "report": report})


SIMPLE = "Simple"  # the chart shows the gap as drawn, without the small-sample allowance


def worst_chart(reports: list[Report]) -> tuple[str, bytes] | None:
    """The distribution of the most drifted violated feature that has one to draw: the
    largest distance between baseline and current (bot.drift.distance); when no violated
    feature has both sides, the worst finding that has a distribution."""
    candidates = [
        (finding.feature, report)
        for report in reports
        for finding in ordered(report.findings)
        if finding.feature is not None
        and (has_distribution(report.current.get(finding.feature))
             or has_distribution(report.baseline.get(finding.feature)))
    ]  # fmt: skip
    if not candidates:
        return None
    measured = [
        (found, name, report)
        for name, report in candidates
        if (found := drift_distance(report.baseline.get(name), report.current.get(name), SIMPLE))
    ]
    if measured:
        distance, name, report = max(measured, key=lambda m: m[0].value)
    else:
        (name, report), distance = candidates[0], None
    png = chart.distribution_png(
        name, report.baseline.get(name), report.current.get(name), distance
    )
    return (name, png) if png is not None else None


def full_text(endpoint: str, results: list[MonitorResult]) -> str:
    lines = [f"# Drift: endpoint {endpoint}"]
    for result in results:
        when = f" · {result.scheduled:%Y-%m-%d %H:%M} UTC" if result.scheduled else ""
        lines += [
            "",
            f"## {result.schedule} ({result.monitor or 'monitor'}) · {result.status}{when}",
        ]
        if result.failure:
            lines.append(f"Failure: {result.failure}")
        if result.problem:
            lines.append(f"Problem: {result.problem}")
        if result.report:
            lines += report_body(result.report)
    return clean("\n".join(lines)) + "\n"
