"""`/mlpulse jobs` against the moto platform. moto lacks ListLabelingJobs: the Stubber
answers it with no jobs, once per listing that includes labeling jobs."""

from __future__ import annotations

import pytest

from bot.aws.errors import MissingPermission
from bot.core.errors import InputError
from commands import jobs
from commands.base import Args, Context
from tests.unit.commands.platform import Platform, PlatformAws
from tests.unit.commands.replies import check

NO_LABELING = {"LabelingJobSummaryList": []}


def run(ctx: Context, *words: str, **options: str) -> str:
    return check(jobs.handle(ctx, Args(words=words, options=options)))


def test_default_is_the_last_24h_and_everything_running(
    ctx: Context, aws: PlatformAws, platform: Platform
) -> None:
    aws.stub("sagemaker", "list_labeling_jobs", NO_LABELING)  # changed in the last 24 h
    aws.stub("sagemaker", "list_labeling_jobs", NO_LABELING)  # still running
    text = run(ctx)
    assert "4 jobs changed in the last 24h or still running" in text
    lines = [line for line in text.splitlines() if line.startswith(":")]
    assert [line.split("`")[1] for line in lines] == [
        platform.prep,
        platform.trained,
        platform.failed,
        platform.running,
    ]
    assert ":large_blue_circle: In progress Training `churn-xgb-3`" in text  # started 30 h ago
    assert "30h 02m so far" in text
    assert (
        "_AlgorithmError: &lt;!channel&gt;" not in text
    )  # list summaries carry no reason for training


def test_status_and_name_filters(ctx: Context, platform: Platform) -> None:
    text = run(ctx, status="failed", name="churn-xgb-*", kind="training")
    assert "1 job with status failed of kind training matching churn-xgb-*" in text
    assert "`churn-xgb-2`" in text and "`churn-xgb-1`" not in text


def test_a_bare_word_is_the_name_glob(ctx: Context, aws: PlatformAws) -> None:
    text = run(ctx, "churn-prep*", kind="processing")
    assert "`churn-prep-1`" in text and "churn-xgb" not in text


def test_failure_reason_in_the_listing_is_escaped(
    ctx: Context, aws: PlatformAws, platform: Platform
) -> None:
    """moto's ListProcessingJobs summaries omit FailureReason: the Stubber answers it."""
    aws.stub("sagemaker", "list_processing_jobs", {"ProcessingJobSummaries": [{
        "ProcessingJobName": "prep-9", "ProcessingJobArn": "arn:aws:sagemaker:us-east-1:123456789012:processing-job/prep-9",
        "CreationTime": platform.now, "ProcessingJobStatus": "Failed", "FailureReason": "ClientError: <!here> bad input",
    }]})  # fmt: skip
    text = run(ctx, status="Failed", kind="processing")
    assert "_ClientError: &lt;!here&gt; bad input_" in text


def test_since_narrows(ctx: Context, platform: Platform) -> None:
    text = run(ctx, since="1h", status="completed", kind="training")
    assert "`churn-xgb-1`" in text and "churn-xgb-2" not in text


def test_many_jobs_are_capped(ctx: Context, aws: PlatformAws) -> None:
    for index in range(30):
        aws.real.sagemaker.create_processing_job(
            ProcessingJobName=f"bulk-{index:02d}",
            ProcessingResources={
                "ClusterConfig": {
                    "InstanceCount": 1,
                    "InstanceType": "ml.m5.large",
                    "VolumeSizeInGB": 5,
                }
            },
            AppSpecification={"ImageUri": "1.dkr.ecr.us-east-1.amazonaws.com/p:1"},
            RoleArn="arn:aws:iam::123456789012:role/r",
        )
    text = run(ctx, kind="processing")
    assert "31 jobs" in text
    assert "6 more not shown: narrow with" in text


def test_nothing_found(ctx: Context) -> None:
    assert "No jobs with status stopped of kind transform" in run(
        ctx, status="stopped", kind="transform"
    )


@pytest.mark.parametrize(
    ("words", "options", "problem"),
    [
        ((), {"since": "yesterday"}, "`--since`: 'yesterday' is not a duration"),
        ((), {"status": "exploded"}, "unknown job status `exploded`"),
        ((), {"kind": "notebook"}, "unknown job kind `notebook`"),
        (("a", "b"), {}, "usage: `/mlpulse jobs"),
        (("a",), {"name": "b"}, "usage: `/mlpulse jobs"),
    ],
)
def test_bad_arguments(
    ctx: Context, words: tuple[str, ...], options: dict[str, str], problem: str
) -> None:
    with pytest.raises(InputError) as raised:
        jobs.handle(ctx, Args(words=words, options=options))
    assert problem in str(raised.value)


def test_a_kind_we_may_not_list_is_skipped_and_said_so(ctx: Context, aws: PlatformAws) -> None:
    aws.stub("sagemaker", "list_labeling_jobs", error="AccessDeniedException", message="no")
    aws.stub("sagemaker", "list_labeling_jobs", error="AccessDeniedException", message="no")
    text = run(ctx)
    assert "4 jobs changed in the last 24h or still running" in text
    assert "Not listed: labeling jobs: missing permission sagemaker:ListLabelingJobs" in text
    assert text.count("Not listed") == 1


def test_every_kind_failing_is_an_answer_naming_the_permission(
    ctx: Context, aws: PlatformAws
) -> None:
    aws.stub("sagemaker", "list_transform_jobs", error="AccessDeniedException", message="no")
    with pytest.raises(MissingPermission, match="sagemaker:ListTransformJobs"):
        jobs.handle(ctx, Args(words=(), options={"kind": "transform"}))


def test_a_filter_typed_by_the_user_is_escaped_when_nothing_matches(ctx: Context) -> None:
    """`--name <!channel>` with `--public` must not mention the whole channel."""
    reply = jobs.handle(
        ctx, Args(words=(), public=True, options={"name": "<!channel>", "kind": "training"})
    )
    text = check(reply)
    assert "No jobs" in text
    assert "<!channel>" not in str(reply.blocks) and "&lt;!channel&gt;" in str(reply.blocks)
