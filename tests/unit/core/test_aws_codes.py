"""AWS error codes classified once (bot/core/aws_codes.py), and the three places that act on
them agreeing: the command answers, the SQS consumer's health detail, the DynamoDB store."""

from __future__ import annotations

import re

import botocore.session
import pytest
from botocore.exceptions import ClientError

from bot.aws.errors import AwsUnavailable, MissingPermission, NotFound, translate
from bot.core.aws_codes import Problem, codes_of, problem_of
from bot.store.dynamodb.table import RETRYABLE


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("AccessDenied", Problem.DENIED),
        ("AccessDeniedException", Problem.DENIED),
        ("ResourceNotFoundException", Problem.NOT_FOUND),
        ("PipelineNotFoundException", Problem.NOT_FOUND),
        ("ThrottlingException", Problem.THROTTLED),
        ("ThrottlingError", Problem.THROTTLED),
        ("ExpiredToken", Problem.EXPIRED),
        ("InvalidSignatureException", Problem.EXPIRED),
        ("ValidationException", None),
        ("ConditionalCheckFailed", None),
        ("", None),
        (None, None),
    ],
)
def test_problem_of(code: str | None, problem: Problem | None) -> None:
    assert problem_of(code) is problem


def test_a_code_belongs_to_one_family() -> None:
    families = [codes_of(problem) for problem in Problem]
    assert sum(len(codes) for codes in families) == len(frozenset().union(*families))


def client_error(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "no"}}, "DescribeTrainingJob")


@pytest.mark.parametrize("code", sorted(codes_of(Problem.DENIED)))
def test_every_denied_code_names_the_missing_permission(code: str) -> None:
    assert isinstance(translate(client_error(code), "sagemaker"), MissingPermission)


@pytest.mark.parametrize("code", sorted(codes_of(Problem.NOT_FOUND)))
def test_every_not_found_code_is_not_found(code: str) -> None:
    assert isinstance(translate(client_error(code), "sagemaker", "training job x"), NotFound)


@pytest.mark.parametrize("code", sorted(codes_of(Problem.THROTTLED) | codes_of(Problem.EXPIRED)))
def test_every_throttled_or_expired_code_is_worth_trying_later(code: str) -> None:
    assert isinstance(translate(client_error(code), "sagemaker"), AwsUnavailable)


def _cancellation_reasons() -> set[str]:
    """The reason codes DynamoDB documents for a cancelled transaction's items, from the
    service model botocore ships."""
    model = botocore.session.get_session().get_service_model("dynamodb")
    documentation = model.shape_for("TransactionCanceledException").documentation
    return set(re.findall(r"Code: <code>(\w+)</code>", documentation))


def test_dynamodb_retries_what_waiting_can_cure() -> None:
    reasons = _cancellation_reasons()
    assert {"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"} <= reasons
    assert RETRYABLE & reasons == {
        "TransactionConflict",
        "ThrottlingError",
        "ProvisionedThroughputExceeded",
    }
