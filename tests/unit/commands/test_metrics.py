"""`/mlpulse metrics JOB [METRIC]` against the moto platform: curves from CloudWatch as
numbers and a PNG.

The chart in the README is this command's answer for the seeded job. Regenerate it with

    MLPULSE_UPDATE_DOCS=1 .venv/bin/python -m pytest tests/unit/commands/test_metrics.py -k docs
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.aws.errors import AwsUnavailable, NotFound
from bot.core.errors import InputError
from commands import metrics
from commands.base import Args, Context
from tests.unit.commands.platform import Platform, PlatformAws
from tests.unit.commands.replies import check

PNG = b"\x89PNG\r\n\x1a\n"
DOCS_CHART = Path(__file__).resolve().parents[3] / "docs" / "metrics-chart.png"


def test_curves_as_numbers_and_a_chart(ctx: Context, platform: Platform) -> None:
    reply = metrics.handle(ctx, Args(words=(platform.trained,)))
    text = check(reply)
    assert "Metrics of training job churn-xgb-1" in text
    assert "`train:logloss` (algo-1): first 0.7 · best 0.1831 (lowest, at 27m 00s)" in text
    assert (
        "`validation:auc` (algo-1): first 0.62 · best 0.9191 (highest, at 29m 00s) · last 0.9191 · 28 points"
        in text
    )
    assert "CPUUtilization" not in text  # utilization is not a training curve
    assert "*Final metrics (SageMaker)*: `train:progress` = 100" in text
    [chart] = reply.charts
    assert chart.png.startswith(PNG)
    assert chart.filename == "churn-xgb-1-metrics.png"
    assert reply.text == "Training job churn-xgb-1: train:logloss last 0.1905"


def test_one_metric_by_part_of_its_name(ctx: Context, platform: Platform) -> None:
    text = check(metrics.handle(ctx, Args(words=(platform.trained, "AUC"))))
    assert "`validation:auc`" in text and "logloss" not in text
    by_option = check(
        metrics.handle(ctx, Args(words=(platform.trained,), options={"metric": "*logloss"}))
    )
    assert "`train:logloss`" in by_option and "`validation:logloss`" in by_option


def test_unknown_metric_lists_what_there_is(ctx: Context, platform: Platform) -> None:
    reply = metrics.handle(ctx, Args(words=(platform.trained, "f1")))
    text = check(reply)
    assert "has no metric matching `f1`; it has `CPUUtilization`, `train:logloss`" in text
    assert reply.charts == []


def test_job_without_metrics_says_so(ctx: Context, platform: Platform) -> None:
    reply = metrics.handle(ctx, Args(words=(platform.failed,)))
    text = check(reply)
    assert "No metrics in CloudWatch for training job `churn-xgb-2` yet" in text
    assert reply.charts == []


def test_a_tuning_job_shows_its_best_training_job(
    ctx: Context, aws: PlatformAws, platform: Platform
) -> None:
    """moto's tuning jobs have no best training job: the Stubber answers DescribeHyperParameterTuningJob."""
    aws.stub(
        "sagemaker",
        "describe_training_job",
        error="ValidationException",
        message="Requested resource not found.",
    )
    aws.stub("sagemaker", "describe_hyper_parameter_tuning_job", {
        "HyperParameterTuningJobName": "churn-hpo", "HyperParameterTuningJobArn": "arn:aws:sagemaker:us-east-1:123456789012:hyper-parameter-tuning-job/churn-hpo",
        "HyperParameterTuningJobConfig": {"Strategy": "Bayesian", "ResourceLimits": {"MaxParallelTrainingJobs": 1}},
        "HyperParameterTuningJobStatus": "Completed", "CreationTime": platform.now,
        "TrainingJobStatusCounters": {}, "ObjectiveStatusCounters": {},
        "BestTrainingJob": {"TrainingJobName": platform.trained, "TrainingJobArn": "arn:aws:sagemaker:us-east-1:123456789012:training-job/x",
                            "CreationTime": platform.now, "TrainingJobStatus": "Completed", "TunedHyperParameters": {}},
    })  # fmt: skip
    real = aws.real.sagemaker.describe_training_job(TrainingJobName=platform.trained)
    aws.stub(
        "sagemaker",
        "describe_training_job",
        {k: v for k, v in real.items() if k != "ResponseMetadata"},
    )
    reply = metrics.handle(ctx, Args(words=("churn-hpo", "auc")))
    text = check(reply)
    assert "Best training job of tuning job `churn-hpo`." in text
    assert "`validation:auc`" in text
    assert reply.charts


def test_unknown_job(ctx: Context) -> None:
    with pytest.raises(NotFound, match="could not find a training job or tuning job named nope"):
        metrics.handle(ctx, Args(words=("nope",)))


def test_cloudwatch_denied_names_the_permission(
    ctx: Context, aws: PlatformAws, platform: Platform
) -> None:
    aws.stub("cloudwatch", "list_metrics", error="AccessDenied", message="User is not authorized")
    with pytest.raises(Exception, match="missing permission cloudwatch:ListMetrics"):
        metrics.handle(ctx, Args(words=(platform.trained,)))


@pytest.mark.parametrize("words", [(), ("a", "b", "c")])
def test_usage(ctx: Context, words: tuple[str, ...]) -> None:
    with pytest.raises(InputError, match="usage: `/mlpulse metrics JOB"):
        metrics.handle(ctx, Args(words=words))


def test_no_aws_configured(ctx: Context) -> None:
    ctx.aws = None
    with pytest.raises(AwsUnavailable, match="no AWS access configured"):
        metrics.handle(ctx, Args(words=("x",)))


def test_docs_chart(ctx: Context, platform: Platform) -> None:
    """docs/metrics-chart.png is this command's chart for the seeded job."""
    [chart] = metrics.handle(ctx, Args(words=(platform.trained,))).charts
    if os.environ.get("MLPULSE_UPDATE_DOCS") == "1":
        DOCS_CHART.write_bytes(chart.png)
    assert DOCS_CHART.read_bytes().startswith(PNG)
