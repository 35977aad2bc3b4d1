"""A SageMaker endpoint as the `endpoint` command shows it: status, variants with their
instances, and the CloudWatch alarms watching it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.aws.calls import call, pages
from bot.aws.errors import AwsError
from bot.core.timeparse import utc
from bot.kinds import alarm_terms as terms
from bot.kinds.paths import number, text

# Model Monitor's alarms use `Endpoint`; SageMaker's own metrics `EndpointName`.
_ENDPOINT_DIMENSIONS = ("EndpointName", "Endpoint")
MAX_ALARMS_READ = 1000


@dataclass(frozen=True)
class Variant:
    name: str
    instance_type: str | None
    current: int | None
    desired: int | None
    weight: float | None
    serverless: bool
    notes: list[str]  # VariantStatus messages (Creating, Updating, ...)

    @property
    def instances(self) -> str:
        if self.serverless:
            return "serverless"
        count = self.current if self.current is not None else self.desired
        shown = (
            f"{count}"
            if self.current == self.desired or self.desired is None
            else f"{self.current}/{self.desired}"
        )
        return f"{shown if count is not None else '?'} × {self.instance_type or '?'}"


@dataclass(frozen=True)
class Endpoint:
    name: str
    status: str
    config: str | None
    failure: str | None
    created: datetime | None
    modified: datetime | None
    variants: list[Variant]


def describe_endpoint(sagemaker: Any, name: str) -> Endpoint:
    raw = call(sagemaker, "describe_endpoint", what=f"endpoint {name}", EndpointName=name)
    config_name = text(raw.get("EndpointConfigName"))
    types: dict[str, str] = {}
    if config_name:
        try:
            config = call(sagemaker, "describe_endpoint_config", EndpointConfigName=config_name)
        except AwsError:  # the instance types are a nicety; the status matters more
            config = {}
        for variant in config.get("ProductionVariants") or []:
            if text(variant.get("InstanceType")):
                types[str(variant.get("VariantName"))] = str(variant["InstanceType"])
    variants = [
        _variant(v, types) for v in raw.get("ProductionVariants") or [] if isinstance(v, dict)
    ]
    return Endpoint(
        name=text(raw.get("EndpointName")) or name,
        status=text(raw.get("EndpointStatus")) or "Unknown",
        config=config_name,
        failure=text(raw.get("FailureReason")),
        created=utc(raw.get("CreationTime")),
        modified=utc(raw.get("LastModifiedTime")),
        variants=variants,
    )


def endpoint_names(sagemaker: Any) -> list[str]:
    """The names of the endpoints most recently created: what a name typed wrong is
    compared with."""
    newest: dict[str, Any] = {"SortBy": "CreationTime", "SortOrder": "Descending"}
    rows = pages(sagemaker, "list_endpoints", "Endpoints", limit=200, page_size=100, **newest)
    return [str(row.get("EndpointName")) for row in rows if row.get("EndpointName")]


def _variant(raw: dict[str, Any], types: dict[str, str]) -> Variant:
    name = text(raw.get("VariantName")) or "?"
    current, desired = (
        number(raw.get("CurrentInstanceCount")),
        number(raw.get("DesiredInstanceCount")),
    )
    notes = [
        f"{status.get('Status', '?')}: {status.get('StatusMessage', '')}".rstrip(": ")
        for status in raw.get("VariantStatus") or []
        if isinstance(status, dict)
    ]
    return Variant(
        name=name,
        instance_type=types.get(name),
        current=int(current) if current is not None else None,
        desired=int(desired) if desired is not None else None,
        weight=number(raw.get("CurrentWeight")),
        serverless=bool(raw.get("CurrentServerlessConfig")),
        notes=notes,
    )


@dataclass(frozen=True)
class Alarm:
    name: str
    state: str
    metric: str
    reason: str | None
    updated: datetime | None


def endpoint_alarms(cloudwatch: Any, endpoint: str) -> list[Alarm]:
    """Metric alarms with a dimension naming the endpoint (directly or in a math alarm's
    metrics), those in ALARM first."""
    found = [
        Alarm(
            name=str(raw.get("AlarmName", "?")),
            state=str(raw.get("StateValue", "?")),
            metric=_metric_of(raw),
            reason=text(raw.get("StateReason")),
            updated=utc(raw.get("StateUpdatedTimestamp")),
        )
        for raw in pages(
            cloudwatch, "describe_alarms", "MetricAlarms", limit=MAX_ALARMS_READ, page_size=100
        )
        if endpoint in _endpoint_values(raw)
    ]
    order = {"ALARM": 0, "INSUFFICIENT_DATA": 1, "OK": 2}
    return sorted(found, key=lambda alarm: (order.get(alarm.state, 3), alarm.name))


def _endpoint_values(alarm: dict[str, Any]) -> set[str]:
    dimension_lists = [alarm.get("Dimensions") or []]
    for metric in alarm.get("Metrics") or []:
        dimension_lists.append(
            ((metric.get("MetricStat") or {}).get("Metric") or {}).get("Dimensions") or []
        )
    return {
        str(dimension.get("Value"))
        for dimensions in dimension_lists
        for dimension in dimensions
        if dimension.get("Name") in _ENDPOINT_DIMENSIONS
    }


def _metric_of(alarm: dict[str, Any]) -> str:
    """`Invocation5XXErrors > 5`, `ModelLatency ≥ 500000 µs (500 ms)`, or what kind of alarm
    it is."""
    name = text(alarm.get("MetricName")) or "metric math"
    unit = terms.unit_of(alarm.get("Namespace"), alarm.get("MetricName"))
    compared = terms.comparison(
        alarm.get("ComparisonOperator"),
        alarm.get("Threshold"),
        alarm.get("ThresholdMetricId"),
        unit,
    )
    return f"{name} {compared}" if compared else name
