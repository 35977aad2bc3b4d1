"""`/mlpulse endpoint NAME`: the endpoint, its variants and alarms from moto; its metrics from
ONE GetMetricData call answered by the Stubber, because moto's server crashes on percentile
statistics (p50, p99)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.aws.errors import MissingPermission, NotFound
from bot.core.errors import InputError
from commands import endpoint
from commands.base import Args, Context
from tests.unit.commands.platform import Platform, PlatformAws, backend, endpoint_figures
from tests.unit.commands.replies import check

PNG = b"\x89PNG\r\n\x1a\n"


def test_endpoint_health_in_one_call(ctx: Context, aws: PlatformAws, platform: Platform) -> None:
    aws.stub("cloudwatch", "get_metric_data", endpoint_figures(platform.now, ["AllTraffic"]))
    reply = endpoint.handle(ctx, Args(words=(platform.endpoint,)))
    text = check(reply)
    assert "Endpoint churn-prod" in text
    assert ":large_green_circle: In service" in text
    assert "`churn-prod-config`" in text
    assert "*Variant `AllTraffic`* — 2 × ml.m5.large, weight 1" in text
    assert "Invocations 6,000 · 4XX 6 · 5XX 6 · error rate 0.2%" in text
    assert "ModelLatency p50 12.35 ms · p99 85 ms · OverheadLatency p50 1.5 ms · p99 4.2 ms" in text
    assert "CPU 60% avg, 80% peak · Memory 55% avg, 55% peak" in text
    assert "GPU" not in text.split("Alarms")[0]  # no GPU data, no GPU figure
    assert "*Alarms* (1 of 2 in ALARM)" in text
    assert text.index("churn-prod-5xx") < text.index("churn-prod-latency")  # ALARM first
    assert "Invocation5XXErrors &gt; 5" in text
    assert "Threshold crossed: 9 errors &lt;!channel&gt;" in text
    assert "other-endpoint-5xx" not in text
    assert "#/endpoints/churn-prod" in text
    assert "group=/aws/sagemaker/Endpoints/churn-prod" in text
    [chart] = reply.charts
    assert chart.png.startswith(PNG) and chart.filename == "churn-prod-health.png"
    [request] = aws.calls("GetMetricData")  # ONE call, within the API's limits
    queries = request["MetricDataQueries"]
    assert len(queries) <= 500
    stats = {
        (
            q["MetricStat"]["Metric"]["Namespace"],
            q["MetricStat"]["Metric"]["MetricName"],
            q["MetricStat"]["Stat"],
        )
        for q in queries
    }
    assert ("AWS/SageMaker", "ModelLatency", "p99") in stats
    assert ("AWS/SageMaker", "OverheadLatency", "p50") in stats
    assert ("/aws/sagemaker/Endpoints", "GPUUtilization", "Average") in stats
    dims = {
        tuple((d["Name"], d["Value"]) for d in q["MetricStat"]["Metric"]["Dimensions"])
        for q in queries
    }
    assert dims == {(("EndpointName", "churn-prod"), ("VariantName", "AllTraffic"))}
    assert request["EndTime"] - request["StartTime"] == timedelta(hours=1)


def test_quiet_endpoint_says_so(ctx: Context, aws: PlatformAws, platform: Platform) -> None:
    aws.stub("cloudwatch", "get_metric_data", {"MetricDataResults": []})
    reply = endpoint.handle(ctx, Args(words=(platform.endpoint,)))
    text = check(reply)
    assert "No invocations in the last hour." in text
    assert "No utilization data in the last hour." in text
    assert reply.charts == []


def test_failed_endpoint_without_variants(
    ctx: Context, aws: PlatformAws, platform: Platform
) -> None:
    found = backend("sagemaker").endpoints[platform.endpoint]
    found.endpoint_status = "Failed"
    found.failure_reason = "Image <!channel> could not be pulled"
    found.production_variants = []
    text = check(endpoint.handle(ctx, Args(words=(platform.endpoint,))))
    assert ":red_circle: Failed" in text
    assert "Image &lt;!channel&gt; could not be pulled" in text
    assert "_No production variants yet._" in text
    assert aws.calls("GetMetricData") == []


def test_alarms_denied_leaves_the_rest(ctx: Context, aws: PlatformAws, platform: Platform) -> None:
    aws.stub("cloudwatch", "get_metric_data", endpoint_figures(platform.now, ["AllTraffic"]))
    aws.stub("cloudwatch", "describe_alarms", error="AccessDenied", message="not allowed")
    text = check(endpoint.handle(ctx, Args(words=(platform.endpoint,))))
    assert "Alarms: missing permission cloudwatch:DescribeAlarms" in text
    assert "Invocations 6,000" in text


def test_metrics_denied_leaves_status_and_alarms(
    ctx: Context, aws: PlatformAws, platform: Platform
) -> None:
    aws.stub("cloudwatch", "get_metric_data", error="AccessDenied", message="no")
    reply = endpoint.handle(ctx, Args(words=(platform.endpoint,)))
    text = check(reply)
    assert "Metrics: missing permission cloudwatch:GetMetricData" in text
    assert "*Variant `AllTraffic`* — 2 × ml.m5.large" in text
    assert "churn-prod-5xx" in text
    assert reply.charts == []


def test_unknown_endpoint(ctx: Context) -> None:
    with pytest.raises(NotFound, match="could not find endpoint nope"):
        endpoint.handle(ctx, Args(words=("nope",)))


def test_describe_denied(ctx: Context, aws: PlatformAws) -> None:
    aws.stub("sagemaker", "describe_endpoint", error="AccessDeniedException", message="no")
    with pytest.raises(MissingPermission, match="missing permission sagemaker:DescribeEndpoint"):
        endpoint.handle(ctx, Args(words=("churn-prod",)))


def test_usage(ctx: Context) -> None:
    with pytest.raises(InputError, match="usage: `/mlpulse endpoint NAME`"):
        endpoint.handle(ctx, Args(words=()))
