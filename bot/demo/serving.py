"""The demo platform's endpoints: fraud-prod (scaled from 2 to 3 instances at 03:15-03:21
while a burst of 5XX errors set off fraud-prod-5xx-errors, as the script tells) and
churn-prod, each with CloudWatch figures by the minute from 02:00 to 07:00 and alarms.

Figures are what SageMaker publishes: `AWS/SageMaker` Invocations, Invocation4XXErrors,
Invocation5XXErrors, ModelLatency and OverheadLatency (in MICROseconds, sent as
per-minute statistic sets so the average and the maximum differ, as they do), and
`/aws/sagemaker/Endpoints` CPU, memory and disk utilization in percent."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.demo.backend import backend
from bot.demo.jobs import ROLE, XGBOOST
from bot.demo.moments import at, naive

FRAUD, CHURN = "fraud-prod", "churn-prod"
FIRST, LAST = at(-60), at(240)  # the figures' span: the script, and hours at the prompt
_INVOCATIONS_NS, _UTILIZATION_NS = "AWS/SageMaker", "/aws/sagemaker/Endpoints"
# fraud-prod's 5XX errors by minute after the start: the burst the alarm saw (14 at 03:15).
_BURST = {12: 2.0, 13: 6.0, 14: 9.0, 15: 14.0, 16: 11.0, 17: 4.0, 18: 1.0}


@dataclass(frozen=True)
class Endpoint:
    name: str
    config: str
    model: str
    instance: str
    instances: int
    created: datetime
    modified: datetime
    per_minute: float  # invocations at the start of the morning
    latency_ms: float  # ModelLatency's typical average


ENDPOINTS = [
    Endpoint(
        FRAUD,
        "fraud-prod-config-v42",
        "fraud-xgb-v42",
        "ml.c5.xlarge",
        3,
        datetime(2026, 10, 2, 9, 14, tzinfo=UTC),
        at(21),
        950.0,
        14.0,
    ),
    Endpoint(
        CHURN,
        "churn-prod-config-v6",
        "churn-xgb-v6",
        "ml.m5.large",
        2,
        datetime(2026, 11, 12, 16, 40, tzinfo=UTC),
        datetime(2026, 11, 12, 16, 49, tzinfo=UTC),
        120.0,
        8.0,
    ),
]
# (alarm, endpoint, metric, statistic, threshold, description)
ALARMS = [
    (
        "fraud-prod-5xx-errors",
        FRAUD,
        "Invocation5XXErrors",
        "Sum",
        5.0,
        "5XX errors on the fraud model endpoint",
    ),
    (
        "fraud-prod-model-latency",
        FRAUD,
        "ModelLatency",
        "Average",
        250_000.0,
        "Fraud model latency above 250 ms",
    ),
    (
        "churn-prod-5xx-errors",
        CHURN,
        "Invocation5XXErrors",
        "Sum",
        5.0,
        "5XX errors on the churn model endpoint",
    ),
]
_OK_AGAIN = (
    "Threshold Crossed: 1 out of the last 1 datapoints [0.0] was not greater than the "
    "threshold (5.0)."
)


def seed_serving(sagemaker: Any, cloudwatch: Any) -> None:
    for endpoint in ENDPOINTS:
        _endpoint(sagemaker, endpoint)
        _figures(cloudwatch, endpoint)
    for name, watched, metric, statistic, threshold, description in ALARMS:
        cloudwatch.put_metric_alarm(
            AlarmName=name,
            AlarmDescription=description,
            Namespace=_INVOCATIONS_NS,
            MetricName=metric,
            Statistic=statistic,
            Period=60,
            EvaluationPeriods=1,
            Threshold=threshold,
            ComparisonOperator="GreaterThanThreshold",
            Dimensions=[
                {"Name": "EndpointName", "Value": watched},
                {"Name": "VariantName", "Value": "AllTraffic"},
            ],
        )
        reason = _OK_AGAIN if name == "fraud-prod-5xx-errors" else "Threshold not crossed."
        cloudwatch.set_alarm_state(AlarmName=name, StateValue="OK", StateReason=reason)


def _endpoint(sagemaker: Any, endpoint: Endpoint) -> None:
    sagemaker.create_model(
        ModelName=endpoint.model,
        ExecutionRoleArn=ROLE,
        PrimaryContainer={
            "Image": XGBOOST,
            "ModelDataUrl": f"s3://ml-artifacts/models/{endpoint.model}/model.tar.gz",
        },
    )
    sagemaker.create_endpoint_config(
        EndpointConfigName=endpoint.config,
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": endpoint.model,
                "InitialInstanceCount": endpoint.instances,
                "InstanceType": endpoint.instance,
                "InitialVariantWeight": 1.0,
            }
        ],
    )
    sagemaker.create_endpoint(EndpointName=endpoint.name, EndpointConfigName=endpoint.config)
    made = backend("sagemaker").endpoints[endpoint.name]
    made.creation_time = naive(endpoint.created)
    made.last_modified_time = naive(endpoint.modified)


def _figures(cloudwatch: Any, endpoint: Endpoint) -> None:
    dimensions = [
        {"Name": "EndpointName", "Value": endpoint.name},
        {"Name": "VariantName", "Value": "AllTraffic"},
    ]
    noise = random.Random(endpoint.name)
    invocations: list[dict[str, Any]] = []
    utilization: list[dict[str, Any]] = []
    minutes = int((LAST - FIRST).total_seconds() // 60)
    for index in range(minutes):
        moment = FIRST + timedelta(minutes=index)
        after = (moment - at(0)).total_seconds() / 60  # minutes after the start
        published, usage = _minute(endpoint, after, noise)
        invocations += [_datum(n, v, dimensions, moment) for n, v in published.items()]
        utilization += [_datum(n, v, dimensions, moment) for n, v in usage.items()]
    for namespace, data in ((_INVOCATIONS_NS, invocations), (_UTILIZATION_NS, utilization)):
        for first in range(0, len(data), 500):
            cloudwatch.put_metric_data(Namespace=namespace, MetricData=data[first : first + 500])


def _datum(name: str, value: Any, dimensions: Any, moment: datetime) -> dict[str, Any]:
    """One MetricData entry: a value, or a statistic set (a dict)."""
    key = "StatisticValues" if isinstance(value, dict) else "Value"
    return {"MetricName": name, "Dimensions": dimensions, "Timestamp": moment, key: value}


def _minute(
    endpoint: Endpoint, after: float, noise: random.Random
) -> tuple[dict[str, Any], dict[str, float]]:
    """One minute's figures `after` minutes from the start: (AWS/SageMaker, utilization)."""
    fraud = endpoint.name == FRAUD
    traffic = endpoint.per_minute * (1 + 0.5 * (after + 60) / 300) * noise.uniform(0.93, 1.07)
    calls = round(traffic)
    errors_5xx = _BURST.get(int(after), 0.0) if fraud else 0.0
    scaling = fraud and 12 <= after < 21  # the update: two instances carry the traffic
    slow = 2.4 if scaling else 1.0
    model = endpoint.latency_ms * 1000 * slow * noise.uniform(0.9, 1.1)
    overhead = 1800 * noise.uniform(0.8, 1.2)
    instances = 2 if fraud and after < 21 else endpoint.instances
    cpu = min(95.0, traffic / instances / (6.0 if fraud else 2.5)) * noise.uniform(0.95, 1.05)
    sagemaker_figures = {
        "Invocations": float(calls),
        "Invocation4XXErrors": float(noise.choice([0, 0, 0, 1, 2])),
        "Invocation5XXErrors": errors_5xx,
        "ModelLatency": _spread(model, calls, 6.0 if scaling else 4.5),
        "OverheadLatency": _spread(overhead, calls, 3.0),
    }
    usage = {
        "CPUUtilization": cpu,
        "MemoryUtilization": (41.0 if fraud else 33.0) + 2 * math.sin(after / 25),
        "DiskUtilization": 12.0 if fraud else 9.0,
    }
    return sagemaker_figures, usage


def _spread(mean: float, count: int, tail: float) -> dict[str, float]:
    """A minute of `count` latencies averaging `mean` µs, as a CloudWatch statistic set."""
    return {
        "SampleCount": float(count),
        "Sum": mean * count,
        "Minimum": mean * 0.35,
        "Maximum": mean * tail,
    }
