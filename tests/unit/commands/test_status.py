"""`/mlpulse status` against the moto platform: each part stands on its own."""

from __future__ import annotations

from types import SimpleNamespace

from commands import status
from commands.base import Args, Context
from tests.unit.commands.platform import Platform, PlatformAws, backend
from tests.unit.commands.replies import check


def test_the_platform_at_a_glance(ctx: Context, platform: Platform) -> None:
    reply = status.handle(ctx, Args(words=()))
    text = check(reply)
    running = text.split("*Running now*")[1].split("*Failed")[0]
    assert "`churn-xgb-3`" in running and "30h 02m ago" in running
    failed = text.split("*Failed in the last 24 h*")[1].split("*Endpoints*")[0]
    assert "`churn-xgb-2`" in failed and "churn-xgb-1" not in failed
    assert ":large_green_circle: In service `churn-prod`" in text
    assert ":large_green_circle: Succeeded CodePipeline `churn-build`" in text
    assert ":large_green_circle: Succeeded SageMaker Pipelines `churn-train`" in text
    assert "Open incidents" not in text  # no incidents service in this context
    assert reply.text == "Status: 1 running, 1 failed in 24 h, 1 endpoint, 2 pipelines"


def test_troubled_endpoints_come_first_and_open_incidents_count(
    ctx: Context, aws: PlatformAws, platform: Platform
) -> None:
    sm = aws.real.sagemaker
    sm.create_endpoint_config(
        EndpointConfigName="a-config",
        ProductionVariants=[
            {
                "VariantName": "v",
                "ModelName": "churn-model",
                "InitialInstanceCount": 1,
                "InstanceType": "ml.m5.large",
            }
        ],
    )
    sm.create_endpoint(EndpointName="aaa-canary", EndpointConfigName="a-config")
    sm.create_endpoint(EndpointName="zzz-broken", EndpointConfigName="a-config")
    backend("sagemaker").endpoints["zzz-broken"].endpoint_status = "Failed"
    ctx.incidents = SimpleNamespace(count_open=lambda: 2)
    text = check(status.handle(ctx, Args(words=())))
    endpoints = text.split("*Endpoints* (3 endpoints (1 not in service))")[1]
    assert endpoints.index("zzz-broken") < endpoints.index("aaa-canary")
    assert "*Open incidents:* 2" in text


def test_a_part_we_may_not_read_leaves_the_others(
    ctx: Context, aws: PlatformAws, platform: Platform
) -> None:
    aws.stub("sagemaker", "list_endpoints", error="AccessDeniedException", message="no")
    aws.stub("codepipeline", "list_pipelines", error="AccessDeniedException", message="no")
    text = check(status.handle(ctx, Args(words=())))
    assert "*Endpoints*: _could not read: missing permission sagemaker:ListEndpoints" in text
    assert "CodePipeline: missing permission codepipeline:ListPipelines" in text
    assert "SageMaker Pipelines `churn-train`" in text
    assert "`churn-xgb-3`" in text


def test_an_incidents_service_without_count_is_ignored(ctx: Context) -> None:
    ctx.incidents = object()
    assert "Open incidents" not in check(status.handle(ctx, Args(words=())))


def test_a_job_kind_we_may_not_list_is_noted_in_place(ctx: Context, aws: PlatformAws) -> None:
    aws.stub("sagemaker", "list_transform_jobs", error="AccessDeniedException", message="no")
    aws.stub("sagemaker", "list_transform_jobs", error="AccessDeniedException", message="no")
    text = check(status.handle(ctx, Args(words=())))
    assert (
        text.count("_not listed: transform jobs: missing permission sagemaker:ListTransformJobs")
        == 2
    )
    assert "`churn-xgb-3`" in text and "`churn-xgb-2`" in text
