"""Each resource's console and log links, written once in bot/kinds/links.py."""

from __future__ import annotations

import pytest

from bot.core.events import Link
from bot.kinds.jobs import LABELING, TRAINING, TUNING
from bot.kinds.links import (
    alarm_link,
    codebuild_link,
    codepipeline_link,
    console_host,
    endpoint_links,
    job_links,
    stepfunctions_link,
)

HOST = "https://eu-west-1.console.aws.amazon.com"
LOGS = f"{HOST}/cloudwatch/home?region=eu-west-1#logStream:group="


@pytest.mark.parametrize(
    ("region", "host"),
    [
        ("eu-west-1", HOST),
        ("cn-north-1", "https://cn-north-1.console.amazonaws.cn"),
        ("us-gov-west-1", "https://us-gov-west-1.console.amazonaws-us-gov.com"),
        (None, "https://console.aws.amazon.com"),
    ],
)
def test_console_host(region: str | None, host: str) -> None:
    assert console_host(region) == host


def test_a_training_job_has_its_page_and_its_instances_streams() -> None:
    assert job_links(TRAINING, "churn-1", "eu-west-1") == [
        Link(label="Console", url=f"{HOST}/sagemaker/home?region=eu-west-1#/jobs/churn-1"),
        Link(
            label="Logs",
            url=f"{LOGS}/aws/sagemaker/TrainingJobs;prefix=churn-1%2F;streamFilter=typeLogStreamPrefix",
        ),
    ]


def test_a_tuning_job_has_no_logs_of_its_own() -> None:
    assert job_links(TUNING, "hpo-1", "eu-west-1") == [
        Link(
            label="Console", url=f"{HOST}/sagemaker/home?region=eu-west-1#/hyper-tuning-jobs/hpo-1"
        )
    ]


def test_a_labeling_job_logs_in_one_stream_named_as_it() -> None:
    (_, logs) = job_links(LABELING, "faces", "eu-west-1")
    assert logs == Link(
        label="Logs",
        url=f"{LOGS}/aws/sagemaker/LabelingJobs;prefix=faces;streamFilter=typeLogStreamPrefix",
    )


def test_an_endpoint_has_its_page_and_its_own_log_group() -> None:
    assert endpoint_links("churn-prod", "eu-west-1") == [
        Link(label="Console", url=f"{HOST}/sagemaker/home?region=eu-west-1#/endpoints/churn-prod"),
        Link(
            label="Logs",
            url=f"{LOGS}/aws/sagemaker/Endpoints/churn-prod;prefix=;streamFilter=typeLogStreamPrefix",
        ),
    ]


def test_devtools_and_alarm_pages() -> None:
    assert codepipeline_link("deploy", "eu-west-1").url == (
        f"{HOST}/codesuite/codepipeline/pipelines/deploy/view?region=eu-west-1"
    )
    assert codebuild_link("tests", "eu-west-1").url == (
        f"{HOST}/codesuite/codebuild/projects/tests/history?region=eu-west-1"
    )
    assert alarm_link("High 5XX", "eu-west-1").url == (
        f"{HOST}/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/High%205XX"
    )


def test_a_step_functions_execution_keeps_its_arn_readable() -> None:
    arn = "arn:aws:states:eu-west-1:123456789012:execution:train:run-1"
    assert stepfunctions_link(arn, "eu-west-1").url == (
        f"{HOST}/states/home?region=eu-west-1#/v2/executions/details/{arn}"
    )


def test_names_cannot_break_out_of_their_place_in_the_url() -> None:
    (console, logs) = job_links(TRAINING, "a&b<c>/#?", "eu-west-1")
    assert console.url.endswith("#/jobs/a%26b%3Cc%3E%2F%23%3F")
    assert "prefix=a%26b%3Cc%3E%2F%23%3F%2F;" in logs.url
    assert codepipeline_link("x/../y", "eu-west-1").url.count("/x%2F..%2Fy/view") == 1
