"""`/mlpulse pipeline NAME`: executions from moto; moto lacks GetPipelineState,
ListActionExecutions and ListPipelineExecutionSteps, so the Stubber answers those."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.aws.errors import MissingPermission, NotFound
from bot.core.errors import InputError
from commands import pipeline
from commands.base import Args, Context
from tests.unit.commands.platform import Platform, PlatformAws, backend
from tests.unit.commands.replies import check


def _fail_first_codepipeline_run(platform: Platform, aws: PlatformAws) -> str:
    """A second run started after the first, which failed (moto runs succeed at once)."""
    aws.real.codepipeline.start_pipeline_execution(name=platform.codepipeline)
    executions = list(backend("codepipeline").pipelines[platform.codepipeline].executions.values())
    failed = executions[0]
    failed.status = "Failed"
    failed.status_summary = "Build failed"
    failed.start_time = (platform.now - timedelta(hours=2)).replace(tzinfo=None)
    failed.last_update_time = failed.start_time + timedelta(minutes=7)
    executions[1].status = "InProgress"
    return str(failed.pipeline_execution_id)


def test_codepipeline_runs_stages_and_where_it_failed(
    ctx: Context, aws: PlatformAws, platform: Platform
) -> None:
    failed_id = _fail_first_codepipeline_run(platform, aws)
    now = platform.now
    aws.stub("codepipeline", "get_pipeline_state", {"pipelineName": platform.codepipeline, "stageStates": [
        {"stageName": "Source", "latestExecution": {"pipelineExecutionId": "x", "status": "Succeeded"},
         "actionStates": [{"actionName": "Code", "latestExecution": {"status": "Succeeded", "lastStatusChange": now}}]},
        {"stageName": "Build", "latestExecution": {"pipelineExecutionId": "x", "status": "InProgress"},
         "actionStates": [{"actionName": "UnitTests", "latestExecution": {"status": "InProgress", "lastStatusChange": now}}]},
    ]}, params={"name": platform.codepipeline})  # fmt: skip
    aws.stub("codepipeline", "list_action_executions", {"actionExecutionDetails": [
        {"pipelineExecutionId": failed_id, "stageName": "Source", "actionName": "Code", "status": "Succeeded"},
        {"pipelineExecutionId": failed_id, "stageName": "Build", "actionName": "UnitTests", "status": "Failed",
         "output": {"executionResult": {"externalExecutionSummary": "3 tests failed: test_<!channel>_drift"}}},
    ]})  # fmt: skip
    reply = pipeline.handle(ctx, Args(words=(platform.codepipeline,)))
    text = check(reply)
    assert "CodePipeline churn-build" in text
    assert "*Last 2 executions*" in text
    assert text.index(":large_blue_circle: In progress") < text.index(
        ":red_circle: Failed"
    )  # newest first
    assert "StartPipelineExecution" in text  # the trigger
    assert "7m 00s" in text  # how long the failed run took
    assert "*Stages now*" in text and ":large_blue_circle: In progress `Build`" in text
    assert f"*Where it failed* — execution `{failed_id}` failed at `Build / UnitTests`" in text
    assert "3 tests failed: test_&lt;!channel&gt;_drift" in text
    assert "codesuite/codepipeline/pipelines/churn-build/view?region=us-east-1" in text
    assert reply.text == "CodePipeline churn-build: InProgress"
    [listing] = aws.calls("ListActionExecutions")
    assert listing["filter"] == {"pipelineExecutionId": failed_id}


def test_codepipeline_state_denied_is_a_note(
    ctx: Context, aws: PlatformAws, platform: Platform
) -> None:
    aws.stub("codepipeline", "get_pipeline_state", error="AccessDeniedException", message="no")
    text = check(pipeline.handle(ctx, Args(words=(platform.codepipeline,))))
    assert ":large_green_circle: Succeeded" in text
    assert "stages: missing permission codepipeline:GetPipelineState" in text


def test_sagemaker_pipeline_steps_and_failure(
    ctx: Context, aws: PlatformAws, platform: Platform
) -> None:
    [execution] = backend("sagemaker").pipelines[platform.sm_pipeline].pipeline_executions.values()
    execution.pipeline_execution_status = "Failed"
    execution.pipeline_execution_failure_reason = "Step Train failed"
    started = datetime(2026, 11, 25, 9, 0)
    aws.stub(
        "codepipeline",
        "list_pipeline_executions",
        error="PipelineNotFoundException",
        message="none",
    )
    aws.stub("sagemaker", "list_pipeline_execution_steps", {"PipelineExecutionSteps": [
        {"StepName": "Prep", "StepStatus": "Succeeded", "StartTime": started, "EndTime": started,
         "Metadata": {"ProcessingJob": {"Arn": "arn:aws:sagemaker:us-east-1:123456789012:processing-job/pipelines-abc-prep"}}},
        {"StepName": "Train", "StepStatus": "Failed", "StartTime": started, "FailureReason": "ClientError: <!here> ResourceLimitExceeded",
         "Metadata": {"TrainingJob": {"Arn": "arn:aws:sagemaker:us-east-1:123456789012:training-job/pipelines-abc-train"}}},
        {"StepName": "Register", "StepStatus": "Stopped"},
    ]})  # fmt: skip
    text = check(pipeline.handle(ctx, Args(words=(platform.sm_pipeline,))))
    assert "SageMaker Pipelines churn-train" in text
    assert ":red_circle: Failed" in text
    assert "*Steps of the latest execution*" in text
    assert ":large_green_circle: Succeeded `Prep` — ProcessingJob pipelines-abc-prep" in text
    assert "*Where it failed*" in text and "failed at `Train`" in text
    assert "Train: ClientError: &lt;!here&gt; ResourceLimitExceeded" in text


def test_kind_goes_straight_to_sagemaker(
    ctx: Context, aws: PlatformAws, platform: Platform
) -> None:
    aws.stub("sagemaker", "list_pipeline_execution_steps", {"PipelineExecutionSteps": []})
    text = check(
        pipeline.handle(ctx, Args(words=(platform.sm_pipeline,), options={"kind": "SageMaker"}))
    )
    assert ":large_green_circle: Succeeded" in text
    assert "Where it failed" not in text


def test_unknown_pipeline(ctx: Context) -> None:
    with pytest.raises(
        NotFound, match="could not find a CodePipeline or SageMaker pipeline named nope"
    ):
        pipeline.handle(ctx, Args(words=("nope",)))


def test_denied_everywhere_names_both_permissions(ctx: Context, aws: PlatformAws) -> None:
    aws.stub(
        "codepipeline", "list_pipeline_executions", error="AccessDeniedException", message="no"
    )
    aws.stub("sagemaker", "list_pipeline_executions", error="AccessDeniedException", message="no")
    with pytest.raises(MissingPermission) as raised:
        pipeline.handle(ctx, Args(words=("churn-build",)))
    assert "codepipeline:ListPipelineExecutions, sagemaker:ListPipelineExecutions" in str(
        raised.value
    )


@pytest.mark.parametrize(("words", "options"), [((), {}), (("x",), {"kind": "jenkins"})])
def test_bad_arguments(ctx: Context, words: tuple[str, ...], options: dict[str, str]) -> None:
    with pytest.raises(InputError):
        pipeline.handle(ctx, Args(words=words, options=options))
