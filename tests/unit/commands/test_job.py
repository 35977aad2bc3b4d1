"""`/mlpulse job NAME` against the demo's platform (tests.unit.commands.platform)."""

from __future__ import annotations

import pytest

from bot.aws.errors import MissingPermission, NotFound
from bot.core.errors import InputError
from bot.demo.backend import backend
from bot.demo.jobs import COMPLETED, FAILED, FEATURES, RUNNING
from bot.demo.moments import ms
from bot.demo.training import LOG_GROUP
from bot.demo.tuning import TUNING, TUNING_TOP
from commands import job
from commands.base import Args, Context
from tests.unit.commands.platform import HOSTILE, NOW, PlatformAws, scratch
from tests.unit.commands.replies import check, shown


def run(ctx: Context, *words: str, **options: str) -> str:
    return check(job.handle(ctx, Args(words=words, options=options)))


def test_training_job_everything_on_one_screen(ctx: Context) -> None:
    text = run(ctx, COMPLETED)
    assert f"Training job {COMPLETED}" in text
    assert ":large_green_circle: Completed" in text
    assert "47m 00s" in text  # TrainingStartTime -> TrainingEndTime
    assert "2 × ml.g5.2xlarge" in text
    for step in ("Starting", "Downloading", "Training", "Completed"):
        assert f"*{step}*" in text
    assert "max_depth = 6" in text
    assert "sagemaker_program" not in text  # the SDK's own keys are noise
    assert "validation:auc = 0.9134" in text  # FinalMetricDataList
    assert "*Last 20 log lines* (1 stream, newest last)" in text
    assert "[20]#011" not in text and "[21]#011train-logloss" in text  # the last 20 of 43
    assert f"#/jobs/{COMPLETED}" in text
    assert f"group=/aws/sagemaker/TrainingJobs;prefix={COMPLETED}%2F" in text
    assert f"`/mlpulse metrics {COMPLETED}`" in text


def test_failed_job_reason_is_escaped(ctx: Context) -> None:
    reply = job.handle(ctx, Args(words=(FAILED,)))
    text = check(reply)
    assert ":red_circle: Failed" in text
    assert "too large for dtype('float32') &amp; 3 more errors &lt;!channel&gt;" in text
    assert "ExecuteUserScriptError: ExitCode 1" in text  # the log's last line
    assert reply.text.startswith(f"Training job {FAILED}: Failed — AlgorithmError")


