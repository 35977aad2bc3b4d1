"""Endpoint figures: latencies converted from microseconds, error rate over the hour, and
every figure of up to ten variants asked in one GetMetricData call."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.aws.endpoint_health import VariantHealth, queries_for
from bot.aws.metric_data import Series, batches, last_hour

NOW = datetime(2026, 11, 25, 12, 30, tzinfo=UTC)


def series(key: str, values: list[float]) -> tuple[str, Series]:
    query = next(q for v, k, q in queries_for("e", ["v"]) if k == key)
    times = [NOW - timedelta(minutes=len(values) - i) for i in range(len(values))]
    return key, Series(query, times, values)


def test_ten_variants_fit_one_call() -> None:
    start, end = last_hour(NOW)
    planned = queries_for("churn-prod", [f"variant-{i}" for i in range(10)])
    assert len(batches([q for _, _, q in planned], start, end)) == 1
    namespaces = {q.namespace for _, _, q in planned}
    assert namespaces == {"AWS/SageMaker", "/aws/sagemaker/Endpoints"}
    assert all(
        dict(q.dimensions) == {"EndpointName": "churn-prod", "VariantName": v}
        for v, _, q in planned
    )


def test_latency_in_milliseconds_and_error_rate() -> None:
    health = VariantHealth(
        "v",
        dict(
            [
                series("invocations", [100.0, 300.0]),
                series("4xx", [2.0, 0.0]),
                series("5xx", [0.0, 2.0]),
                series("model_p99_hour", [85_000.0]),
                series("overhead_p50_hour", [1_500.0]),
                series("cpu", [40.0, 80.0]),
            ]
        ),
    )
    assert health.total("invocations") == 400.0
    assert health.error_rate() == 1.0  # (2 + 2) / 400 in percent
    assert health.hour("model_p99_hour") == 85.0
    assert health.hour("overhead_p50_hour") == 1.5
    assert health.hour("model_p50_hour") is None
    assert health.mean_and_peak("cpu") == (60.0, 80.0)
    assert health.mean_and_peak("gpu") is None


def test_no_invocations_means_no_error_rate() -> None:
    assert VariantHealth("v", {}).error_rate() is None
    assert VariantHealth("v", dict([series("invocations", [0.0])])).error_rate() is None
