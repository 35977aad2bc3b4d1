"""The question buttons' lines (notifiers/questions.py): what each kind may be asked, where
(the account's alias and the event's region), and nothing from an unsafe name."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.core.decision import Decision
from bot.core.events import Event, Fact, Kind, Outcome
from notifiers.questions import question_buttons, question_lines
from notifiers.render import render_alert

AT = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)


def event(kind: Kind, name: str, key: str | None = None, **changes: object) -> Event:
    fields: dict[str, object] = {
        "id": "e1",
        "kind": kind,
        "key": key or f"{kind}:{name}",
        "name": name,
        "title": "Thing",
        "status": "Failed",
        "outcome": Outcome.FAILED,
        "time": AT,
        "region": "eu-west-1",
    }
    return Event.model_validate(fields | changes)


def decision(alias: str | None = None) -> Decision:
    return Decision.default(event(Kind.TRAINING_JOB, "any"), "#ml", account_alias=alias)


def test_a_training_job_asks_details_and_metrics_in_its_account_and_region() -> None:
    assert question_lines(event(Kind.TRAINING_JOB, "churn-1"), decision("prod")) == [
        ("Details", "job churn-1 --account prod --region eu-west-1"),
        ("Metrics", "metrics churn-1 --account prod --region eu-west-1"),
    ]


@pytest.mark.parametrize(
    ("kind", "first"),
    [
        (Kind.ENDPOINT, ("Health", "endpoint x --region eu-west-1")),
        (Kind.CODEPIPELINE, ("Runs", "pipeline x --region eu-west-1")),
        (Kind.PROCESSING_JOB, ("Details", "job x --region eu-west-1")),
    ],
)
def test_each_kind_asks_its_own_question(kind: Kind, first: tuple[str, str]) -> None:
    assert question_lines(event(kind, "x"), decision())[0] == first


def test_a_feature_attribution_monitor_asks_why() -> None:
    facts = (Fact(label="Monitor", value="ModelExplainability"), Fact(label="Endpoint", value="p"))
    monitor = event(Kind.MODEL_MONITOR, "sched", facts=facts)
    assert question_lines(monitor, decision()) == [("Why?", "drift p --region eu-west-1")]
    quality = monitor.model_copy(update={"facts": (Fact(label="Endpoint", value="p"),)})
    assert question_lines(quality, decision())[0][0] == "Drift report"


@pytest.mark.parametrize("name", ["a b", "x --account evil", "<!channel>", "-flag", ""])
def test_a_name_that_could_change_the_line_gets_no_button(name: str) -> None:
    assert question_buttons(event(Kind.TRAINING_JOB, name or "?"), decision()) == []


def test_a_trial_asks_nothing_of_its_own() -> None:
    trial = event(Kind.TRAINING_JOB, "hpo-001-0a1b2c3d", key=f"{Kind.TUNING_JOB}:hpo")
    assert question_lines(trial, decision()) == []


def test_buttons_carry_their_line_under_unique_action_ids() -> None:
    buttons = question_buttons(event(Kind.TRAINING_JOB, "j"), decision())
    assert [(b["action_id"], b["value"]) for b in buttons] == [
        ("ask-0", "job j --region eu-west-1"),
        ("ask-1", "metrics j --region eu-west-1"),
    ]


def test_facts_beyond_the_first_ten_are_shown_too() -> None:
    """Beside the buttons in the alert: a merge once put them under `if event.approval`."""
    facts = tuple(Fact(label=f"Fact {n}", value=str(n)) for n in range(14))
    shown = str(render_alert(event(Kind.TRAINING_JOB, "j", facts=facts), decision()))
    assert all(f"Fact {n}" in shown for n in range(14))
