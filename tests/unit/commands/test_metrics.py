"""`/mlpulse metrics JOB [METRIC]` against the demo's platform: curves from CloudWatch as
numbers and a PNG.

The chart in the README is this command's answer for the demo's completed training job.
Regenerate it with

    MLPULSE_UPDATE_DOCS=1 .venv/bin/python -m pytest tests/unit/commands/test_metrics.py -k docs
"""

from __future__ import annotations

import os

import pytest

from bot.aws.errors import AwsUnavailable, NotFound
from bot.core.errors import InputError
from bot.demo.backend import backend
from bot.demo.jobs import COMPLETED, FAILED, ROLE, XGBOOST
from bot.demo.tuning import TUNING, TUNING_TOP
from commands import metrics
from commands.base import Args, Context
from tests.conftest import REPO
from tests.unit.commands.platform import PlatformAws, scratch
from tests.unit.commands.replies import check

PNG = b"\x89PNG\r\n\x1a\n"
DOCS_CHART = REPO / "docs" / "metrics-chart.png"


def test_curves_as_numbers_and_a_chart(ctx: Context) -> None:
    reply = metrics.handle(ctx, Args(words=(COMPLETED,)))
    text = check(reply)
    assert f"Metrics of training job {COMPLETED}" in text
    assert "`train:logloss` (algo-1): first 0.6821 · best 0.2011 (lowest, at 45m 00s)" in text
    assert (
        "`validation:auc` (algo-1): first 0.6322 · best 0.9134 (highest, at 45m 00s) · last 0.9134 · 40 points"
        in text
    )
    assert "CPUUtilization" not in text  # utilization is not a training curve
    assert "*Final metrics (SageMaker)*: `train:logloss` = 0.2011" in text
    [chart] = reply.charts
    assert chart.png.startswith(PNG)
    assert chart.filename == f"{COMPLETED}-metrics.png"
    assert reply.text == f"Training job {COMPLETED}: train:logloss last 0.2011"


def test_one_metric_by_part_of_its_name(ctx: Context) -> None:
    text = check(metrics.handle(ctx, Args(words=(COMPLETED, "AUC"))))
    assert "`validation:auc` (algo-1)" in text and "logloss` (algo-1)" not in text
    by_option = check(metrics.handle(ctx, Args(words=(COMPLETED,), options={"metric": "*logloss"})))
    assert "`train:logloss` (algo-1)" in by_option and "`validation:logloss` (algo-1)" in by_option
    assert "`validation:auc` (algo-1)" not in by_option


def test_unknown_metric_lists_what_there_is(ctx: Context) -> None:
    reply = metrics.handle(ctx, Args(words=(COMPLETED, "f1")))
    text = check(reply)
    assert "has no metric matching `f1`; it has `CPUUtilization`, `train:logloss`" in text
    assert reply.charts == []


def test_a_failed_job_shows_the_curves_until_it_failed(ctx: Context) -> None:
    reply = metrics.handle(ctx, Args(words=(FAILED,)))
    text = check(reply)
    assert "`validation:auc` (algo-1): first 0.5799 · best 0.7793" in text and "14 points" in text
    assert "Final metrics" not in text  # a failed job reports none
    assert reply.charts


def test_job_without_metrics_says_so(ctx: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    """Test-only: a training job that has just started, in a scratch copy of moto's table."""
    scratch(monkeypatch, backend("sagemaker"), "training_jobs")
    ctx.aws.sagemaker.create_training_job(
        TrainingJobName="churn-xgb-2026-11-25-0415",
        AlgorithmSpecification={"TrainingImage": XGBOOST, "TrainingInputMode": "File"},
        RoleArn=ROLE,
        OutputDataConfig={"S3OutputPath": "s3://ml-artifacts/models/"},
        ResourceConfig={"InstanceType": "ml.g5.2xlarge", "InstanceCount": 1, "VolumeSizeInGB": 50},
        StoppingCondition={"MaxRuntimeInSeconds": 14400},
    )
    reply = metrics.handle(ctx, Args(words=("churn-xgb-2026-11-25-0415",)))
    text = check(reply)
    assert "No metrics in CloudWatch for training job `churn-xgb-2026-11-25-0415` yet" in text
    assert reply.charts == []


def test_a_tuning_job_shows_its_best_training_job(ctx: Context) -> None:
    reply = metrics.handle(ctx, Args(words=(TUNING, "auc")))
    text = check(reply)
    assert f"Metrics of training job {TUNING_TOP[0][0]}" in text
    assert f"Best training job of tuning job `{TUNING}`." in text
    assert "`validation:auc` (algo-1): first 0.66 · best 0.9412" in text
    assert reply.charts


def test_unknown_job(ctx: Context) -> None:
    with pytest.raises(NotFound, match="could not find a training job or tuning job named nope"):
        metrics.handle(ctx, Args(words=("nope",)))


def test_cloudwatch_denied_names_the_permission(ctx: Context, platform: PlatformAws) -> None:
    platform.stub(
        "cloudwatch", "list_metrics", error="AccessDenied", message="User is not authorized"
    )
    with pytest.raises(Exception, match="missing permission cloudwatch:ListMetrics"):
        metrics.handle(ctx, Args(words=(COMPLETED,)))


@pytest.mark.parametrize("words", [(), ("a", "b", "c")])
def test_usage(ctx: Context, words: tuple[str, ...]) -> None:
    with pytest.raises(InputError, match="usage: `/mlpulse metrics JOB"):
        metrics.handle(ctx, Args(words=words))


def test_no_aws_configured(ctx: Context) -> None:
    ctx.aws = None
    with pytest.raises(AwsUnavailable, match="no AWS access configured"):
        metrics.handle(ctx, Args(words=("x",)))


def test_docs_chart(ctx: Context) -> None:
    """docs/metrics-chart.png is this command's chart for the demo's completed job."""
    [chart] = metrics.handle(ctx, Args(words=(COMPLETED,))).charts
    if os.environ.get("MLPULSE_UPDATE_DOCS") == "1":
        DOCS_CHART.write_bytes(chart.png)
    assert DOCS_CHART.read_bytes().startswith(PNG)
