"""AWS errors as answers a person can act on.

    UserError (bot.core.errors)
     +-- AwsError            an AWS call behind a command failed; its text says why
          +-- MissingPermission   AccessDenied: names the IAM action to grant
          +-- NotFound            the named resource does not exist (in this account/region)
          +-- RoleRefused         an account's role could not be assumed (bot.aws.assume)
          +-- AwsUnavailable      throttled past the retries, no or expired credentials,
                                  AWS unreachable or answering 5xx

Throttling itself is retried by the clients (adaptive mode, bot.aws.clients); only what is
left after the retries reaches this module. Which error codes mean what is written once, in
bot.core.aws_codes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    NoCredentialsError,
    NoRegionError,
    ParamValidationError,
)

from bot.core.aws_codes import Problem, problem_of
from bot.core.errors import UserError

# `... is not authorized to perform: sagemaker:DescribeTrainingJob on resource ...`
_ACTION_IN_MESSAGE = re.compile(r"perform: ([a-z0-9-]+:[A-Za-z0-9*]+)")
_NOT_FOUND_WORDS = ("could not find", "not found", "does not exist", "cannot find")


class AwsError(UserError):
    """An AWS call behind a command failed in a way worth telling the user."""


class MissingPermission(AwsError):
    def __init__(self, action: str) -> None:
        self.action = action
        super().__init__(f"missing permission {action}: ask an admin to grant it to mlpulse's role")


class NotFound(AwsError):
    """`unchecked` names what could not be looked in (`labeling jobs: missing permission
    ...`): the answer is "not found where we could look", and says where that was not.
    `suggestions` are close names that do exist (commands.suggest), already formatted."""

    def __init__(
        self, what: str, unchecked: Sequence[str] = (), suggestions: Sequence[str] = ()
    ) -> None:
        self.what = what
        self.unchecked = list(unchecked)
        told = f"could not find {what}"
        if self.unchecked:
            told += f" (could not check {'; '.join(self.unchecked)})"
        if suggestions:
            told += f". Did you mean {', '.join(suggestions)}?"
        super().__init__(told)


class RoleRefused(AwsError):
    """An account's role could not be assumed (bot.aws.assume): nothing can be read there.
    One sentence: which role, which account, and AWS's own reason."""

    def __init__(self, role_arn: str, account: str, reason: str) -> None:
        self.role_arn, self.account, self.reason = role_arn, account, reason
        super().__init__(f"could not assume role {role_arn} in account {account}: {reason}")


class AwsUnavailable(AwsError):
    """AWS could not answer now; trying again later may work."""


def iam_action(error: ClientError, service: str) -> str:
    """The IAM action a denied call needed: from AWS's message when it says, else
    `<service>:<Operation>` (boto3's service names are the IAM prefixes for ours)."""
    message = str(error.response.get("Error", {}).get("Message", ""))
    if found := _ACTION_IN_MESSAGE.search(message):
        return found.group(1)
    return f"{service}:{error.operation_name}"


def is_not_found(error: ClientError) -> bool:
    """SageMaker says `ValidationException: Could not find ...` where others say
    `ResourceNotFoundException`; both mean the same."""
    code = error.response.get("Error", {}).get("Code", "")
    if problem_of(code) is Problem.NOT_FOUND:
        return True
    message = str(error.response.get("Error", {}).get("Message", "")).lower()
    return code == "ValidationException" and any(word in message for word in _NOT_FOUND_WORDS)


def translate(error: Exception, service: str, what: str | None = None) -> Exception:
    """The UserError for `error`, or `error` itself when it is a bug, not an answer."""
    if isinstance(error, ParamValidationError):  # a name AWS would refuse: it cannot exist
        return NotFound(what) if what else AwsError(f"AWS refused the request: {error}")
    if isinstance(error, NoRegionError):
        return AwsUnavailable(
            "no AWS region is configured: set AWS_REGION (AWS_DEFAULT_REGION works too)"
        )
    if isinstance(error, NoCredentialsError):
        return AwsUnavailable("no AWS credentials are configured for mlpulse")
    if isinstance(error, BotoCoreError):  # connection refused, timeouts, bad endpoint
        return AwsUnavailable(f"could not reach AWS ({service}): {type(error).__name__}")
    if not isinstance(error, ClientError):
        return error
    code = error.response.get("Error", {}).get("Code", "")
    problem = problem_of(code)
    if problem is Problem.DENIED:
        return MissingPermission(iam_action(error, service))
    if what and (is_not_found(error) or code == "ValidationException"):
        return NotFound(what)  # asked by name: a name AWS finds invalid names nothing
    if problem is Problem.THROTTLED:
        return AwsUnavailable(
            f"AWS is throttling {service}:{error.operation_name}; try again in a minute"
        )
    if problem is Problem.EXPIRED:
        return AwsUnavailable("mlpulse's AWS credentials are expired or invalid")
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    if isinstance(status, int) and status >= 500:
        return AwsUnavailable(f"AWS failed to answer {service}:{error.operation_name}; try again")
    return error


def service_of(client: Any) -> str:
    name = client.meta.service_model.service_name
    return name if isinstance(name, str) else "aws"


@contextmanager
def answering(client: Any, what: str | None = None) -> Iterator[None]:
    """Run AWS calls on `client`, turning the errors a user can act on into UserErrors.
    `what` names the resource asked for (`training job churn-7`) for a not-found answer."""
    try:
        yield
    except (ClientError, BotoCoreError) as error:
        translated = translate(error, service_of(client), what)
        if translated is error:
            raise
        raise translated from error
