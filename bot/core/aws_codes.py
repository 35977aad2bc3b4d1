"""AWS error codes by what they mean to mlpulse, written once for every caller: the command
answers (bot.aws.errors), the queue consumer's health detail (bot.ingress.sqs) and the
DynamoDB store's explanations and retries (bot.store.dynamodb.table).

Services spell one problem several ways (`AccessDenied` in query APIs,
`AccessDeniedException` in JSON ones); a family holds every spelling a caller may meet.
"""

from __future__ import annotations

from enum import Enum


class Problem(Enum):
    DENIED = "denied"  # the credentials may not make this call
    NOT_FOUND = "not found"  # the resource named does not exist (in this account/region)
    THROTTLED = "throttled"  # too many requests now; the same one may work later
    EXPIRED = "expired"  # the credentials are expired, unknown or wrongly signed


_FAMILIES: dict[Problem, frozenset[str]] = {
    Problem.DENIED: frozenset(
        {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthFailure"}
    ),
    Problem.NOT_FOUND: frozenset(
        {
            "ResourceNotFound",
            "ResourceNotFoundException",
            "PipelineNotFoundException",
            "PipelineExecutionNotFoundException",
            "NoSuchEntity",
        }
    ),
    Problem.THROTTLED: frozenset(
        {
            "Throttling",
            "ThrottlingException",
            "TooManyRequestsException",
            "RequestLimitExceeded",
            # DynamoDB's spellings as the reason a transaction item was cancelled
            # (TransactionCanceledException's CancellationReasons).
            "ThrottlingError",
            "ProvisionedThroughputExceeded",
        }
    ),
    Problem.EXPIRED: frozenset(
        {
            "ExpiredToken",
            "ExpiredTokenException",
            "InvalidClientTokenId",
            "UnrecognizedClientException",
            "InvalidSignatureException",
        }
    ),
}
_BY_CODE = {code: problem for problem, codes in _FAMILIES.items() for code in codes}


def problem_of(code: str | None) -> Problem | None:
    """What an AWS error code means, or None for a code of no family (a bug, a validation
    error, a service-specific answer the caller judges itself)."""
    return _BY_CODE.get(code or "")


def codes_of(problem: Problem) -> frozenset[str]:
    """Every spelling of one problem."""
    return _FAMILIES[problem]
