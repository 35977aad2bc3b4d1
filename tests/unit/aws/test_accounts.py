"""bot.aws.accounts on a moto server: the places `aws.accounts` names, clients per (account,
region) made once, STS AssumeRole per account (ExternalId when given) landing in the role's
account (moto maps assumed-role credentials to it), refreshed before expiry on a fake
clock, and a refused role one clear sentence for that account alone."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.approvals.calls import decide_in_aws
from bot.approvals.lookups import Lookups
from bot.aws.accounts import Accounts, Place
from bot.aws.clients import AwsClients
from bot.aws.errors import AwsError, RoleRefused
from bot.aws.logtail import LogReader
from bot.config.accounts import Account, AwsConfig
from bot.core.approvals import Verdict
from bot.core.clock import FakeClock
from bot.core.errors import InputError
from tests.fakes.sts import Sts
from tests.unit.store.test_contract_approvals import asked

DEV, PROD, BROKEN = "111111111111", "222222222222", "333333333333"
PROD_ROLE = f"arn:aws:iam::{PROD}:role/mlpulse-read"
BROKEN_ROLE = f"arn:aws:iam::{BROKEN}:role/mlpulse-read"
CONFIG = AwsConfig(
    accounts=[
        Account(id=DEV, alias="dev", regions=("us-east-1",)),
        Account(
            id=PROD,
            alias="prod",
            role_arn=PROD_ROLE,
            external_id="ext-123",
            regions=("us-east-1", "eu-west-1"),
        ),
        Account(id=BROKEN, alias="broken", role_arn=BROKEN_ROLE),
    ]
)


@pytest.fixture
def home(moto_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[AwsClients]:
    """The bot's own clients, from the environment, on moto."""
    for name in ("AWS_PROFILE", "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    clients = AwsClients()
    yield clients
    clients.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime.now(UTC))  # moto's credentials expire by the wall clock


def made(home: AwsClients, clock: FakeClock, refused: set[str] | None = None) -> Any:
    sts = Sts(home.client("sts"), refused)
    seen: list[str] = []
    accounts = Accounts(CONFIG, home, clock, on_refused=lambda a: seen.append(a.label))
    return accounts, sts, seen


def where(place: Place) -> str:
    return place.label


def test_without_accounts_the_bots_own_account_and_region(home: AwsClients) -> None:
    accounts = Accounts(AwsConfig(), home)
    [place] = accounts.places()
    assert place == Place(None, "us-east-1") and place.label == "this account · us-east-1"
    assert accounts.clients(place) is home
    assert not accounts.several


def test_places_and_their_selection(home: AwsClients, clock: FakeClock) -> None:
    accounts, _, _ = made(home, clock)
    assert [where(p) for p in accounts.places()] == [
        "dev · us-east-1",
        "prod · us-east-1",
        "prod · eu-west-1",
        "broken · us-east-1",  # no regions: the bot's own
    ]
    assert [where(p) for p in accounts.select("prod")] == ["prod · us-east-1", "prod · eu-west-1"]
    assert [where(p) for p in accounts.select(PROD)] == ["prod · us-east-1", "prod · eu-west-1"]
    assert [where(p) for p in accounts.select(region="eu-west-1")] == [
        "dev · eu-west-1",
        "prod · eu-west-1",
        "broken · eu-west-1",
    ]
    assert [where(p) for p in accounts.select("dev", "eu-west-2")] == ["dev · eu-west-2"]
    with pytest.raises(InputError, match=r"no account `stage` in aws.accounts \(known: dev, prod"):
        accounts.select("stage")
    with pytest.raises(InputError, match="`mars-1` is not an AWS region"):
        accounts.select(region="mars-1")


def test_a_role_is_assumed_into_its_own_account_with_its_external_id(
    home: AwsClients, clock: FakeClock
) -> None:
    accounts, sts, _ = made(home, clock)
    prod_us, prod_eu = accounts.select("prod")
    identity = accounts.clients(prod_eu).client("sts").get_caller_identity()
    assert identity["Account"] == PROD
    assert accounts.clients(prod_us).region == "us-east-1"
    assert accounts.clients(prod_eu).region == "eu-west-1"
    [asked] = sts.assumed  # one role session for both regions
    assert asked == {
        "RoleArn": PROD_ROLE,
        "RoleSessionName": "mlpulse",
        "DurationSeconds": 3600,
        "ExternalId": "ext-123",
    }
    # an account without a role is read with the bot's own credentials: its home clients
    [dev] = accounts.select("dev")
    assert accounts.clients(dev) is home


def test_clients_are_made_once_per_place(home: AwsClients, clock: FakeClock) -> None:
    accounts, sts, _ = made(home, clock)
    places = accounts.select("prod")
    found: list[AwsClients] = []

    def ask() -> None:
        found.extend(accounts.clients(place) for place in places)

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(clients) for clients in found}) == 2
    assert sts.roles() == [PROD_ROLE]


