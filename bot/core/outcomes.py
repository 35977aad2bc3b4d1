"""Status spellings differ by service (`Failed`, `FAILED`, `IN_SERVICE`, `InService`,
`CompletedWithViolations`, `ALARM`): one table says what each one means."""

from __future__ import annotations

import re
from functools import lru_cache

from bot.core.events import Outcome

_OUTCOMES: dict[Outcome, tuple[str, ...]] = {
    Outcome.SUCCEEDED: (
        "completed",
        "succeeded",
        "success",
        "successful",
        "inservice",
        "ok",
        "approved",
        "active",
        "created",
        "resumed",
        "available",
    ),
    Outcome.FAILED: (
        "failed",
        "failure",
        "fault",
        "timedout",
        "timeout",
        "error",
        "nonretryableerror",
        "alarm",
        "createfailed",
        "updatefailed",
        "deletefailed",
        "outofservice",
        "updaterollbackfailed",  # SageMaker endpoint: deployment and its rollback failed
        "clienterror",  # CodeBuild phase
    ),
    Outcome.DEGRADED: (
        "completedwithviolations",
        "rollingback",
        "insufficientdata",
        "retryableerror",
        "pendingmanualapproval",
    ),
    Outcome.RUNNING: (
        "inprogress",
        "started",
        "starting",
        "executing",
        "running",
        "creating",
        "updating",
        "pending",
        "stopping",
        "systemupdating",
        "deleting",
        "baking",
        "queued",
        "provisioning",
        "resuming",
        "scheduled",
        "initializing",  # Ground Truth labeling job
        "pendingredrive",  # Step Functions: a redrive of a failed execution was asked for
    ),
    Outcome.STOPPED: (
        "stopped",
        "aborted",
        "abandoned",
        "canceled",
        "cancelled",
        "superseded",
        "rejected",
        "deleted",
        "notstarted",
    ),
}
_BY_WORD = {word: outcome for outcome, words in _OUTCOMES.items() for word in words}
_NOT_LETTERS = re.compile(r"[^a-z]")


def status_word(status: str) -> str:
    """A status as one word, whatever the service's spelling: `Failed`, `FAILED` and
    `failed` are `failed`; `IN_SERVICE`, `InService` and `in service` are `inservice`."""
    return _NOT_LETTERS.sub("", status.lower())


def outcome_of(status: str | None) -> Outcome:
    """Map any service's status spelling to its meaning; unknown spellings are UNKNOWN."""
    if not status:
        return Outcome.UNKNOWN
    return _BY_WORD.get(status_word(status), Outcome.UNKNOWN)


_CAMEL_BREAK = re.compile(r"(?<=[a-z])(?=[A-Z])")


@lru_cache(maxsize=512)  # few spellings, drawn for every alert
def display_status(status: str) -> str:
    """Any service's spelling as words people read: `IN_SERVICE`, `InService` -> `In service`."""
    words = _CAMEL_BREAK.sub(" ", status).replace("_", " ").strip()
    if not words:
        return status
    if words.isupper() and len(words) <= 3:  # `OK`
        return words
    return words[:1].upper() + words[1:].lower()


# Ranks break ties between events of the same resource with the same timestamp:
# a final state outranks a transient one, so `Completed` beats `InProgress`.
_RANK = {
    Outcome.RUNNING: 0,
    Outcome.UNKNOWN: 1,
    Outcome.DEGRADED: 2,
    Outcome.STOPPED: 2,
    Outcome.SUCCEEDED: 3,
    Outcome.FAILED: 3,
}


def finality(outcome: Outcome) -> int:
    return _RANK[outcome]
