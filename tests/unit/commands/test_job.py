"""`/mlpulse job NAME` against the moto platform (Stubber where moto lacks the API)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.aws.errors import MissingPermission, NotFound
from bot.core.errors import InputError
from commands import job
from commands.base import Args, Context
from tests.unit.commands.platform import Platform, PlatformAws, backend
from tests.unit.commands.replies import check, shown


def run(ctx: Context, *words: str, **options: str) -> str:
    return check(job.handle(ctx, Args(words=words, options=options)))


def test_training_job_everything_on_one_screen(ctx: Context, platform: Platform) -> None:
    text = run(ctx, platform.trained)
    assert "Training job churn-xgb-1" in text
    assert ":large_green_circle: Completed" in text
    assert "31m 00s" in text  # TrainingStartTime -> TrainingEndTime
    assert "1 × ml.m5.xlarge" in text
    for step in ("Starting", "Downloading", "Training", "Uploading", "Completed"):
        assert f"*{step}*" in text
    assert "max_depth = 6" in text
    assert "sagemaker_program" not in text  # the SDK's own keys are noise
    assert "train:progress = 100" in text  # FinalMetricDataList
    assert "*Last 20 log lines* (1 stream, newest last)" in text
    assert "[29]" not in text and "[10]#011train-logloss" in text  # the last 20 of 30
    assert "#/jobs/churn-xgb-1" in text
    assert "group=/aws/sagemaker/TrainingJobs;prefix=churn-xgb-1%2F" in text
    assert "`/mlpulse metrics churn-xgb-1`" in text


def test_failed_job_reason_is_escaped_and_clipped(ctx: Context, platform: Platform) -> None:
    reply = job.handle(ctx, Args(words=(platform.failed,)))
    text = check(reply)
    assert ":red_circle: Failed" in text
    assert "AlgorithmError: &lt;!channel&gt; &amp; &lt;@U123&gt;" in text
    assert "…" in text  # 5,000 characters of reason cut to fit
    assert (
        "_No log lines yet in `/aws/sagemaker/TrainingJobs` for streams `churn-xgb-2/…`._" in text
    )
    assert reply.text.startswith("Training job churn-xgb-2: Failed — AlgorithmError")


def test_processing_job(ctx: Context, platform: Platform) -> None:
    text = run(ctx, platform.prep)
    assert "Processing job churn-prep-1" in text
    assert "prep:1" in text
    assert "#/processing-jobs/churn-prep-1" in text
    assert "/aws/sagemaker/ProcessingJobs" in text


def test_tuning_job_counts_and_best_job(ctx: Context, aws: PlatformAws) -> None:
    """moto's tuning jobs carry no counters or best job, and it lacks
    ListTrainingJobsForHyperParameterTuningJob: both answered by the Stubber."""
    when = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    aws.stub("sagemaker", "describe_hyper_parameter_tuning_job", {
        "HyperParameterTuningJobName": "churn-hpo", "HyperParameterTuningJobArn": "arn:aws:sagemaker:us-east-1:123456789012:hyper-parameter-tuning-job/churn-hpo",
        "HyperParameterTuningJobStatus": "Completed", "CreationTime": when, "HyperParameterTuningEndTime": when.replace(hour=11),
        "HyperParameterTuningJobConfig": {"Strategy": "Bayesian", "HyperParameterTuningJobObjective": {"Type": "Maximize", "MetricName": "validation:auc"},
                                          "ResourceLimits": {"MaxNumberOfTrainingJobs": 20, "MaxParallelTrainingJobs": 4}},
        "TrainingJobDefinition": {"AlgorithmSpecification": {"TrainingInputMode": "File"}, "RoleArn": "arn:aws:iam::123456789012:role/r",
                                  "OutputDataConfig": {"S3OutputPath": "s3://b/"}, "StoppingCondition": {},
                                  "ResourceConfig": {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 10}},
        "TrainingJobStatusCounters": {"Completed": 17, "InProgress": 0, "RetryableError": 1, "NonRetryableError": 2, "Stopped": 0},
        "ObjectiveStatusCounters": {"Succeeded": 17, "Pending": 0, "Failed": 3},
        "BestTrainingJob": {"TrainingJobName": "churn-hpo-017-abc", "TrainingJobArn": "arn:aws:sagemaker:us-east-1:123456789012:training-job/churn-hpo-017-abc",
                            "CreationTime": when, "TrainingJobStatus": "Completed", "TunedHyperParameters": {"eta": "0.12", "max_depth": "7"},
                            "FinalHyperParameterTuningJobObjectiveMetric": {"MetricName": "validation:auc", "Value": 0.9312}},
    })  # fmt: skip
    aws.stub(
        "sagemaker",
        "list_training_jobs_for_hyper_parameter_tuning_job",
        {"TrainingJobSummaries": [
            {"TrainingJobName": f"churn-hpo-0{i}", "TrainingJobArn": f"arn:aws:sagemaker:us-east-1:123456789012:training-job/churn-hpo-0{i}",
             "CreationTime": when, "TrainingJobStatus": "Completed", "TunedHyperParameters": {},
             "FinalHyperParameterTuningJobObjectiveMetric": {"MetricName": "validation:auc", "Value": 0.93 - i / 100}}
            for i in range(5)
        ]},
        params={"HyperParameterTuningJobName": "churn-hpo", "SortBy": "FinalObjectiveMetricValue", "SortOrder": "Descending", "MaxResults": 5},
    )  # fmt: skip
    text = run(ctx, "churn-hpo")
    assert "Tuning job churn-hpo" in text
    assert "17 Completed, 1 RetryableError, 2 NonRetryableError" in text
    assert "Maximize validation:auc" in text
    assert "*Best training job* `churn-hpo-017-abc`: validation:auc = 0.9312" in text
    assert "eta = 0.12" in text  # the best job's tuned hyperparameters
    assert "*Top 5 training jobs*" in text and "5. `churn-hpo-04`" in text
    assert "2h 00m" in text
    assert "#/hyper-tuning-jobs/churn-hpo" in text


def test_labeling_job(ctx: Context, aws: PlatformAws) -> None:
    """moto lacks DescribeLabelingJob: the Stubber answers it (after moto found no other kind)."""
    aws.stub("sagemaker", "describe_labeling_job", {
        "LabelingJobName": "faces", "LabelingJobArn": "arn:aws:sagemaker:us-east-1:123456789012:labeling-job/faces",
        "LabelingJobStatus": "InProgress", "CreationTime": datetime(2026, 11, 25, 9, 0, tzinfo=UTC),
        "LastModifiedTime": datetime(2026, 11, 25, 9, 30, tzinfo=UTC), "JobReferenceCode": "x", "LabelAttributeName": "label",
        "RoleArn": "arn:aws:iam::123456789012:role/r", "InputConfig": {"DataSource": {"S3DataSource": {"ManifestS3Uri": "s3://b/m"}}},
        "OutputConfig": {"S3OutputPath": "s3://b/o"}, "HumanTaskConfig": {
            "WorkteamArn": "arn:aws:sagemaker:us-east-1:123456789012:workteam/private-crowd/t", "UiConfig": {}, "PreHumanTaskLambdaArn": "arn:aws:lambda:us-east-1:1:function:f",
            "TaskTitle": "t", "TaskDescription": "d", "NumberOfHumanWorkersPerDataObject": 1, "TaskTimeLimitInSeconds": 60,
            "AnnotationConsolidationConfig": {"AnnotationConsolidationLambdaArn": "arn:aws:lambda:us-east-1:1:function:g"}},
        "LabelCounters": {"TotalLabeled": 120, "HumanLabeled": 100, "MachineLabeled": 20, "FailedNonRetryableError": 2, "Unlabeled": 30},
    })  # fmt: skip
    text = run(ctx, "faces")
    assert "Labeling job faces" in text
    assert "120 labeled, 100 by people, 20 by machine, 30 unlabeled, 2 failed" in text
    assert "#/labeling-jobs/faces" in text


def test_unknown_job_is_named(ctx: Context, aws: PlatformAws) -> None:
    aws.stub(
        "sagemaker",
        "describe_labeling_job",
        error="ResourceNotFound",
        message="Could not find labeling job",
    )
    with pytest.raises(NotFound, match="could not find a job named no-such-job"):
        job.handle(ctx, Args(words=("no-such-job",)))


def test_kind_limits_the_search(ctx: Context, platform: Platform) -> None:
    with pytest.raises(NotFound, match="could not find a processing job named churn-xgb-1"):
        job.handle(ctx, Args(words=(platform.trained,), options={"kind": "processing"}))


def test_access_denied_names_the_permission(
    ctx: Context, aws: PlatformAws, platform: Platform
) -> None:
    aws.stub(
        "sagemaker",
        "describe_training_job",
        error="AccessDeniedException",
        message="User: arn:aws:sts::123456789012:assumed-role/mlpulse/bot is not authorized to perform: sagemaker:DescribeTrainingJob on resource: arn:aws:sagemaker:us-east-1:123456789012:training-job/churn-xgb-1",
    )
    with pytest.raises(MissingPermission) as raised:
        job.handle(ctx, Args(words=(platform.trained,), options={"kind": "training"}))
    assert str(raised.value).startswith("missing permission sagemaker:DescribeTrainingJob")


def test_logs_denied_leaves_the_rest(ctx: Context, aws: PlatformAws, platform: Platform) -> None:
    aws.stub("logs", "describe_log_streams", error="AccessDeniedException", message="no")
    text = run(ctx, platform.trained)
    assert "*Logs*: missing permission logs:DescribeLogStreams" in text
    assert "max_depth = 6" in text


@pytest.mark.parametrize("words", [(), ("a", "b")])
def test_usage(ctx: Context, words: tuple[str, ...]) -> None:
    with pytest.raises(InputError, match="usage: `/mlpulse job NAME`"):
        job.handle(ctx, Args(words=words))


def test_reply_is_public_when_asked(ctx: Context, platform: Platform) -> None:
    reply = job.handle(ctx, Args(words=(platform.prep,), public=True))
    assert reply.public
    assert "Processing job" in shown(reply)


def test_huge_aws_text_still_fits_slack(ctx: Context, aws: PlatformAws, platform: Platform) -> None:
    trained = backend("sagemaker").training_jobs[platform.trained]
    trained.hyper_parameters = {f"param_{i:03d}": "<!channel>" * 40 for i in range(200)}
    trained.final_metric_data_list = [
        {"MetricName": f"m{i}&" * 20, "Value": float(i), "Timestamp": trained.creation_time}
        for i in range(100)
    ]
    trained.secondary_status_transitions = trained.secondary_status_transitions * 30
    stream = "churn-xgb-1/algo-2-1764000000"
    aws.real.logs.create_log_stream(
        logGroupName="/aws/sagemaker/TrainingJobs", logStreamName=stream
    )
    stamp = int(platform.now.timestamp() * 1000)
    events = [{"timestamp": stamp + i, "message": "<@U123> " * 1000} for i in range(20)]
    aws.real.logs.put_log_events(
        logGroupName="/aws/sagemaker/TrainingJobs", logStreamName=stream, logEvents=events
    )
    reply = job.handle(ctx, Args(words=(platform.trained,)))
    text = check(reply)  # Slack's limits, nothing unescaped
    assert "(last 10 of 150)" in text
    assert text.count("&lt;@U123&gt;") > 100  # the newest lines, each cut to 300 characters
    assert "(2 streams, newest last)" in text
