"""bot.core.outcomes: every service's status spellings, and how they read."""

from __future__ import annotations

import pytest

from bot.core.events import Outcome
from bot.core.outcomes import display_status, finality, outcome_of

S, F, D, R, X, U = (
    Outcome.SUCCEEDED,
    Outcome.FAILED,
    Outcome.DEGRADED,
    Outcome.RUNNING,
    Outcome.STOPPED,
    Outcome.UNKNOWN,
)

# The documented status values of each service mlpulse alerts on.
DOCUMENTED: dict[str, dict[str, Outcome]] = {
    "SageMaker training/processing/transform job": {
        "InProgress": R,
        "Completed": S,
        "Failed": F,
        "Stopping": R,
        "Stopped": X,
    },
    "SageMaker tuning job": {"DeleteFailed": F, "Deleting": R},
    "Ground Truth labeling job": {"Initializing": R, "InProgress": R, "Completed": S},
    "SageMaker endpoint": {
        "OutOfService": F,
        "Creating": R,
        "Updating": R,
        "SystemUpdating": R,
        "RollingBack": D,
        "InService": S,
        "Deleting": R,
        "Failed": F,
        "UpdateRollbackFailed": F,
        "IN_SERVICE": S,  # the EventBridge sample's spelling
    },
    "SageMaker pipeline execution and step": {
        "Executing": R,
        "Starting": R,
        "Stopping": R,
        "Stopped": X,
        "Failed": F,
        "Succeeded": S,
    },
    "model package": {
        "Approved": S,
        "Rejected": X,
        "PendingManualApproval": D,
        "Pending": R,
        "Completed": S,
    },
    "Model Monitor execution and schedule": {
        "Pending": R,
        "Completed": S,
        "CompletedWithViolations": D,
        "InProgress": R,
        "Failed": F,
        "Scheduled": R,
    },
    "feature group": {"Creating": R, "Created": S, "CreateFailed": F, "DeleteFailed": F},
    "CodePipeline pipeline/stage/action": {
        "CANCELED": X,
        "FAILED": F,
        "RESUMED": S,
        "STARTED": R,
        "STOPPED": X,
        "STOPPING": R,
        "SUCCEEDED": S,
        "SUPERSEDED": X,
        "ABANDONED": X,
    },
    "CodeBuild build and phase": {
        "IN_PROGRESS": R,
        "SUCCEEDED": S,
        "FAILED": F,
        "STOPPED": X,
        "FAULT": F,
        "QUEUED": R,
        "TIMED_OUT": F,
        "CLIENT_ERROR": F,
    },
    "Step Functions execution": {
        "RUNNING": R,
        "SUCCEEDED": S,
        "FAILED": F,
        "TIMED_OUT": F,
        "ABORTED": X,
        "PENDING_REDRIVE": R,
    },
    "CloudWatch alarm": {"OK": S, "ALARM": F, "INSUFFICIENT_DATA": D},
}


@pytest.mark.parametrize(
    ("service", "status", "outcome"),
    [(svc, status, out) for svc, table in DOCUMENTED.items() for status, out in table.items()],
)
def test_documented_statuses(service: str, status: str, outcome: Outcome) -> None:
    assert outcome_of(status) == outcome, f"{service}: {status}"


@pytest.mark.parametrize(
    "spellings",
    [
        ("Completed", "COMPLETED", "completed", " Completed "),
        ("InService", "IN_SERVICE", "in-service", "In Service"),
        ("TimedOut", "TIMED_OUT", "timed out"),
        ("CompletedWithViolations", "COMPLETED_WITH_VIOLATIONS"),
        ("InsufficientData", "INSUFFICIENT_DATA"),
    ],
)
def test_spellings_of_one_status_agree(spellings: tuple[str, ...]) -> None:
    assert len({outcome_of(s) for s in spellings}) == 1
    assert outcome_of(spellings[0]) != U


@pytest.mark.parametrize(
    "status", [None, "", "unknown", "status", "another status... GO", "received", "42", "✓"]
)
def test_unknown_spellings(status: str | None) -> None:
    assert outcome_of(status) == U


@pytest.mark.parametrize(
    ("status", "shown"),
    [
        ("IN_SERVICE", "In service"),
        ("InService", "In service"),
        ("OK", "OK"),
        ("ALARM", "Alarm"),
        ("TIMED_OUT", "Timed out"),
        ("CompletedWithViolations", "Completed with violations"),
        ("INSUFFICIENT_DATA", "Insufficient data"),
        ("Failed", "Failed"),
        ("SUCCEEDED", "Succeeded"),
        ("inProgress", "In progress"),
        ("another status... GO", "Another status... go"),
        ("", ""),
        ("_", "_"),
    ],
)
def test_display_status(status: str, shown: str) -> None:
    assert display_status(status) == shown


def test_final_states_outrank_transient_ones() -> None:
    assert finality(S) == finality(F) > finality(D) == finality(X) > finality(U) > finality(R)
    assert all(isinstance(finality(outcome), int) for outcome in Outcome)
