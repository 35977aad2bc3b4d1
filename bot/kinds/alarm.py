"""CloudWatch alarms. The EventBridge form is the one spec; ingest (bot.ingress.ingest) turns
the classic SNS notification and the Lambda-action payload into that form first, so a
composite alarm's rule, its triggering children and its suppressor read the same whichever
way it came. Words for operators, statistics and suppression: bot.kinds.alarm_terms."""

from __future__ import annotations

import json
from typing import Any

from bot.core.events import Fact, Kind
from bot.core.outcomes import display_status, status_word
from bot.kinds import alarm_terms as terms
from bot.kinds.links import alarm_link
from bot.kinds.paths import Raw, arn_tail, detail, dig, first_resource_tail, number, text
from bot.kinds.spec import KindSpec

_LONG_RULE = 150  # a composite rule longer than this gets a section of its own


def _config(event: Raw) -> dict[str, Any]:
    config = dig(event, "detail.configuration")
    return config if isinstance(config, dict) else {}


def _reason_data(event: Raw) -> dict[str, Any]:
    raw = dig(event, "detail.state.reasonData")
    try:
        data = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _metric_line(metric: dict[str, Any], with_id: bool) -> str | None:
    """`AWS/EC2 CPUUtilization [InstanceId=i-1], Average over 5 min`; `e1 = m1 * 100` for
    math; with `with_id`, each metric says the id the expressions call it by."""
    ident = text(metric.get("id"))
    if metric.get("expression"):
        label = f" ({metric['label']})" if text(metric.get("label")) else ""
        return f"{ident or '?'} = {metric['expression']}{label}"
    stat = metric.get("metricStat")
    if not isinstance(stat, dict):
        return None
    inner = stat.get("metric")
    inner = inner if isinstance(inner, dict) else {}
    dimensions = inner.get("dimensions")
    dims = (
        ", ".join(f"{k}={v}" for k, v in dimensions.items()) if isinstance(dimensions, dict) else ""
    )
    line = f"{inner.get('namespace', '?')} {inner.get('name', '?')}" + (
        f" [{dims}]" if dims else ""
    )
    how = terms.statistic(stat.get("stat"))
    over = terms.period(stat.get("period"))
    if how:
        line += f", {how}" + (f" over {over}" if over else "")
    return f"{ident}: {line}" if with_id and ident else line


def _metric_fact(event: Raw) -> Fact | None:
    metrics = [m for m in _config(event).get("metrics") or [] if isinstance(m, dict)]
    with_id = any(m.get("expression") for m in metrics)
    lines = [line for m in metrics if (line := _metric_line(m, with_id))]
    if not lines:
        return None
    return Fact(label="Metric", value="\n".join(lines), long=len(lines) > 1)


def _threshold(event: Raw) -> str | None:
    config = _config(event)
    threshold = config.get("threshold")
    if number(threshold) is None:
        threshold = _reason_data(event).get("threshold")
    return terms.comparison(
        config.get("comparisonOperator"), threshold, config.get("thresholdMetricId"), _unit(event)
    )


def _unit(event: Raw) -> str:
    """The unit of the one metric the alarm compares, if it has exactly one."""
    metrics = [m for m in _config(event).get("metrics") or [] if isinstance(m, dict)]
    if len(metrics) != 1 or not isinstance(metrics[0].get("metricStat"), dict):
        return ""
    inner = metrics[0]["metricStat"].get("metric")
    inner = inner if isinstance(inner, dict) else {}
    return terms.unit_of(inner.get("namespace"), inner.get("name"))


def _numbers(values: Any) -> list[float]:
    return [n for v in values if (n := number(v)) is not None] if isinstance(values, list) else []


def _recent_values(event: Raw) -> str | None:
    return ", ".join(f"{v:.6g}" for v in _numbers(_reason_data(event).get("recentDatapoints")))


def _expected_band(event: Raw) -> str | None:
    """An anomaly detection alarm's band at the recent datapoints: `0.0206 – 0.301`."""
    data = _reason_data(event)
    lows, highs = (
        _numbers(data.get("recentLowerThresholds")),
        _numbers(data.get("recentUpperThresholds")),
    )
    return ", ".join(f"{low:.3g} – {high:.3g}" for low, high in zip(lows, highs, strict=False))


def _triggered_by(event: Raw) -> str | None:
    """A composite alarm's children that changed it: `Alarm1 (ALARM), Alarm2 (ALARM)`."""
    children = _reason_data(event).get("triggeringAlarms")
    shown = [
        f"{arn_tail(child.get('arn')) or '?'} ({text(dig(child, 'state.value')) or '?'})"
        for child in (children if isinstance(children, list) else [])
        if isinstance(child, dict)
    ]
    return ", ".join(shown)


def _suppression(event: Raw) -> tuple[str, str | None]:
    """Why this state's actions are suppressed, naming the suppressor alarm; otherwise the
    suppressor a composite alarm has, since it may silence the next change."""
    config = _config(event)
    by = dig(event, "detail.state.actionsSuppressedBy")
    if text(by):
        return "Actions suppressed by", terms.suppression(
            by,
            config.get("actionsSuppressor"),
            config.get("actionsSuppressorWaitPeriod"),
            config.get("actionsSuppressorExtensionPeriod"),
            dig(event, "detail.state.actionsSuppressedReason"),
        )
    return "Suppressor alarm", text(config.get("actionsSuppressor"))


def _facts(event: Raw) -> list[Fact]:
    config = _config(event)
    rule = text(config.get("alarmRule"))
    evaluation = text(dig(event, "detail.state.evaluationState"))
    pairs = (
        ("Threshold", _threshold(event)),
        ("Recent values", _recent_values(event)),
        ("Expected band", _expected_band(event)),
        ("Rule", rule if rule and len(rule) <= _LONG_RULE else None),
        ("Triggered by", _triggered_by(event)),
        _suppression(event),
        ("Evaluation", display_status(evaluation) if evaluation else None),
        ("Description", config.get("description")),
    )
    found = [Fact(label=label, value=shown) for label, value in pairs if (shown := text(value))]
    metric = _metric_fact(event)
    if metric:
        found.insert(0, metric)
    if rule and len(rule) > _LONG_RULE:
        found.append(Fact(label="Rule", value=rule, long=True))
    return found


def _alarm_name(event: Raw) -> str | None:
    return text(dig(event, "detail.alarmName")) or first_resource_tail(event)


def _phrase(status: str, previous: str | None) -> str | None:
    """How a person says an alarm's state: `firing`, `back to OK`."""
    now, before = status_word(status), status_word(previous or "")
    if now == "alarm":
        return "still firing" if before == "alarm" else "firing"
    if now == "ok":
        return "back to OK" if before == "alarm" else "OK"
    if now == "insufficientdata":
        return "has insufficient data"
    return None


ALARM = KindSpec(
    kind=Kind.ALARM,
    title="CloudWatch alarm",
    detail_types=("CloudWatch Alarm State Change",),
    name=_alarm_name,
    status=detail("state.value"),
    previous_status=detail("previousState.value"),
    reason=detail("state.reason"),
    reason_label=lambda event: "Reason",  # a state's reason, whichever state it is
    time=detail("state.timestamp"),
    facts=_facts,
    links=lambda event, region: [alarm_link(_alarm_name(event) or "", region)],
    phrase=_phrase,
)
