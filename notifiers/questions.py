"""Buttons on an alert that ask mlpulse about the resource it shows: "Details" of a job,
"Metrics" of a training job, "Health" of an endpoint, "Why?" of a feature attribution
drift. Each carries the `/mlpulse` line it stands for (`job churn-xgb-7 --account prod
--region eu-west-1`), so the answer comes from the resource's own account and region, and a
click is run as that line typed by the clicker: same permissions, same answer, privately
(bot.ingress.slack.asks). One table: what each kind may be asked, and with which name.

A line is offered only for a name made of the characters AWS allows in these names, so
nothing from an event can add words or flags to it. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.core.decision import Decision
from bot.core.events import Event, Kind
from notifiers import limits

Payload = dict[str, object]
ASK_PREFIX = "ask-"  # action ids `ask-0`, `ask-1`...: unique within the actions block
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,254}$")
_EXPLAINABILITY = "ModelExplainability"


def _monitor(event: Event) -> list[tuple[str, str, str | None]]:
    """A Model Monitor execution: its endpoint's drift report; for a feature attribution
    monitor that report is the answer to "why" (its attributions, baseline → current)."""
    label = "Why?" if event.fact("Monitor") == _EXPLAINABILITY else "Drift report"
    return [(label, "drift", event.fact("Endpoint"))]


def _job(event: Event) -> list[tuple[str, str, str | None]]:
    return [("Details", "job", event.name)]


# kind -> what may be asked: (button text, subcommand, the name it is asked about)
_QUESTIONS: dict[Kind, Callable[[Event], list[tuple[str, str, str | None]]]] = {
    Kind.TRAINING_JOB: lambda e: [("Details", "job", e.name), ("Metrics", "metrics", e.name)],
    Kind.TUNING_JOB: _job,
    Kind.PROCESSING_JOB: _job,
    Kind.TRANSFORM_JOB: _job,
    Kind.LABELING_JOB: _job,
    Kind.ENDPOINT: lambda e: [("Health", "endpoint", e.name)],
    Kind.CODEPIPELINE: lambda e: [("Runs", "pipeline", e.name)],
    Kind.PIPELINE_EXECUTION: lambda e: [("Runs", "pipeline", e.name)],
    Kind.MODEL_MONITOR: _monitor,
}


def question_lines(event: Event, decision: Decision) -> list[tuple[str, str]]:
    """(button text, `/mlpulse` line) for each question the alert's resource may be asked."""
    if event.is_trial:  # a trial's key is its tuning job's: ask about the tuning job
        return []
    where = ""
    if decision.account_alias:
        where += f" --account {decision.account_alias}"
    if event.region and _SAFE_NAME.match(event.region):
        where += f" --region {event.region}"
    ask = _QUESTIONS.get(event.kind)
    asked = ask(event) if ask is not None else []
    return [
        (label, f"{command} {name}{where}")
        for label, command, name in asked
        if name and _SAFE_NAME.match(name)
    ]


def question_buttons(event: Event, decision: Decision) -> list[Payload]:
    return [
        {
            "type": "button",
            "text": {"type": "plain_text", "text": label[: limits.BUTTON_TEXT]},
            "action_id": f"{ASK_PREFIX}{index}",
            "value": line,
        }
        for index, (label, line) in enumerate(question_lines(event, decision))
    ]
