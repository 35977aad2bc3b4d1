"""A CloudWatch alarm's two other envelopes in the EventBridge alarm's shape, the one the
alarm table (bot.kinds.alarm) reads: the Lambda-action payload (`alarmData`) and the
classic SNS notification (`AlarmName`, `NewStateValue`, `Trigger`). Called by
bot.ingress.ingest, which recognises them."""

from __future__ import annotations

from typing import Any

from bot.kinds.paths import Raw


def alarm_action_as_event(document: Raw) -> dict[str, Any]:
    """An alarm's Lambda-action payload (`alarmData`) in the EventBridge alarm's shape. An
    EventBridge envelope may carry `alarmData` too: its own id, account and resources stay."""
    arn = document.get("alarmArn")
    return {
        "id": document.get("id"),
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": document.get("accountId") or document.get("account"),
        "region": document.get("region"),
        "time": document.get("time"),
        "resources": [arn] if arn else document.get("resources"),
        "detail": document["alarmData"],
    }


def classic_alarm_as_event(document: Raw) -> dict[str, Any]:
    """The SNS notification form of an alarm, in the EventBridge alarm's shape: a metric
    alarm's `Trigger` becomes its configuration, a composite alarm's `AlarmRule` its rule
    and its `TriggeringChildren` the state's triggering alarms, as EventBridge gives them.
    `Region` is a display name here (`US West - Oregon`); normalize reads it as a code."""
    trigger = document.get("Trigger")
    if not isinstance(trigger, dict):
        trigger = {}
    configuration: dict[str, Any] = {
        "description": document.get("AlarmDescription"),
        "metrics": _classic_metrics(trigger),
        "threshold": trigger.get("Threshold"),
        "comparisonOperator": trigger.get("ComparisonOperator"),
        "thresholdMetricId": trigger.get("ThresholdMetricId"),
        "alarmRule": document.get("AlarmRule"),
        "actionsSuppressor": document.get("ActionsSuppressor"),
        "actionsSuppressorWaitPeriod": document.get("ActionsSuppressorWaitPeriod"),
        "actionsSuppressorExtensionPeriod": document.get("ActionsSuppressorExtensionPeriod"),
    }
    state: dict[str, Any] = {
        "value": document.get("NewStateValue"),
        "reason": document.get("NewStateReason"),
        "timestamp": document.get("StateChangeTime"),
    }
    children = _triggering_children(document.get("TriggeringChildren"))
    if children:
        state["reasonData"] = {"triggeringAlarms": children}
    return {
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": document.get("AWSAccountId"),
        "region": document.get("Region"),
        "time": document.get("StateChangeTime"),
        "resources": [document.get("AlarmArn")],
        "detail": {
            "alarmName": document.get("AlarmName"),
            "state": state,
            "previousState": {"value": document.get("OldStateValue")},
            "configuration": {k: v for k, v in configuration.items() if v is not None},
        },
    }


def _triggering_children(children: Any) -> list[dict[str, Any]]:
    """A composite alarm's `TriggeringChildren` as EventBridge's `triggeringAlarms`."""
    found = []
    for child in children if isinstance(children, list) else []:
        if isinstance(child, dict):
            state = child.get("State")
            state = state if isinstance(state, dict) else {}
            found.append(
                {
                    "arn": child.get("Arn"),
                    "state": {"value": state.get("Value"), "timestamp": state.get("Timestamp")},
                }
            )
    return found


def _classic_metrics(trigger: Raw) -> list[dict[str, Any]]:
    def stat(metric: Any, period: Any, statistic: Any) -> dict[str, Any]:
        metric = metric if isinstance(metric, dict) else {}
        dimensions = metric.get("Dimensions")
        return {
            "metric": {
                "namespace": metric.get("Namespace"),
                "name": metric.get("MetricName"),
                "dimensions": {
                    str(d.get("name")): d.get("value")
                    for d in (dimensions if isinstance(dimensions, list) else [])
                    if isinstance(d, dict)
                },
            },
            "period": period,
            "stat": statistic,
        }

    if trigger.get("MetricName"):
        statistic = trigger.get("Statistic") or trigger.get("ExtendedStatistic")
        return [{"metricStat": stat(trigger, trigger.get("Period"), statistic)}]
    metrics = []
    listed = trigger.get("Metrics")
    for item in listed if isinstance(listed, list) else []:
        if not isinstance(item, dict):
            continue
        if item.get("Expression"):
            metrics.append(
                {"id": item.get("Id"), "expression": item["Expression"], "label": item.get("Label")}
            )
        elif isinstance(item.get("MetricStat"), dict):
            inner = item["MetricStat"]
            metrics.append(
                {
                    "id": item.get("Id"),
                    "metricStat": stat(inner.get("Metric"), inner.get("Period"), inner.get("Stat")),
                }
            )
    return metrics
