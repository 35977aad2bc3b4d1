"""What an event gets when no route decides: failures at any level open an incident, except
one failed trial of a tuning job's search and a failed build a pipeline ran."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.core.decision import Decision
from bot.core.events import Event, Fact, Kind, Severity
from bot.core.outcomes import outcome_of


def event(kind: Kind, key: str, status: str, subject: str | None = None) -> Event:
    return Event(
        id="e1",
        kind=kind,
        key=key,
        name=key.rsplit(":", 1)[-1],
        title=kind.value,
        status=status,
        outcome=outcome_of(status),
        time=datetime(2026, 11, 25, 3, 0, tzinfo=UTC),
        subject=subject,
    )


@pytest.mark.parametrize(
    ("kind", "key", "status", "subject", "severity", "incident"),
    [
        (Kind.TRAINING_JOB, "training_job:1:r:churn", "Failed", None, Severity.CRITICAL, True),
        (Kind.CODEPIPELINE, "codepipeline:1:r:p/e1", "FAILED", "action Build › CodeBuild",
         Severity.CRITICAL, True),
        # A failed trial is told in its tuning job's thread; the tuning job's failure opens it.
        (Kind.TRAINING_JOB, "tuning_job:1:r:hpo-1", "Failed", "trial hpo-1-003-0f0444b1",
         Severity.CRITICAL, False),
        (Kind.TUNING_JOB, "tuning_job:1:r:hpo-1", "Failed", None, Severity.CRITICAL, True),
        (Kind.MODEL_MONITOR, "model_monitor:1:r:dq", "CompletedWithViolations", None,
         Severity.WARNING, True),
        (Kind.ENDPOINT, "endpoint:1:r:fraud", "Updating", None, Severity.INFO, False),
    ],
)  # fmt: skip
def test_the_defaults(
    kind: Kind, key: str, status: str, subject: str | None, severity: Severity, incident: bool
) -> None:
    decision = Decision.default(event(kind, key, status, subject), "#ml")
    assert (decision.channel, decision.severity, decision.incident) == ("#ml", severity, incident)


@pytest.mark.parametrize(
    ("initiator", "incident"),
    [
        ("codepipeline/fraud-deploy", False),  # the pipeline's action opens its incident
        ("alice", True),
        (None, True),
    ],
)
def test_a_failed_build_opens_an_incident_unless_a_pipeline_ran_it(
    initiator: str | None, incident: bool
) -> None:
    build = event(Kind.CODEBUILD, "codebuild:1:r:fraud-deploy-build:b1", "FAILED")
    if initiator is not None:
        build = build.model_copy(update={"facts": (Fact(label="Initiator", value=initiator),)})
    decision = Decision.default(build, "#ml")
    assert (decision.severity, decision.incident) == (Severity.CRITICAL, incident)
