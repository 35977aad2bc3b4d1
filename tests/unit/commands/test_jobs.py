"""`/mlpulse jobs` against the demo's platform (tests.unit.commands.platform). moto lacks
ListLabelingJobs: the demo's clients answer it with no jobs."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.aws.errors import MissingPermission
from bot.core.errors import InputError
from bot.demo.backend import backend
from bot.demo.jobs import COMPLETED, FAILED, FEATURES, RUNNING
from bot.demo.moments import naive
from commands import jobs
from commands.base import Args, Context
from tests.unit.commands.platform import NOW, PlatformAws, scratch
from tests.unit.commands.replies import check


def run(ctx: Context, *words: str, **options: str) -> str:
    return check(jobs.handle(ctx, Args(words=words, options=options)))


def test_default_is_the_last_24h_and_everything_running(ctx: Context) -> None:
    text = run(ctx)
    assert "8 jobs changed in the last 24h or still running" in text
    lines = [line for line in text.splitlines() if line.startswith(":")]
    assert [line.split("`")[1] for line in lines] == [  # newest first
        RUNNING,
        "churn-eval-2026-11-25-0410",
        "model-monitoring-202611250600-a1b2c3",
        COMPLETED,
        FEATURES,
        FAILED,
        "fraud-hpo-1125-014-4c2a1f7e",
        "fraud-hpo-1125",
    ]
    assert f":large_blue_circle: In progress Processing `{RUNNING}`" in text
    assert "1m 00s so far" in text
    assert "_AlgorithmError" not in text  # list summaries carry no reason for training


def test_status_and_name_filters(ctx: Context) -> None:
    text = run(ctx, status="failed", name="churn-xgb-*", kind="training")
    assert "1 job with status failed of kind training matching churn-xgb-*" in text
    assert f"`{FAILED}`" in text and f"`{COMPLETED}`" not in text


def test_a_bare_word_is_the_name_glob(ctx: Context) -> None:
    text = run(ctx, "churn-features*", kind="processing")
    assert f"`{FEATURES}`" in text and "churn-eval" not in text and RUNNING not in text


def test_failure_reason_in_the_listing_is_escaped(ctx: Context, platform: PlatformAws) -> None:
    """Test-only: moto's ListProcessingJobs summaries omit FailureReason: the Stubber answers
    with a failed job."""
    platform.stub("sagemaker", "list_processing_jobs", {"ProcessingJobSummaries": [{
        "ProcessingJobName": "prep-9", "ProcessingJobArn": "arn:aws:sagemaker:eu-west-1:123456789012:processing-job/prep-9",
        "CreationTime": NOW, "ProcessingJobStatus": "Failed", "FailureReason": "ClientError: <!here> bad input",
    }]})  # fmt: skip
    text = run(ctx, status="Failed", kind="processing")
    assert "_ClientError: &lt;!here&gt; bad input_" in text


def test_since_narrows(ctx: Context) -> None:
    text = run(ctx, since="1h", status="completed", kind="training")
    assert f"`{COMPLETED}`" in text and FAILED not in text
    assert "fraud-hpo-1125" not in text  # completed at 02:48, more than an hour ago


def test_many_jobs_are_capped(ctx: Context, monkeypatch: pytest.MonkeyPatch) -> None:
    """Test-only: 30 more processing jobs of the morning, in a scratch copy of moto's table."""
    table = scratch(monkeypatch, backend("sagemaker"), "processing_jobs")
    for index in range(30):
        ctx.aws.sagemaker.create_processing_job(
            ProcessingJobName=f"bulk-{index:02d}",
            ProcessingResources={
                "ClusterConfig": {
                    "InstanceCount": 1,
                    "InstanceType": "ml.m5.large",
                    "VolumeSizeInGB": 5,
                }
            },
            AppSpecification={"ImageUri": "1.dkr.ecr.eu-west-1.amazonaws.com/p:1"},
            RoleArn="arn:aws:iam::123456789012:role/r",
        )
        table[f"bulk-{index:02d}"].creation_time = naive(NOW - timedelta(minutes=index + 1))
    text = run(ctx, kind="processing")
    assert "34 jobs" in text
    assert "9 more not shown: narrow with" in text


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


def test_a_kind_we_may_not_list_is_skipped_and_said_so(ctx: Context, platform: PlatformAws) -> None:
    platform.stub("sagemaker", "list_labeling_jobs", error="AccessDeniedException", message="no")
    platform.stub("sagemaker", "list_labeling_jobs", error="AccessDeniedException", message="no")
    text = run(ctx)
    assert "8 jobs changed in the last 24h or still running" in text
    assert "Not listed: labeling jobs: missing permission sagemaker:ListLabelingJobs" in text
    assert text.count("Not listed") == 1


def test_every_kind_failing_is_an_answer_naming_the_permission(
    ctx: Context, platform: PlatformAws
) -> None:
    platform.stub("sagemaker", "list_transform_jobs", error="AccessDeniedException", message="no")
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
