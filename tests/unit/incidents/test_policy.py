"""What an event does to incidents, and which silence holds it back: tables of cases."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.config.models import Config
from bot.core.decision import Decision
from bot.core.events import Kind, Outcome, Severity
from bot.core.incident import Incident, Repeat, State
from bot.incidents.policy import incident_change, recovery_note, resolving, silence_for
from bot.intake.routing import route
from bot.store.records import IncidentChange, Notice, Silence
from tests.goldens import readable
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
        assert found is not None and found.repeated is not None
        assert replace(found, repeated=None) == IncidentChange(
            open=True,
            renotify_at=NOW + timedelta(minutes=30),
            note="churn-xgb-1",
            max_renotify=3,
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
    ("kind", "status", "opens", "subject"),
    [
        (Kind.TRAINING_JOB, "Failed", True, None),
        (Kind.ENDPOINT, "FAILED", True, None),
        (Kind.ALARM, "ALARM", True, None),
        (Kind.CODEPIPELINE, "FAILED", True, None),
        # A failure below the whole opens (or joins) the execution's incident too: a team
        # whose notification rule sends only action failures still gets one.
        (Kind.CODEPIPELINE, "FAILED", True, "stage Build"),
        (Kind.CODEPIPELINE, "FAILED", True, "action Build › Build"),
        (Kind.PIPELINE_EXECUTION, "Failed", True, "step Train"),
        (Kind.CODEBUILD, "FAILED", True, "phase BUILD"),
        (Kind.CODEPIPELINE, "SUCCEEDED", False, "action Build › Build"),
        (Kind.MODEL_MONITOR, "CompletedWithViolations", True, None),
        (Kind.ALARM, "INSUFFICIENT_DATA", False, None),
        (Kind.TRAINING_JOB, "Stopped", False, None),
    ],
)
def test_with_the_default_routes(kind: Kind, status: str, opens: bool, subject: str | None) -> None:
    from bot.core.outcomes import outcome_of

    one = event(kind=kind, status=status, outcome=outcome_of(status), subject=subject)
    found = incident_change(one, route(one, Config()), Config(), NOW)
    assert (found is not None and found.open) == opens


OPEN_INCIDENT = Incident(
    id=12,
    series="stepfunctions:123456789012:us-east-1:etl",
    key="stepfunctions:123456789012:us-east-1:etl/run-1",
    title="etl/run-1",
    state=State.OPEN,
    opened_at=NOW,
    updated_at=NOW,
    since=datetime(2026, 1, 1, 0, 10, tzinfo=UTC),
    failures=3,
    renotify_count=1,
)


def repeat_notice(reminder: bool, mention: str | None) -> Notice:
    later = event(name="etl/run-3", status="TIMED_OUT", kind=Kind.STEPFUNCTIONS, minute=150)
    routed = Decision("#mlpulse", Severity.CRITICAL, incident=True, mention=mention)
    found = incident_change(later, routed, Config(), NOW)
    assert found is not None and found.repeated is not None
    notice = found.repeated(Repeat(OPEN_INCIDENT, reminder))
    return replace(notice, text=readable(notice.text))  # the times as their UTC fallback


def test_a_repeat_failure_that_is_a_reminder_is_broadcast_with_the_mention() -> None:
    assert repeat_notice(True, "@here") == Notice(
        text="<!here> :rotating_light: Failed again: etl/run-3 is Timed out (02:30 UTC)."
        " Incident #12 has now failed 3 times since 00:10 UTC,"
        " still unacknowledged (reminder 1 of 3).",
        broadcast=True,
        refresh=True,
    )


def test_a_quiet_repeat_failure_is_a_thread_line_without_the_mention() -> None:
    assert repeat_notice(False, "@here") == Notice(
        text=":repeat: Failed again: etl/run-3 is Timed out (02:30 UTC)."
        " Incident #12 has now failed 3 times since 00:10 UTC.",
        refresh=True,
    )


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
