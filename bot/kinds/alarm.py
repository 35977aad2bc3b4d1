"""CloudWatch alarms. The EventBridge form is the one spec; ingest turns the classic SNS
notification and the Lambda-action payload into that form first."""

from __future__ import annotations

import json
from typing import Any

from bot.core.events import Fact, Kind
from bot.kinds.links import alarm_link
from bot.kinds.paths import Raw, detail, dig, first_resource_tail, number, text
from bot.kinds.spec import KindSpec


def _metric_line(metric: Any) -> str | None:
    if not isinstance(metric, dict):
        return None
    if metric.get("expression"):
        label = f" ({metric['label']})" if metric.get("label") else ""
        return f"{metric.get('id', '?')} = {metric['expression']}{label}"
    stat = metric.get("metricStat")
    if not isinstance(stat, dict):
        return None
    inner = stat.get("metric") or {}
    dimensions = inner.get("dimensions") or {}
    dims = (
        ", ".join(f"{k}={v}" for k, v in dimensions.items()) if isinstance(dimensions, dict) else ""
    )
    where = f" [{dims}]" if dims else ""
    period = f" per {stat['period']}s" if stat.get("period") else ""
    name = f"{inner.get('namespace', '?')} {inner.get('name', '?')}"
    return f"{name}{where} {stat.get('stat', '')}{period}"


def _reason_data(event: Raw) -> dict[str, Any]:
    raw = dig(event, "detail.state.reasonData")
    try:
        data = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _threshold(event: Raw) -> str | None:
    config = dig(event, "detail.configuration") or {}
    value = number(config.get("threshold")) if isinstance(config, dict) else None
    if value is None:
        value = number(_reason_data(event).get("threshold"))
    if value is None:
        return None
    operator = text(config.get("comparisonOperator")) if isinstance(config, dict) else None
    return f"{operator} {value:.6g}" if operator else f"{value:.6g}"


def _facts(event: Raw) -> list[Fact]:
    config = dig(event, "detail.configuration") or {}
    metrics = config.get("metrics") if isinstance(config, dict) else None
    lines = [line for m in metrics or [] if (line := _metric_line(m))]
    recent = _reason_data(event).get("recentDatapoints")
    suppressed = dig(event, "detail.state.actionsSuppressedBy") or dig(
        event, "detail.previousState.actionsSuppressedBy"
    )
    pairs = (
        ("Threshold", _threshold(event)),
        (
            "Recent values",
            ", ".join(f"{v:.6g}" for v in recent if number(v) is not None)
            if isinstance(recent, list)
            else None,
        ),
        ("Rule", config.get("alarmRule") if isinstance(config, dict) else None),
        ("Description", config.get("description") if isinstance(config, dict) else None),
        ("Actions suppressed by", suppressed),
    )
    found = [Fact(label=label, value=shown) for label, value in pairs if (shown := text(value))]
    if lines:
        found.insert(0, Fact(label="Metric", value="\n".join(lines), long=len(lines) > 1))
    return found


def _alarm_name(event: Raw) -> str | None:
    return text(dig(event, "detail.alarmName")) or first_resource_tail(event)


ALARM = KindSpec(
    kind=Kind.ALARM,
    title="CloudWatch alarm",
    detail_types=("CloudWatch Alarm State Change",),
    name=_alarm_name,
    status=detail("state.value"),
    previous_status=detail("previousState.value"),
    reason=detail("state.reason"),
    time=detail("state.timestamp"),
    facts=_facts,
    links=lambda event, region: [alarm_link(_alarm_name(event) or "", region)],
)
