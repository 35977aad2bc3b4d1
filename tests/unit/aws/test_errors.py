"""AWS errors become answers: which permission is missing, what was not found, or that AWS
could not answer now. Anything else stays an error (a bug to log)."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import (
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    ParamValidationError,
)
from botocore.stub import Stubber

from bot.aws.calls import clients_of, pages
from bot.aws.clients import AwsClients
from bot.aws.errors import AwsUnavailable, MissingPermission, NotFound, answering, translate


def client_error(
    code: str, message: str = "", operation: str = "DescribeTrainingJob", status: int = 400
) -> ClientError:
    response: Any = {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"HTTPStatusCode": status},
    }
    return ClientError(response, operation)


@pytest.mark.parametrize("code", ["AccessDenied", "AccessDeniedException"])
def test_access_denied_names_the_action_from_the_operation(code: str) -> None:
    found = translate(client_error(code, "denied"), "sagemaker")
    assert isinstance(found, MissingPermission)
    assert found.action == "sagemaker:DescribeTrainingJob"
    assert "missing permission sagemaker:DescribeTrainingJob" in str(found)


def test_access_denied_prefers_the_action_aws_names() -> None:
    message = (
        "User: arn:aws:sts::123456789012:assumed-role/bot/i is not authorized to perform: "
        "cloudwatch:GetMetricData because no identity-based policy allows it"
    )
    found = translate(client_error("AccessDenied", message, "GetMetricData"), "cloudwatch")
    assert str(found).startswith("missing permission cloudwatch:GetMetricData")


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("ValidationException", "Requested resource not found."),
        ("ValidationException", "Could not find endpoint 'x'."),
        ("ResourceNotFound", "Could not find hyper parameter tuning job 'x'."),
        ("ResourceNotFoundException", "The specified log group does not exist."),
        ("PipelineNotFoundException", "no pipeline"),
    ],
)
def test_not_found_names_the_resource(code: str, message: str) -> None:
    found = translate(client_error(code, message), "sagemaker", "training job churn-7")
    assert isinstance(found, NotFound)
    assert str(found) == "could not find training job churn-7"


def test_not_found_without_a_named_resource_stays_an_error() -> None:
    error = client_error("ValidationException", "1 validation error detected")
    assert translate(error, "sagemaker") is error


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (client_error("ThrottlingException", "Rate exceeded"), "throttling"),
        (client_error("ExpiredTokenException", "expired"), "expired"),
        (client_error("InternalFailure", "oops", status=500), "failed to answer"),
        (NoCredentialsError(), "no AWS credentials"),
        (
            EndpointConnectionError(endpoint_url="https://api.sagemaker.example"),
            "could not reach AWS",
        ),
    ],
)
def test_aws_unavailable_says_why(error: Exception, words: str) -> None:
    found = translate(error, "sagemaker")
    assert isinstance(found, AwsUnavailable)
    assert words in str(found)


def test_other_errors_stay_bugs() -> None:
    error = client_error("SerializationException", "bad", status=400)
    assert translate(error, "sagemaker") is error
    plain = KeyError("x")
    assert translate(plain, "sagemaker") is plain


def test_a_name_aws_would_refuse_is_simply_not_found() -> None:
    refused = ParamValidationError(report="Invalid length for parameter TrainingJobName")
    found = translate(refused, "sagemaker", "training job x")
    assert isinstance(found, NotFound)
    assert str(found) == "could not find training job x"


def test_answering_translates_errors_raised_inside_paginators() -> None:
    client = boto3.client(
        "sagemaker", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b"
    )
    with Stubber(client) as stubber:
        stubber.add_response("list_endpoints", {"Endpoints": [], "NextToken": "t"})
        stubber.add_client_error("list_endpoints", "AccessDeniedException", "no")
        with pytest.raises(MissingPermission, match="sagemaker:ListEndpoints"):
            pages(client, "list_endpoints", "Endpoints", limit=10)
        with pytest.raises(ZeroDivisionError), answering(client):
            _ = 1 / 0


def test_no_region_is_a_clear_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_CONFIG_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    session = boto3.session.Session(aws_access_key_id="a", aws_secret_access_key="b")
    with pytest.raises(AwsUnavailable, match="no AWS region is configured"):
        clients_of(AwsClients(session=session))
    with pytest.raises(AwsUnavailable, match="no AWS access configured"):
        clients_of(None)
