"""The one error tree of mlpulse, drawn whole. The classes of the three families marked
with their module live there, beside the code that raises them; everything else is here.

    MlpulseError
     +-- UserError            its text is shown to the user as is (CLI: `error: ...`, exit 2;
     |    |                   Slack: an ephemeral answer)
     |    +-- InputError      an event, file or argument could not be read
     |    +-- ConfigError     the configuration is invalid; carries every problem found
     |    +-- AwsError        an AWS call behind a command failed (bot.aws.errors)
     |         +-- MissingPermission   AccessDenied: names the IAM action to grant
     |         +-- NotFound            the named resource does not exist there
     |         +-- RoleRefused         an account's role could not be assumed
     |         +-- AwsUnavailable      throttled past the retries, no or expired
     |                                 credentials, AWS unreachable or answering 5xx
     +-- StoreError           the store cannot be opened or written
     +-- DeliveryError        Slack refused or could not be reached
     |    +-- NotifyError     with its Failure: what delivery should do (notifiers.base)
     +-- SnsRejected          a POST /sns refused (bot.ingress.sns.errors)
          +-- Malformed       400: not an SNS message at all
          |    +-- TooLarge   413
          +-- Untrusted       403: not provably from an allowed topic
          +-- Retryable       503: cannot decide now; SNS retries

Anything outside this tree is a bug: logged with its context, answered politely.
"""

from __future__ import annotations


class MlpulseError(Exception):
    """Base of every error mlpulse raises on purpose."""


class UserError(MlpulseError):
    """An error whose message is written for the person who caused it."""


class InputError(UserError):
    """An event, file or argument that cannot be read."""


class ConfigError(UserError):
    """An invalid configuration; `problems` lists each one with its location."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        first = problems[0] if problems else "invalid configuration"
        more = (
            f" (and {len(problems) - 1} more; run `mlpulse check-config`)"
            if len(problems) > 1
            else ""
        )
        super().__init__(first + more)


class StoreError(MlpulseError):
    """The store cannot be opened or written."""


class DeliveryError(MlpulseError):
    """Base for delivery failures; notifiers.base.NotifyError refines it."""
