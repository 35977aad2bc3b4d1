"""Tails for alerts (bot.aws.logtail.LogReader) on moto: read in the bot's own account, in
the region the alert names; another account's logs, a refusal and a bot without a region
are answers, not crashes."""

from __future__ import annotations

from typing import Any

import pytest

from bot.aws.clients import AwsClients
from bot.aws.errors import AwsError, MissingPermission
from bot.aws.logtail import LogReader
from bot.demo.aws import isolated_session
from tests.fakes.moto import CREDENTIALS, aws_client
from tests.unit.commands.platform import PlatformAws, real_now

GROUP = "/aws/sagemaker/TrainingJobs"
OWN = "123456789012"  # moto's account


def put(logs: Any, stream: str, lines: list[str]) -> None:
    logs.create_log_group(logGroupName=GROUP)
    logs.create_log_stream(logGroupName=GROUP, logStreamName=stream)
    base = int(real_now().timestamp() * 1000) - 60_000
    events = [{"timestamp": base + n, "message": line} for n, line in enumerate(lines)]
    logs.put_log_events(logGroupName=GROUP, logStreamName=stream, logEvents=events)


def reader(aws: PlatformAws) -> LogReader:
    return LogReader(aws)  # type: ignore[arg-type]  # the demo's clients, in shape


def test_the_bot_s_own_account_and_region(aws: PlatformAws) -> None:
    put(aws.real.logs, "churn/algo-1-1764000000", ["epoch 1", "out of memory"])
    logs = reader(aws)
    assert logs.available()
    found = logs.read(GROUP, "churn/", "eu-west-1", OWN, 20)
    assert [line.message for line in found.lines] == ["epoch 1", "out of memory"]
    assert logs.read(GROUP, "churn/", None, None, 20).streams == 1


def test_another_account_s_logs_are_said_to_be_there(aws: PlatformAws) -> None:
    with pytest.raises(AwsError, match=r"in account 210987654321, which is not in aws\.accounts"):
        reader(aws).read(GROUP, "churn/", "eu-west-1", "210987654321", 20)


def test_a_refusal_names_the_permission(aws: PlatformAws) -> None:
    aws.stub(
        "logs",
        "describe_log_streams",
        error="AccessDeniedException",
        message="User: arn:aws:sts::1:assumed-role/mlpulse/x is not authorized to perform:"
        " logs:DescribeLogStreams on resource: arn:aws:logs:eu-west-1:1:log-group:x",
    )
    with pytest.raises(MissingPermission, match="logs:DescribeLogStreams"):
        reader(aws).read(GROUP, "churn/", "eu-west-1", OWN, 20)


def test_another_region_is_read_in_that_region(
    aws: PlatformAws, moto_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", CREDENTIALS["aws_access_key_id"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", CREDENTIALS["aws_secret_access_key"])
    put(aws_client("logs", moto_url, "us-east-1"), "churn/algo-1-1", ["from us-east-1"])
    logs = reader(aws)
    assert logs.read(GROUP, "churn/", "eu-west-1", OWN, 20).lines == []  # home: none there
    (line,) = logs.read(GROUP, "churn/", "us-east-1", OWN, 20).lines
    assert line.message == "from us-east-1"


def test_without_a_region_the_bot_reads_no_logs(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    assert not LogReader(AwsClients(session=isolated_session(None))).available()
