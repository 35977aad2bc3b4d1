"""`/mlpulse endpoint NAME` against the demo's platform: the endpoint, its variants and
alarms from moto; its metrics from ONE GetMetricData call (whose p50 and p99, which crash
moto's server, the demo's clients ask as Average and Maximum: see bot.demo.aws)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from matplotlib.figure import Figure

from bot.aws.errors import MissingPermission, NotFound
from bot.core.clock import FakeClock
from bot.core.errors import InputError
from bot.demo.backend import backend
from bot.demo.serving import FRAUD, LAST
from commands import charts, endpoint
from commands.base import Args, Context
from commands.charts import draw
from tests.unit.commands.platform import HOSTILE, PlatformAws
from tests.unit.commands.replies import check

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def firing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Test-only: fraud-prod's 5XX alarm firing again, for a reason full of mentions."""
    alarm = backend("cloudwatch").alarms["fraud-prod-5xx-errors"]
    monkeypatch.setattr(alarm, "state_value", "ALARM")
    monkeypatch.setattr(alarm, "state_reason", f"Threshold crossed: 9 errors {HOSTILE}")


def test_endpoint_health_in_one_call(ctx: Context, platform: PlatformAws, firing: None) -> None:
    reply = endpoint.handle(ctx, Args(words=(FRAUD,)))
    text = check(reply)
    assert "Endpoint fraud-prod" in text
    assert ":large_green_circle: In service" in text
    assert "`fraud-prod-config-v42`" in text
    assert "*Variant `AllTraffic`* — 3 × ml.c5.xlarge, weight 1" in text
    # 03:16-04:16: the tail of the 5XX burst the alarm saw at 03:15 (bot.demo.serving)
    assert "Invocations 67,166 · 4XX 32 · 5XX 16 · error rate 0.071%" in text
    assert (
        "ModelLatency p50 15.56 ms · p99 212 ms · OverheadLatency p50 1.796 ms · p99 6.447 ms"
        in text
    )
    assert "CPU 64% avg, 95% peak · Memory 43% avg, 43% peak" in text
    assert "GPU" not in text.split("Alarms")[0]  # no GPU data, no GPU figure
    assert "*Alarms* (1 of 2 in ALARM)" in text
    assert text.index("fraud-prod-5xx-errors") < text.index("fraud-prod-model-latency")
    assert "Invocation5XXErrors &gt; 5" in text
    assert "Threshold crossed: 9 errors &lt;!channel&gt;" in text
    assert "churn-prod-5xx-errors" not in text  # another endpoint's
    assert "#/endpoints/fraud-prod" in text
    assert "group=/aws/sagemaker/Endpoints/fraud-prod" in text
    [chart] = reply.charts
    assert chart.png.startswith(PNG) and chart.filename == "fraud-prod-health.png"
    [request] = platform.calls("GetMetricData")  # ONE call, within the API's limits
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
    assert dims == {(("EndpointName", "fraud-prod"), ("VariantName", "AllTraffic"))}
    assert request["EndTime"] - request["StartTime"] == timedelta(hours=1)


def test_quiet_endpoint_says_so(ctx: Context) -> None:
    """Two hours after the platform's last figures."""
    ctx.clock = FakeClock(LAST + timedelta(hours=2))
    reply = endpoint.handle(ctx, Args(words=(FRAUD,)))
    text = check(reply)
    assert "No invocations in the last hour." in text
    assert "No utilization data in the last hour." in text
    assert reply.charts == []


def test_failed_endpoint_without_variants(
    ctx: Context, platform: PlatformAws, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Test-only: fraud-prod failed, for a reason full of mentions."""
    found = backend("sagemaker").endpoints[FRAUD]
    monkeypatch.setattr(found, "endpoint_status", "Failed")
    monkeypatch.setattr(found, "failure_reason", "Image <!channel> could not be pulled")
    monkeypatch.setattr(found, "production_variants", [])
    text = check(endpoint.handle(ctx, Args(words=(FRAUD,))))
    assert ":red_circle: Failed" in text
    assert "Image &lt;!channel&gt; could not be pulled" in text
    assert "_No production variants yet._" in text
    assert platform.calls("GetMetricData") == []


def test_alarms_denied_leaves_the_rest(ctx: Context, platform: PlatformAws) -> None:
    platform.stub("cloudwatch", "describe_alarms", error="AccessDenied", message="not allowed")
    text = check(endpoint.handle(ctx, Args(words=(FRAUD,))))
    assert "Alarms: missing permission cloudwatch:DescribeAlarms" in text
    assert "Invocations 67,166" in text


def test_metrics_denied_leaves_status_and_alarms(ctx: Context, platform: PlatformAws) -> None:
    platform.stub("cloudwatch", "get_metric_data", error="AccessDenied", message="no")
    reply = endpoint.handle(ctx, Args(words=(FRAUD,)))
    text = check(reply)
    assert "Metrics: missing permission cloudwatch:GetMetricData" in text
    assert "*Variant `AllTraffic`* — 3 × ml.c5.xlarge" in text
    assert "fraud-prod-5xx-errors" in text
    assert reply.charts == []


def test_unknown_endpoint(ctx: Context) -> None:
    with pytest.raises(NotFound, match="could not find endpoint nope"):
        endpoint.handle(ctx, Args(words=("nope",)))


def test_describe_denied(ctx: Context, platform: PlatformAws) -> None:
    platform.stub("sagemaker", "describe_endpoint", error="AccessDeniedException", message="no")
    with pytest.raises(MissingPermission, match="missing permission sagemaker:DescribeEndpoint"):
        endpoint.handle(ctx, Args(words=(FRAUD,)))


def test_usage(ctx: Context) -> None:
    with pytest.raises(InputError, match="usage: `/mlpulse endpoint NAME`"):
        endpoint.handle(ctx, Args(words=()))


def test_the_chart_puts_errors_on_their_own_axis(
    ctx: Context, platform: PlatformAws, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The figure drawn for the reply (the real one, recorded on its way to PNG)."""
    drawn: list[Figure] = []

    def recorded(title: str, panels: list[charts.Panel], xlabel: str = "") -> Figure:
        drawn.append(draw(title, panels, xlabel))
        return drawn[-1]

    monkeypatch.setattr(charts, "draw", recorded)
    [chart] = endpoint.handle(ctx, Args(words=(FRAUD,))).charts
    assert chart.png.startswith(PNG)
    [figure] = drawn
    invocations, errors = figure.axes[0], figure.axes[-1]
    assert [line.get_label() for line in invocations.get_lines()] == ["Invocations"]
    assert [line.get_label() for line in errors.get_lines()] == ["4XX", "5XX"]
    assert errors.get_ylabel() == "errors (4XX, 5XX)"
    # the 4XX/5XX counts of a minute are tens, invocations a thousand: each axis fits its own
    assert errors.get_ylim()[1] < invocations.get_ylim()[0]
    assert figure.axes[-2].get_xlabel() == "time (UTC)"
