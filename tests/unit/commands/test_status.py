"""`/mlpulse status` against the demo's platform: each part stands on its own."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from bot.demo.backend import backend
from bot.demo.cicd import CODEPIPELINE, SAGEMAKER_PIPELINE
from bot.demo.jobs import COMPLETED, FAILED, RUNNING
from bot.demo.serving import CHURN, FRAUD
from commands import status
from commands.base import Args, Context
from tests.unit.commands.platform import PlatformAws, scratch
from tests.unit.commands.replies import check


def test_the_platform_at_a_glance(ctx: Context) -> None:
    reply = status.handle(ctx, Args(words=()))
    text = check(reply)
    running = text.split("*Running now*")[1].split("*Failed")[0]
    assert f"`{RUNNING}`" in running and "1m 00s ago" in running
    failed = text.split("*Failed in the last 24 h*")[1].split("*Endpoints*")[0]
    assert f"`{FAILED}`" in failed and COMPLETED not in failed
    assert f":large_green_circle: In service `{CHURN}`" in text
    assert f":large_green_circle: In service `{FRAUD}`" in text
    assert f":red_circle: Failed CodePipeline `{CODEPIPELINE}`" in text
    assert f":large_green_circle: Succeeded SageMaker Pipelines `{SAGEMAKER_PIPELINE}`" in text
    assert "Open incidents" not in text  # no incidents service in this context
    assert reply.text == (
        "Status: 1 running, 1 failed in 24 h, 2 endpoints, 2 pipelines (1 failed last time)"
    )


def test_troubled_endpoints_come_first_and_open_incidents_count(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Test-only: a canary and a broken endpoint, in scratch copies of moto's tables."""
    sagemaker = backend("sagemaker")
    scratch(monkeypatch, sagemaker, "endpoint_configs")
    endpoints = scratch(monkeypatch, sagemaker, "endpoints")
    ctx.aws.sagemaker.create_endpoint_config(
        EndpointConfigName="a-config",
        ProductionVariants=[
            {
                "VariantName": "v",
                "ModelName": "churn-xgb-v6",
                "InitialInstanceCount": 1,
                "InstanceType": "ml.m5.large",
            }
        ],
    )
    ctx.aws.sagemaker.create_endpoint(EndpointName="aaa-canary", EndpointConfigName="a-config")
    ctx.aws.sagemaker.create_endpoint(EndpointName="zzz-broken", EndpointConfigName="a-config")
    endpoints["zzz-broken"].endpoint_status = "Failed"
    ctx.incidents = SimpleNamespace(count_open=lambda: 2)
    text = check(status.handle(ctx, Args(words=())))
    shown = text.split("*Endpoints* · 4 endpoints (1 not in service)")[1]
    assert shown.index("zzz-broken") < shown.index("aaa-canary") < shown.index(CHURN)
    assert "*Open incidents:* 2" in text


def test_a_part_we_may_not_read_leaves_the_others(ctx: Context, platform: PlatformAws) -> None:
    platform.stub("sagemaker", "list_endpoints", error="AccessDeniedException", message="no")
    platform.stub("codepipeline", "list_pipelines", error="AccessDeniedException", message="no")
    text = check(status.handle(ctx, Args(words=())))
    assert "*Endpoints*: _could not read: missing permission sagemaker:ListEndpoints" in text
    assert "CodePipeline: missing permission codepipeline:ListPipelines" in text
    assert f"SageMaker Pipelines `{SAGEMAKER_PIPELINE}`" in text
    assert f"`{RUNNING}`" in text


def test_without_an_incidents_service_there_is_no_incident_line(ctx: Context) -> None:
    ctx.incidents = None
    assert "Open incidents" not in check(status.handle(ctx, Args(words=())))


def test_a_job_kind_we_may_not_list_is_noted_in_place(ctx: Context, platform: PlatformAws) -> None:
    platform.stub("sagemaker", "list_transform_jobs", error="AccessDeniedException", message="no")
    platform.stub("sagemaker", "list_transform_jobs", error="AccessDeniedException", message="no")
    text = check(status.handle(ctx, Args(words=())))
    assert (
        text.count("_not listed: transform jobs: missing permission sagemaker:ListTransformJobs")
        == 2
    )
    assert f"`{RUNNING}`" in text and f"`{FAILED}`" in text
