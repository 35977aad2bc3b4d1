"""`aws.accounts` in the config: ids, aliases, role ARNs and regions checked where
check-config reports them (FILE:LINE: field.path: what is wrong); AWS_REGION honoured as
well as AWS_DEFAULT_REGION."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest

from bot.config.accounts import Account, AwsConfig
from bot.config.loading import check_config_file
from bot.config.models import Config
from bot.config.regions import adopt_aws_region, check_region, home_region, known_regions

GOOD = """\
aws:
  accounts:
    - {id: "111111111111", alias: dev, regions: [us-east-1]}
    - id: "222222222222"
      alias: prod
      role_arn: arn:aws:iam::222222222222:role/mlpulse-read
      external_id: mlpulse-ext-1
      regions: [us-east-1, eu-west-1]
"""


def test_a_config_with_accounts_loads(tmp_path: Path) -> None:
    path = tmp_path / "mlpulse.yaml"
    path.write_text(GOOD, encoding="utf-8")
    assert check_config_file(path) == []
    import yaml

    config = Config.model_validate(yaml.safe_load(GOOD))
    prod = config.aws.named("prod")
    assert prod is not None and prod.role_arn and prod.regions == ("us-east-1", "eu-west-1")
    assert config.aws.named("111111111111") == config.aws.accounts[0]
    assert config.aws.alias_of("222222222222") == "prod"
    assert config.aws.alias_of("333333333333") is None


def test_absent_means_the_bots_own_account() -> None:
    assert Config().aws.accounts == []


@pytest.mark.parametrize(
    ("entry", "line", "where", "says"),
    [
        ('{id: "12345", alias: dev}', 3, "aws.accounts[0].id", "twelve digits"),
        ("{id: 111111111111, alias: dev}", 3, "aws.accounts[0].id", "string"),
        ('{id: "111111111111", alias: Prod}', 3, "aws.accounts[0].alias", "not an alias"),
        ('{id: "111111111111", alias: "222222222222"}', 3, "aws.accounts[0].alias", "alias"),
        (
            '{id: "111111111111", role_arn: "arn:aws:iam::111111111111:user/bob"}',
            3,
            "aws.accounts[0].role_arn",
            "not an IAM role ARN",
        ),
        (
            '{id: "111111111111", role_arn: "arn:aws:iam::999999999999:role/r"}',
            3,
            "aws.accounts[0]",
            "role_arn is in account 999999999999, not 111111111111",
        ),
        ('{id: "111111111111", external_id: abc}', 3, "aws.accounts[0]", "without a role_arn"),
        (
            '{id: "111111111111", regions: [us-east-1, eu-west-9]}',
            3,
            "aws.accounts[0].regions[1]",
            "'eu-west-9' is not an AWS region botocore knows; did you mean one of eu-",
        ),
        ('{id: "111111111111", region: us-east-1}', 3, "aws.accounts[0].region", "unknown"),
    ],
)
def test_check_config_names_each_bad_account_field(
    tmp_path: Path, entry: str, line: int, where: str, says: str
) -> None:
    path = tmp_path / "mlpulse.yaml"
    path.write_text(f"aws:\n  accounts:\n    - {entry}\n", encoding="utf-8")
    [problem] = check_config_file(path)
    assert problem.startswith(f"{path}:{line}: {where}: "), problem
    assert says in problem


def test_an_id_or_alias_given_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="id 111111111111 given more than once"):
        AwsConfig(accounts=[Account(id="111111111111"), Account(id="111111111111")])
    with pytest.raises(ValueError, match="alias prod given more than once"):
        AwsConfig(
            accounts=[
                Account(id="111111111111", alias="prod"),
                Account(id="222222222222", alias="prod"),
            ]
        )


def test_china_and_govcloud_roles_and_regions_are_real() -> None:
    account = Account(
        id="111111111111",
        role_arn="arn:aws-cn:iam::111111111111:role/path/mlpulse",
        regions=["cn-north-1"],
    )
    assert account.label == "111111111111"
    assert check_region("us-gov-west-1") == "us-gov-west-1"
    assert {"us-east-1", "eu-west-1", "cn-northwest-1"} <= known_regions()


def test_aws_region_is_honoured_as_well_as_aws_default_region() -> None:
    assert home_region({"AWS_REGION": "eu-west-1"}) == "eu-west-1"
    assert home_region({"AWS_DEFAULT_REGION": "us-east-2"}) == "us-east-2"
    assert home_region({"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "us-east-2"}) == (
        "eu-west-1"
    )
    assert home_region({}) is None


def test_adopting_aws_region_lets_botocore_find_it(monkeypatch: pytest.MonkeyPatch) -> None:
    # set, then removed: monkeypatch then removes what adopting sets when the test ends
    monkeypatch.setenv("AWS_DEFAULT_REGION", "-")
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    assert boto3.session.Session().region_name is None  # botocore alone does not read it
    adopt_aws_region()
    assert boto3.session.Session().region_name == "eu-west-1"


def test_adopting_leaves_an_explicit_default_region_alone() -> None:
    env = {"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "us-east-2"}
    adopt_aws_region(env)
    assert env["AWS_DEFAULT_REGION"] == "us-east-2"


def test_the_known_regions_are_botocores_own() -> None:
    from botocore.loaders import create_loader

    endpoints = create_loader().load_data("endpoints")
    assert known_regions() == {r for p in endpoints["partitions"] for r in p["regions"]}
