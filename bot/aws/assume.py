"""Credentials for a member account: STS AssumeRole on its `role_arn` (with its
`external_id` when it has one), refreshed before they expire.

botocore's DeferredRefreshableCredentials does the refreshing, as botocore does for its own
assume-role profiles: the first use assumes the role, and any use within 15 minutes of the
expiry assumes it again (10 minutes before, every caller waits for the new ones), under its
own lock, so the clients of every region of the account share one set safely. Its clock is
ours (bot.core.clock), so tests move time instead of waiting an hour.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from botocore.credentials import DeferredRefreshableCredentials

from bot.aws.errors import RoleRefused
from bot.config.accounts import Account

SESSION_NAME = "mlpulse"  # what the member account's CloudTrail shows as the session
DURATION_S = 3600


def role_refused(account: Account, reason: str) -> RoleRefused:
    """The refusal of `account`'s role, naming the account by alias and id."""
    named = f"{account.alias} ({account.id})" if account.alias else account.id
    return RoleRefused(str(account.role_arn), named, reason)


def role_credentials(
    sts: Any, account: Account, now: Callable[[], datetime]
) -> DeferredRefreshableCredentials:
    """Credentials of `account`'s role, assumed through `sts` (a client with the bot's own
    credentials) on first use and again before they expire."""

    def assume() -> dict[str, str]:
        params: dict[str, Any] = {
            "RoleArn": account.role_arn,
            "RoleSessionName": SESSION_NAME,
            "DurationSeconds": DURATION_S,
        }
        if account.external_id:
            params["ExternalId"] = account.external_id
        given = sts.assume_role(**params)["Credentials"]
        return {
            "access_key": given["AccessKeyId"],
            "secret_key": given["SecretAccessKey"],
            "token": given["SessionToken"],
            "expiry_time": given["Expiration"].isoformat(),
        }

    return DeferredRefreshableCredentials(
        refresh_using=assume, method="sts-assume-role", time_fetcher=now
    )


def refusal_reason(error: Exception) -> str:
    """AWS's own words for why a role could not be assumed (`AccessDenied: User ... is not
    authorized to perform: sts:AssumeRole ...`), or what kind of failure it was."""
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        problem = response.get("Error") or {}
        code, message = problem.get("Code"), problem.get("Message")
        if code or message:
            return ": ".join(str(part) for part in (code, message) if part)
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
