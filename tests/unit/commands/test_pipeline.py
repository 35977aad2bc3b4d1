"""`/mlpulse pipeline NAME` against the demo's platform: executions from moto; the stages,
actions and steps moto cannot report from the demo's clients (bot.demo.canned)."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.aws.errors import MissingPermission, NotFound
from bot.core.errors import InputError
from bot.demo.backend import backend
from bot.demo.cicd import CODEPIPELINE, EXECUTIONS, SAGEMAKER_PIPELINE, TRAININGS
from bot.demo.jobs import FEATURES
from commands import pipeline
from commands.base import Args, Context
from tests.unit.commands.platform import PlatformAws
from tests.unit.commands.replies import check

FAILED_RUN = EXECUTIONS[-1].id  # the 03:30 run, failed at Evaluate / ModelQualityGate


def test_codepipeline_runs_stages_and_where_it_failed(ctx: Context, platform: PlatformAws) -> None:
    reply = pipeline.handle(ctx, Args(words=(CODEPIPELINE,)))
    text = check(reply)
    assert "CodePipeline ml-deploy" in text
    assert "*Last 3 executions*" in text
    assert text.index(":red_circle: Failed") < text.index(":large_green_circle: Succeeded")
    assert "StartPipelineExecution" in text  # the trigger
    assert "8m 30s" in text  # how long the failed run took
    assert "*Stages now*" in text and ":red_circle: Failed `Evaluate`" in text
    assert (
        f"*Where it failed* — execution `{FAILED_RUN}` failed at `Evaluate / ModelQualityGate`"
        in text
    )
    assert "Build failed: validation:auc 0.871 is below the 0.90 gate" in text
    assert "codesuite/codepipeline/pipelines/ml-deploy/view?region=eu-west-1" in text
    assert reply.text == "CodePipeline ml-deploy: Failed"
    [listing] = platform.calls("ListActionExecutions")
    assert listing["filter"] == {"pipelineExecutionId": FAILED_RUN}


def test_what_aws_says_of_a_failure_is_escaped(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Test-only: the gate's build failing with a summary full of mentions."""
    monkeypatch.setattr("bot.demo.canned.GATE_FAILURE", "3 tests failed: test_<!channel>_drift")
    text = check(pipeline.handle(ctx, Args(words=(CODEPIPELINE,))))
    assert "3 tests failed: test_&lt;!channel&gt;_drift" in text


def test_codepipeline_state_denied_is_a_note(ctx: Context, platform: PlatformAws) -> None:
    platform.stub("codepipeline", "get_pipeline_state", error="AccessDeniedException", message="no")
    text = check(pipeline.handle(ctx, Args(words=(CODEPIPELINE,))))
    assert ":red_circle: Failed" in text
    assert "stages: missing permission codepipeline:GetPipelineState" in text


def test_sagemaker_pipeline_steps(ctx: Context) -> None:
    text = check(pipeline.handle(ctx, Args(words=(SAGEMAKER_PIPELINE,))))
    assert "SageMaker Pipelines churn-train-pipeline" in text
    assert "*Last 2 executions*" in text
    assert "*Steps of the latest execution*" in text
    assert f":large_green_circle: Succeeded `Preprocess` — ProcessingJob {FEATURES}" in text
    assert ":large_green_circle: Succeeded `Register` — RegisterModel churn-models/7" in text
    assert "Where it failed" not in text


def test_sagemaker_pipeline_failure(
    ctx: Context, platform: PlatformAws, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Test-only: the latest run failed at its training step, for a reason full of mentions."""
    latest = (
        backend("sagemaker").pipelines[SAGEMAKER_PIPELINE].pipeline_executions[TRAININGS[-1].arn]
    )
    monkeypatch.setattr(latest, "pipeline_execution_status", "Failed")
    monkeypatch.setattr(latest, "pipeline_execution_failure_reason", "Step Train failed")
    started = datetime(2026, 11, 25, 3, 18)
    arn = "arn:aws:sagemaker:eu-west-1:123456789012"
    platform.stub("sagemaker", "list_pipeline_execution_steps", {"PipelineExecutionSteps": [
        {"StepName": "Preprocess", "StepStatus": "Succeeded", "StartTime": started, "EndTime": started,
         "Metadata": {"ProcessingJob": {"Arn": f"{arn}:processing-job/{FEATURES}"}}},
        {"StepName": "Train", "StepStatus": "Failed", "StartTime": started, "FailureReason": "ClientError: <!here> ResourceLimitExceeded",
         "Metadata": {"TrainingJob": {"Arn": f"{arn}:training-job/churn-xgb-2026-11-25-0400"}}},
        {"StepName": "Register", "StepStatus": "Stopped"},
    ]})  # fmt: skip
    text = check(pipeline.handle(ctx, Args(words=(SAGEMAKER_PIPELINE,))))
    assert ":red_circle: Failed" in text
    assert f":large_green_circle: Succeeded `Preprocess` — ProcessingJob {FEATURES}" in text
    assert "*Where it failed*" in text and "failed at `Train`" in text
    assert "Train: ClientError: &lt;!here&gt; ResourceLimitExceeded" in text


def test_kind_goes_straight_to_sagemaker(ctx: Context, platform: PlatformAws) -> None:
    text = check(
        pipeline.handle(ctx, Args(words=(SAGEMAKER_PIPELINE,), options={"kind": "SageMaker"}))
    )
    assert ":large_green_circle: Succeeded" in text
    assert "Where it failed" not in text
    assert len(platform.calls("ListPipelineExecutions")) == 1  # SageMaker's, not CodePipeline's


def test_unknown_pipeline(ctx: Context) -> None:
    with pytest.raises(
        NotFound, match="could not find a CodePipeline or SageMaker pipeline named nope"
    ):
        pipeline.handle(ctx, Args(words=("nope",)))


def test_denied_everywhere_names_both_permissions(ctx: Context, platform: PlatformAws) -> None:
    platform.stub(
        "codepipeline", "list_pipeline_executions", error="AccessDeniedException", message="no"
    )
    platform.stub(
        "sagemaker", "list_pipeline_executions", error="AccessDeniedException", message="no"
    )
    with pytest.raises(MissingPermission) as raised:
        pipeline.handle(ctx, Args(words=(CODEPIPELINE,)))
    assert "codepipeline:ListPipelineExecutions, sagemaker:ListPipelineExecutions" in str(
        raised.value
    )


@pytest.mark.parametrize(("words", "options"), [((), {}), (("x",), {"kind": "jenkins"})])
def test_bad_arguments(ctx: Context, words: tuple[str, ...], options: dict[str, str]) -> None:
    with pytest.raises(InputError):
        pipeline.handle(ctx, Args(words=words, options=options))
