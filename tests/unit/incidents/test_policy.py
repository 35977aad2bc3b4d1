"""What an event does to incidents, and which silence holds it back: tables of cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.config.models import Config
from bot.core.decision import Decision
from bot.core.events import Kind, Outcome, Severity
from bot.incidents.policy import incident_change, recovery_note, resolving, silence_for
from bot.intake.routing import route
from bot.store.records import IncidentChange, Silence
from tests.unit.incidents.conftest import event

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
OPEN = "open"
RESOLVE = "resolve"


def decision(incident: bool) -> Decision:
    return Decision(channel="#mlpulse", severity=Severity.CRITICAL, incident=incident)


@pytest.mark.parametrize(
    ("outcome", "subject", "incident", "expected"),
    [
        (Outcome.FAILED, None, True, OPEN),
        (Outcome.DEGRADED, None, True, OPEN),
        (Outcome.STOPPED, None, True, OPEN),  # a route said this is an incident
        (Outcome.UNKNOWN, None, True, OPEN),
        (Outcome.FAILED, "stage Build", True, OPEN),  # a route made a stage an incident
        (Outcome.FAILED, None, False, None),  # a route said it is not
        (Outcome.RUNNING, None, True, None),
        (Outcome.SUCCEEDED, None, True, RESOLVE),
        (Outcome.SUCCEEDED, None, False, RESOLVE),
        (Outcome.SUCCEEDED, "stage Build", False, None),  # a part succeeding is no recovery
        (Outcome.RUNNING, None, False, None),
        (Outcome.STOPPED, None, False, None),
        (Outcome.DEGRADED, None, False, None),
    ],
)
def test_incident_change(
    outcome: Outcome, subject: str | None, incident: bool, expected: str | None
) -> None:
    found = incident_change(
        event(outcome=outcome, subject=subject), decision(incident), Config(), NOW
    )
    if expected is None:
        assert found is None
    elif expected == OPEN:
        assert found == IncidentChange(
            open=True, renotify_at=NOW + timedelta(minutes=30), note="churn-xgb-1"
        )
    else:
        recovered = event(outcome=outcome, subject=subject)
        assert found == resolving(recovery_note(recovered))
        assert found.note.startswith("recovered: churn-xgb-1 is ")


@pytest.mark.parametrize(
    ("settings", "renotify_at"),
    [
        ({"renotify_after": "5m", "max_renotify": 1}, NOW + timedelta(minutes=5)),
        ({"renotify_after": "2h", "max_renotify": 100}, NOW + timedelta(hours=2)),
        ({"renotify_after": "5m", "max_renotify": 0}, None),
    ],
)
def test_the_first_reminder_follows_the_config(
    settings: dict[str, object], renotify_at: datetime | None
) -> None:
    config = Config.model_validate({"incidents": settings})
    found = incident_change(event(), decision(True), config, NOW)
    assert found is not None and found.renotify_at == renotify_at


@pytest.mark.parametrize(
    ("kind", "status", "opens"),
    [
        (Kind.TRAINING_JOB, "Failed", True),
        (Kind.ENDPOINT, "FAILED", True),
        (Kind.ALARM, "ALARM", True),
        (Kind.CODEPIPELINE, "FAILED", True),
        (Kind.MODEL_MONITOR, "CompletedWithViolations", True),
        (Kind.ALARM, "INSUFFICIENT_DATA", False),
        (Kind.TRAINING_JOB, "Stopped", False),
    ],
)
def test_with_the_default_routes(kind: Kind, status: str, opens: bool) -> None:
    from bot.core.outcomes import outcome_of

    one = event(kind=kind, status=status, outcome=outcome_of(status))
    found = incident_change(one, route(one, Config()), Config(), NOW)
    assert (found is not None and found.open) == opens


def silence(pattern: str, number: int = 1) -> Silence:
    return Silence(number, pattern, "UADMIN", NOW, NOW + timedelta(hours=1), "C0MLPULSE")


@pytest.mark.parametrize(
    ("pattern", "name", "kind", "held"),
    [
        ("churn-*", "churn-xgb-1", Kind.TRAINING_JOB, True),
        ("churn-*", "fraud-churn", Kind.TRAINING_JOB, False),
        ("churn-xgb-1", "churn-xgb-1", Kind.TRAINING_JOB, True),
        ("churn-xgb-?", "churn-xgb-12", Kind.TRAINING_JOB, False),
        ("Churn-*", "churn-xgb-1", Kind.TRAINING_JOB, False),  # names are case-sensitive
        ("*", "anything", Kind.ENDPOINT, True),
        ("alarm", "ServerCpuTooHigh", Kind.ALARM, True),  # a kind
        ("kind:alarm", "ServerCpuTooHigh", Kind.ALARM, True),
        ("kind:alarm", "churn-xgb-1", Kind.TRAINING_JOB, False),
        ("alarm", "churn-xgb-1", Kind.TRAINING_JOB, False),
        ("kind:training_job", "churn-xgb-1", Kind.TRAINING_JOB, True),
        ("training", "churn-xgb-1", Kind.TRAINING_JOB, False),  # not a kind, not the name
        ("[!c]*", "churn-xgb-1", Kind.TRAINING_JOB, False),
        ("[!c]*", "fraud-1", Kind.TRAINING_JOB, True),
    ],
)
def test_silence_for(pattern: str, name: str, kind: Kind, held: bool) -> None:
    found = silence_for(event(name=name, kind=kind), [silence(pattern)])
    assert (found is not None) == held


def test_the_first_matching_silence_holds_it() -> None:
    silences = [silence("fraud-*", 1), silence("churn-*", 2), silence("*", 3)]
    found = silence_for(event(name="churn-xgb-1"), silences)
    assert found is not None and found.id == 2
    assert silence_for(event(name="churn-xgb-1"), []) is None