def test_credentials_are_refreshed_before_they_expire(home: AwsClients, clock: FakeClock) -> None:
    accounts, sts, _ = made(home, clock)
    [place, _] = accounts.select("prod")
    accounts.clients(place)
    clock.advance(40 * 60)  # 20 minutes left: still good
    accounts.clients(place)
    assert len(sts.assumed) == 1
    clock.advance(6 * 60)  # 14 minutes left: within botocore's 15-minute advisory window
    accounts.clients(place)
    assert len(sts.assumed) == 2
    assert accounts.clients(place).client("sts").get_caller_identity()["Account"] == PROD


def test_a_refused_role_is_one_sentence_for_its_account_only(
    home: AwsClients, clock: FakeClock
) -> None:
    accounts, sts, refusals = made(home, clock, refused={BROKEN_ROLE})
    [broken] = accounts.select("broken")
    with pytest.raises(RoleRefused) as raised:
        accounts.clients(broken)
    assert str(raised.value) == (
        f"could not assume role {BROKEN_ROLE} in account broken ({BROKEN}): AccessDenied: "
        "User: arn:aws:sts::123456789012:assumed-role/mlpulse/bot is not authorized to "
        f"perform: sts:AssumeRole on resource: {BROKEN_ROLE}"
    )
    assert "\n" not in str(raised.value)
    assert refusals == ["broken"]
    # the other accounts answer
    [_, prod_eu] = accounts.select("prod")
    assert accounts.clients(prod_eu).client("sts").get_caller_identity()["Account"] == PROD
    # asked again within the minute: the same answer, STS not asked again
    with pytest.raises(RoleRefused):
        accounts.clients(broken)
    assert sts.roles().count(BROKEN_ROLE) == 1
    # a minute later it is tried again (and counted again)
    clock.advance(61)
    with pytest.raises(RoleRefused):
        accounts.clients(broken)
    assert sts.roles().count(BROKEN_ROLE) == 2
    assert refusals == ["broken", "broken"]


def test_log_tails_of_a_member_account_are_read_through_its_role(
    home: AwsClients, clock: FakeClock
) -> None:
    """An alert's log tail (bot.aws.logtail.LogReader) for a job of a configured account."""
    accounts, _, _ = made(home, clock, refused={BROKEN_ROLE})
    [_, prod_eu] = accounts.select("prod")
    member_logs = accounts.clients(prod_eu).logs  # writes land in PROD's backend
    member_logs.create_log_group(logGroupName="/aws/sagemaker/TrainingJobs")
    member_logs.create_log_stream(
        logGroupName="/aws/sagemaker/TrainingJobs", logStreamName="j-1/algo-1-1"
    )
    stamp = int(datetime.now(UTC).timestamp() * 1000)
    member_logs.put_log_events(
        logGroupName="/aws/sagemaker/TrainingJobs",
        logStreamName="j-1/algo-1-1",
        logEvents=[{"timestamp": stamp, "message": "prod says hello"}],
    )
    reader = LogReader(home, accounts)
    found = reader.read("/aws/sagemaker/TrainingJobs", "j-1/", "eu-west-1", PROD, 20)
    assert [line.message for line in found.lines] == ["prod says hello"]
    with pytest.raises(AwsError, match=r"not in aws\.accounts with a role"):
        reader.read("/aws/sagemaker/TrainingJobs", "j-1/", "eu-west-1", DEV, 20)
    with pytest.raises(RoleRefused):
        reader.read("/aws/sagemaker/TrainingJobs", "j-1/", "us-east-1", BROKEN, 20)


def test_approvals_are_looked_up_and_decided_in_their_own_account(
    home: AwsClients, clock: FakeClock
) -> None:
    """bot.approvals.lookups.Lookups.at: a member account's approval through its role."""
    accounts, _, _ = made(home, clock, refused={BROKEN_ROLE})
    lookups = Lookups(home, accounts)
    there = lookups.at(PROD, "eu-west-1")
    assert there.aws.client("sts").get_caller_identity()["Account"] == PROD
    assert there.own_account() == PROD
    assert lookups.at(DEV, "us-east-1") is lookups  # no role: the bot's own clients
    assert lookups.at(None, None) is lookups
    with pytest.raises(RoleRefused):
        lookups.at(BROKEN, "us-east-1")


def test_a_decision_in_an_account_whose_role_is_refused_says_why(
    home: AwsClients, clock: FakeClock
) -> None:
    accounts, _, _ = made(home, clock, refused={BROKEN_ROLE})
    approval = replace(asked(), event=json.dumps({"account": BROKEN, "region": "us-east-1"}))
    result = decide_in_aws(Lookups(home, accounts), approval, Verdict.APPROVE, "ok")
    assert result.error is not None and f"could not assume role {BROKEN_ROLE}" in result.error
    assert result.request_id is None
