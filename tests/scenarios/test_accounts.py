"""One bot, two accounts, two regions (issue 16), end to end: the wired App over real HTTP,
Slack as the fake Web API, AWS as a moto server reached the way `mlpulse run` reaches it
(AWS_ENDPOINT_URL and the bot's own credentials from the environment). moto maps the
credentials of an assumed role to the role's account, so `prod` below is a second account
in the same server: its jobs are seeded with the role's credentials and read back only
through an AssumeRole. STS refuses one role (tests.fakes.sts), which moto never does.

    dev    123456789012 (moto's default: the bot's own credentials)   us-east-1, eu-west-1
    prod   222222222222 (role mlpulse-read, external id)              us-east-1, eu-west-1
    broken 333333333333 (its role is refused)                         the bot's own region
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config as BotoConfig

from bot.core.clock import FakeClock
from tests.fakes.moto import moto_server, moto_url  # noqa: F401 (fixtures)
from tests.fakes.slack_api import FakeSlack, all_text
from tests.fakes.sts import Sts
from tests.goldens import readable
from tests.scenarios.conftest import sample
from tests.scenarios.test_incidents_support import CHANNEL, Harness, started_app

DEV, PROD, BROKEN = "123456789012", "222222222222", "333333333333"
PROD_ROLE = f"arn:aws:iam::{PROD}:role/mlpulse-read"
BROKEN_ROLE = f"arn:aws:iam::{BROKEN}:role/mlpulse-read"
KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
DEV_JOB = "churn-xgb-dev-1"  # dev, us-east-1
PROD_JOB = "fraud-xgb-prod-7"  # prod, eu-west-1 only: the second account's second region
TWICE = "shared-baseline"  # in dev and in prod, both us-east-1
ACCOUNTS = [
    {"id": DEV, "alias": "dev", "regions": ["us-east-1", "eu-west-1"]},
    {
        "id": PROD,
        "alias": "prod",
        "role_arn": PROD_ROLE,
        "external_id": "mlpulse-7",
        "regions": ["us-east-1", "eu-west-1"],
    },
]
BROKEN_ACCOUNT = {"id": BROKEN, "alias": "broken", "role_arn": BROKEN_ROLE}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def aws_env(moto_url: str, monkeypatch: pytest.MonkeyPatch) -> str:  # noqa: F811
    """The environment `mlpulse run` would have, pointed at moto."""
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEYS["aws_access_key_id"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", KEYS["aws_secret_access_key"])
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    # moto answers 500 for the APIs it lacks (DescribeLabelingJob), which the bot's clients
    # retry with backoff as they would AWS's own 500s: here the answer matters, not the wait.
    monkeypatch.setattr("bot.aws.clients._RETRIES", BotoConfig(retries={"max_attempts": 1}))
    return moto_url


def sagemaker_in(url: str, region: str, role: str | None = None) -> Any:
    """A SageMaker client in `region` of the bot's own account, or of `role`'s."""
    keys: dict[str, str] = dict(KEYS)
    if role is not None:
        sts = boto3.client("sts", region_name=region, endpoint_url=url, **KEYS)
        given = sts.assume_role(RoleArn=role, RoleSessionName="seed")["Credentials"]
        keys = {
            "aws_access_key_id": given["AccessKeyId"],
            "aws_secret_access_key": given["SecretAccessKey"],
            "aws_session_token": given["SessionToken"],
        }
    return boto3.client("sagemaker", region_name=region, endpoint_url=url, **keys)


def seed_job(sagemaker: Any, name: str) -> None:
    sagemaker.create_training_job(
        TrainingJobName=name,
        AlgorithmSpecification={"TrainingImage": "xgboost:1", "TrainingInputMode": "File"},
        RoleArn=f"arn:aws:iam::{DEV}:role/sagemaker-execution",
        OutputDataConfig={"S3OutputPath": "s3://ml-artifacts/models/"},
        ResourceConfig={"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 5},
        StoppingCondition={"MaxRuntimeInSeconds": 3600},
    )


@pytest.fixture
def seeded(aws_env: str) -> str:
    seed_job(sagemaker_in(aws_env, "us-east-1"), DEV_JOB)
    seed_job(sagemaker_in(aws_env, "us-east-1"), TWICE)
    seed_job(sagemaker_in(aws_env, "us-east-1", PROD_ROLE), TWICE)
    seed_job(sagemaker_in(aws_env, "eu-west-1", PROD_ROLE), PROD_JOB)
    return aws_env


def harness(
    tmp_path: Path,
    fake_slack: FakeSlack,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    accounts: list[dict[str, Any]],
) -> Iterator[tuple[Harness, Sts]]:
    with started_app(
        tmp_path, fake_slack, clock, monkeypatch, {"aws": {"accounts": accounts}}
    ) as h:
        sts = Sts(h.app.aws.client("sts"), refused={BROKEN_ROLE})
        yield h, sts
        h.app.accounts.close()


@pytest.fixture
def two(
    seeded: str,
    tmp_path: Path,
    fake_slack: FakeSlack,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[Harness, Sts]]:
    yield from harness(tmp_path, fake_slack, clock, monkeypatch, ACCOUNTS)


@pytest.fixture
def with_broken(
    seeded: str,
    tmp_path: Path,
    fake_slack: FakeSlack,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[Harness, Sts]]:
    yield from harness(tmp_path, fake_slack, clock, monkeypatch, [*ACCOUNTS, BROKEN_ACCOUNT])


def ask(h: Harness, text: str) -> dict[str, Any]:
    """`/mlpulse TEXT`, signed, over HTTP: the answer mlpulse posts to response_url."""
    token = h.new_token()
    acknowledged = h.post(h.command_body(text, token=token))
    assert acknowledged.status == 200, acknowledged.text
    [posted] = h.wait_for(lambda: h.fake.responses(token), f"an answer to {text}")
    return dict(posted)


def shown(payload: dict[str, Any]) -> str:
    return readable(all_text(payload))


def buttons(payload: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (element["text"]["text"], element.get("url", ""))
        for block in payload.get("blocks") or []
        if block["type"] == "actions"
        for element in block["elements"]
    ]


# --- alerts ---------------------------------------------------------------------------------


def test_alerts_from_both_accounts_show_their_alias_and_region(two: tuple[Harness, Sts]) -> None:
    h, _ = two
    changes = {"detail.TrainingJobStatus": "Failed", "detail.FailureReason": "OOM"}
    from_dev = sample("sagemaker-training-job-state-change-completed", changes)
    from_prod = sample(
        "sagemaker-training-job-state-change-completed",
        {**changes, "account": PROD, "region": "eu-west-1", "id": "prod-event-1"},
    )
    assert h.submit(from_dev, from_prod) == 2
    h.deliver()
    roots = h.fake.roots(h.fake.channel_id("#mlpulse"))
    assert len(roots) == 2
    texts = [readable(root.all_text()) for root in roots]
    dev_text, prod_text = sorted(texts, key=lambda text: "prod (" in text)
    assert f"*Account*\ndev ({DEV})" in dev_text and "*Region*\nus-east-1" in dev_text
    assert f"*Account*\nprod ({PROD})" in prod_text and "*Region*\neu-west-1" in prod_text
    assert "Console · prod" in prod_text and "Console · dev" in dev_text


def test_a_route_may_send_one_accounts_alerts_elsewhere_by_alias(
    seeded: str,
    tmp_path: Path,
    fake_slack: FakeSlack,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = {
        "aws": {"accounts": ACCOUNTS},
        "routes": [{"match": {"account": "prod", "region": "eu-*"}, "channel": "#ml-prod-eu"}],
    }
    with started_app(tmp_path, fake_slack, clock, monkeypatch, config) as h:
        h.fake.add_channel("C0PRODEU", "ml-prod-eu")
        event = sample(
            "sagemaker-training-job-state-change-completed",
            {"account": PROD, "region": "eu-west-1"},
        )
        assert h.submit(event) == 1
        h.deliver()
        assert len(h.fake.roots(h.fake.channel_id("#ml-prod-eu"))) == 1


# --- commands -------------------------------------------------------------------------------


def test_a_job_in_the_second_account_is_found_without_a_flag(two: tuple[Harness, Sts]) -> None:
    h, sts = two
    answer = ask(h, f"job {PROD_JOB}")
    text = shown(answer)
    assert f"Training job {PROD_JOB}" in text
    assert "Found in *prod · eu-west-1*" in text
    console = dict(buttons(answer))["Console · prod"]
    assert console.startswith("https://eu-west-1.console.aws.amazon.com/")
    assert sts.roles() == [PROD_ROLE]  # one role session for both of prod's regions
    [asked] = sts.assumed
    assert asked["ExternalId"] == "mlpulse-7"


def test_account_narrows_the_search(two: tuple[Harness, Sts]) -> None:
    h, sts = two
    answer = ask(h, f"job {PROD_JOB} --account dev")
    assert answer["text"].startswith(f"could not find a job named {PROD_JOB}")
    assert sts.assumed == []  # prod was not asked
    answer = ask(h, f"job {DEV_JOB} --account dev --region us-east-1")
    assert f"Training job {DEV_JOB}" in shown(answer)


def test_a_name_in_two_accounts_is_listed_not_guessed(two: tuple[Harness, Sts]) -> None:
    h, _ = two
    text = shown(ask(h, f"job {TWICE}"))
    assert f"2 matches for a job named {TWICE}" in text
    assert "*dev · us-east-1*: Training job" in text and "*prod · us-east-1*: Training job" in text
    assert "--account ALIAS" in text
    narrowed = shown(ask(h, f"job {TWICE} --account prod"))
    assert f"Training job {TWICE}" in narrowed and "Found in *prod · us-east-1*" in narrowed


def test_a_refused_role_is_one_clear_line_and_the_other_accounts_still_answer(
    with_broken: tuple[Harness, Sts],
) -> None:
    h, _ = with_broken
    refusal = (
        f"could not assume role {BROKEN_ROLE} in account broken ({BROKEN}): AccessDenied: "
        "User: arn:aws:sts::123456789012:assumed-role/mlpulse/bot is not authorized to "
        f"perform: sts:AssumeRole on resource: {BROKEN_ROLE}"
    )
    text = shown(ask(h, f"job {PROD_JOB}"))
    assert f"Training job {PROD_JOB}" in text and "Found in *prod · eu-west-1*" in text
    assert f"Not checked: broken · us-east-1: {refusal}" in text
    assert "Traceback" not in text
    # asked only there, the refusal is the whole answer, on one line
    answer = ask(h, f"job {PROD_JOB} --account broken")
    assert answer["text"].splitlines()[0] == refusal
    metrics = h.app.metrics.exposition().decode()
    assert 'mlpulse_aws_role_refused_total{account="broken"} 1.0' in metrics


def test_a_typo_gets_close_names_with_where_they_are(two: tuple[Harness, Sts]) -> None:
    h, _ = two
    answer = ask(h, "job fraud-xgb-prd-7")
    first = answer["text"].splitlines()[0]
    assert first.startswith("could not find a job named fraud-xgb-prd-7")
    assert f"Did you mean `{PROD_JOB}` (prod · eu-west-1)?" in first
    # moto has no labeling jobs API: named as not checked, not "AWS failed"
    assert "labeling jobs" in first


def test_jobs_lists_every_account_and_region(two: tuple[Harness, Sts], clock: FakeClock) -> None:
    h, _ = two
    text = shown(ask(h, "jobs --kind training --since 3650d"))
    for job, where in (
        (DEV_JOB, "dev · us-east-1"),
        (PROD_JOB, "prod · eu-west-1"),
        (TWICE, "prod · us-east-1"),
        (TWICE, "dev · us-east-1"),
    ):
        assert any(job in line and where in line for line in text.splitlines()), (job, where)


def test_status_reads_each_place(with_broken: tuple[Harness, Sts]) -> None:
    h, _ = with_broken
    text = shown(ask(h, "status"))
    assert "Endpoints · prod · eu-west-1" in text
    assert "*broken · us-east-1*: _could not read: could not assume role" in text
    assert CHANNEL  # the answers above went to the asker only