def test_a_huge_hostile_reason_is_escaped_and_clipped(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Test-only: a 5,000-character reason full of mentions, which the demo has not."""
    failed = backend("sagemaker").training_jobs[FAILED]
    monkeypatch.setattr(failed, "failure_reason", f"AlgorithmError: {HOSTILE} " + "x" * 5000)
    text = run(ctx, FAILED)
    assert "AlgorithmError: &lt;!channel&gt; &amp; &lt;@U123&gt;" in text
    assert "…" in text  # 5,000 characters of reason cut to fit


def test_processing_job(ctx: Context) -> None:
    text = run(ctx, FEATURES)
    assert f"Processing job {FEATURES}" in text
    assert "churn-features:latest" in text
    assert "1 × ml.m5.2xlarge" in text
    assert f"#/processing-jobs/{FEATURES}" in text
    assert "/aws/sagemaker/ProcessingJobs" in text


def test_a_running_job_without_logs_yet(ctx: Context) -> None:
    text = run(ctx, RUNNING)
    assert ":large_blue_circle: In progress" in text and "so far" in text
    assert (
        f"_No log lines yet in `/aws/sagemaker/ProcessingJobs` for streams `{RUNNING}/…`._" in text
    )


def test_tuning_job_counts_and_best_job(ctx: Context, platform: PlatformAws) -> None:
    text = run(ctx, TUNING)
    assert f"Tuning job {TUNING}" in text
    assert "18 Completed, 2 NonRetryableError" in text  # the counters that are not 0
    assert "Maximize validation:auc" in text
    assert f"*Best training job* `{TUNING_TOP[0][0]}`: validation:auc = 0.9412" in text
    assert "eta = 0.0731" in text  # the best job's tuned hyperparameters
    assert "*Top 5 training jobs*" in text and f"5. `{TUNING_TOP[4][0]}`" in text
    assert "1h 49m" in text
    assert f"#/hyper-tuning-jobs/{TUNING}" in text
    assert platform.calls("ListTrainingJobsForHyperParameterTuningJob") == [
        {
            "HyperParameterTuningJobName": TUNING,
            "SortBy": "FinalObjectiveMetricValue",
            "SortOrder": "Descending",
            "MaxResults": 5,
        }
    ]


def test_labeling_job(ctx: Context, platform: PlatformAws) -> None:
    """Test-only: a labeling job (the demo has none), answered by the Stubber after moto
    found no job of any other kind."""
    when = NOW.replace(minute=0)
    arn = "arn:aws:sagemaker:eu-west-1:123456789012"
    platform.stub("sagemaker", "describe_labeling_job", {
        "LabelingJobName": "faces", "LabelingJobArn": f"{arn}:labeling-job/faces",
        "LabelingJobStatus": "InProgress", "CreationTime": when,
        "LastModifiedTime": when.replace(minute=30), "JobReferenceCode": "x", "LabelAttributeName": "label",
        "RoleArn": "arn:aws:iam::123456789012:role/r", "InputConfig": {"DataSource": {"S3DataSource": {"ManifestS3Uri": "s3://b/m"}}},
        "OutputConfig": {"S3OutputPath": "s3://b/o"}, "HumanTaskConfig": {
            "WorkteamArn": f"{arn}:workteam/private-crowd/t", "UiConfig": {}, "PreHumanTaskLambdaArn": "arn:aws:lambda:eu-west-1:1:function:f",
            "TaskTitle": "t", "TaskDescription": "d", "NumberOfHumanWorkersPerDataObject": 1, "TaskTimeLimitInSeconds": 60,
            "AnnotationConsolidationConfig": {"AnnotationConsolidationLambdaArn": "arn:aws:lambda:eu-west-1:1:function:g"}},
        "LabelCounters": {"TotalLabeled": 120, "HumanLabeled": 100, "MachineLabeled": 20, "FailedNonRetryableError": 2, "Unlabeled": 30},
    })  # fmt: skip
    text = run(ctx, "faces")
    assert "Labeling job faces" in text
    assert "120 labeled, 100 by people, 20 by machine, 30 unlabeled, 2 failed" in text
    assert "#/labeling-jobs/faces" in text


def test_unknown_job_is_named(ctx: Context) -> None:
    with pytest.raises(NotFound, match="could not find a job named no-such-job"):
        job.handle(ctx, Args(words=("no-such-job",)))


def test_kind_limits_the_search(ctx: Context) -> None:
    with pytest.raises(NotFound, match=f"could not find a processing job named {COMPLETED}"):
        job.handle(ctx, Args(words=(COMPLETED,), options={"kind": "processing"}))


def test_access_denied_names_the_permission(ctx: Context, platform: PlatformAws) -> None:
    platform.stub(
        "sagemaker",
        "describe_training_job",
        error="AccessDeniedException",
        message="User: arn:aws:sts::123456789012:assumed-role/mlpulse/bot is not authorized to perform: sagemaker:DescribeTrainingJob on resource: arn:aws:sagemaker:eu-west-1:123456789012:training-job/churn-xgb-2026-11-25-0400",
    )
    with pytest.raises(MissingPermission) as raised:
        job.handle(ctx, Args(words=(COMPLETED,), options={"kind": "training"}))
    assert str(raised.value).startswith("missing permission sagemaker:DescribeTrainingJob")


def test_logs_denied_leaves_the_rest(ctx: Context, platform: PlatformAws) -> None:
    platform.stub("logs", "describe_log_streams", error="AccessDeniedException", message="no")
    text = run(ctx, COMPLETED)
    assert "*Logs*: missing permission logs:DescribeLogStreams" in text
    assert "max_depth = 6" in text


@pytest.mark.parametrize("words", [(), ("a", "b")])
def test_usage(ctx: Context, words: tuple[str, ...]) -> None:
    with pytest.raises(InputError, match="usage: `/mlpulse job NAME`"):
        job.handle(ctx, Args(words=words))


def test_reply_is_public_when_asked(ctx: Context) -> None:
    reply = job.handle(ctx, Args(words=(FEATURES,), public=True))
    assert reply.public
    assert "Processing job" in shown(reply)


def test_huge_aws_text_still_fits_slack(ctx: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    """Test-only: hundreds of hostile hyperparameters, metrics, transitions and log lines."""
    trained = backend("sagemaker").training_jobs[COMPLETED]
    hyper = {f"param_{i:03d}": "<!channel>" * 40 for i in range(200)}
    finals = [
        {"MetricName": f"m{i}&" * 20, "Value": float(i), "Timestamp": trained.creation_time}
        for i in range(100)
    ]
    monkeypatch.setattr(trained, "hyper_parameters", hyper)
    monkeypatch.setattr(trained, "final_metric_data_list", finals)
    monkeypatch.setattr(
        trained, "secondary_status_transitions", trained.secondary_status_transitions * 30
    )
    stream = f"{COMPLETED}/algo-2-1764000000"
    streams = scratch(monkeypatch, backend("logs").groups[LOG_GROUP], "streams")
    ctx.aws.logs.create_log_stream(logGroupName=LOG_GROUP, logStreamName=stream)
    events = [{"timestamp": ms(NOW) + i, "message": "<@U123> " * 1000} for i in range(20)]
    streams[stream].put_log_events(events)  # moto's API refuses events older than 14 days
    reply = job.handle(ctx, Args(words=(COMPLETED,)))
    text = check(reply)  # Slack's limits, nothing unescaped
    assert "(last 10 of 120)" in text
    assert text.count("&lt;@U123&gt;") > 100  # the newest lines, each cut to 300 characters
    assert "(2 streams, newest last)" in text
