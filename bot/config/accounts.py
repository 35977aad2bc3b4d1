"""`aws.accounts`: the AWS accounts and regions mlpulse answers about (README "Several
accounts"). Each is reached by assuming its `role_arn` (STS, with `external_id` when the
role asks for one) or, without a role, with the bot's own credentials. Absent, the bot
answers about its own account and region only, as a single-account install always has.

Aliases are what people type and read (`--account prod`, `Account: prod`), so they are
short, lower case, and never twelve digits (which would read as an account id)."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from bot.config.regions import check_region

_ACCOUNT_ID = re.compile(r"^\d{12}$")
_ALIAS = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
# arn:PARTITION:iam::ACCOUNT:role/PATH/NAME (IAM's own character set for paths and names)
_ROLE_ARN = re.compile(
    r"^arn:aws(?:-cn|-us-gov|-iso|-iso-[a-z])?:iam::(\d{12}):role/[\w+=,.@/-]{1,512}$"
)
# STS: 2-1224 characters of [\w+=,.@:/-]
_EXTERNAL_ID = re.compile(r"^[\w+=,.@:/-]{2,1224}$")


def _account_id(value: str) -> str:
    if not _ACCOUNT_ID.match(value):
        raise ValueError(f"{value!r} is not an AWS account id: twelve digits, quoted in YAML")
    return value


def _alias(value: str) -> str:
    if not _ALIAS.match(value) or _ACCOUNT_ID.match(value):
        raise ValueError(
            f"{value!r} is not an alias: a lower-case word of up to 40 letters, digits, "
            "`-` or `_`, starting with a letter (like `prod`)"
        )
    return value


def _role_arn(value: str) -> str:
    if not _ROLE_ARN.match(value):
        raise ValueError(f"{value!r} is not an IAM role ARN (arn:aws:iam::123456789012:role/NAME)")
    return value


def _external_id(value: str) -> str:
    if not _EXTERNAL_ID.match(value):
        raise ValueError("an external id is 2 to 1224 letters, digits or +=,.@:/-_")
    return value


Region = Annotated[str, AfterValidator(check_region)]


class Account(BaseModel):
    """One AWS account, and the regions in it whose resources mlpulse may be asked about."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, AfterValidator(_account_id)] = Field(
        description="the twelve-digit account id"
    )
    alias: Annotated[str, AfterValidator(_alias)] | None = Field(
        default=None, description="what people call it (`prod`): in alerts, answers, `--account`"
    )
    role_arn: Annotated[str, AfterValidator(_role_arn)] | None = Field(
        default=None,
        description="the role mlpulse assumes to read it (deploy/member-account.yaml); "
        "none: the bot's own credentials",
    )
    external_id: Annotated[str, AfterValidator(_external_id)] | None = Field(
        default=None, description="the ExternalId the role's trust policy asks for"
    )
    regions: tuple[Region, ...] = Field(
        default=(), description="regions to look in; none: the bot's own region"
    )

    @model_validator(mode="after")
    def _role_in_its_account(self) -> Account:
        found = _ROLE_ARN.match(self.role_arn or "")
        if found and found.group(1) != self.id:
            raise ValueError(
                f"role_arn is in account {found.group(1)}, not {self.id}: "
                "the role to assume is the member account's own"
            )
        if self.external_id and not self.role_arn:
            raise ValueError("external_id is given without a role_arn to assume")
        return self

    @property
    def label(self) -> str:
        """How answers and alerts name it: its alias, else its id."""
        return self.alias or self.id


class AwsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    accounts: list[Account] = Field(
        default=[],
        description="accounts answered about; none: the bot's own account and region",
    )

    @model_validator(mode="after")
    def _each_once(self) -> AwsConfig:
        for what, values in (
            ("id", [account.id for account in self.accounts]),
            ("alias", [account.alias for account in self.accounts if account.alias]),
        ):
            twice = sorted({value for value in values if values.count(value) > 1})
            if twice:
                raise ValueError(f"accounts: {what} {', '.join(twice)} given more than once")
        return self

    def named(self, wanted: str) -> Account | None:
        """The account with this alias or id."""
        return next((a for a in self.accounts if wanted in (a.alias, a.id)), None)

    def alias_of(self, account_id: str | None) -> str | None:
        """The alias configured for an account id, if any."""
        found = next((a for a in self.accounts if a.id == account_id), None)
        return found.alias if found else None
