"""Failures as a responder meets them (issue 14, items 1-3), end to end: a started App, AWS
events through its pipeline in every order they may arrive, Slack played by the fake Web API
over real HTTP, clicks as signed requests, time by the fake clock.

1. A root keeps where its execution broke: the failed action's name, reason, provider, error
   code and Details link, whatever order and level the events come in.
2. A failure at any level opens (or joins) the execution's incident.
3. Another run of the series failing while its incident is unresolved shows on its own
   message (which incident it is part of) and on the incident's (how often, since when, a
   thread line), and is a reminder at once while nobody holds the incident.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from itertools import permutations
from pathlib import Path
from typing import Any

import pytest

from bot.core.incident import State
from tests.fakes.slack_api import Message
from tests.goldens import readable
from tests.scenarios.conftest import MakeApp, sample
from tests.scenarios.test_incidents_support import (
    ACK,
    CHANNEL,
    Harness,
    blocks_of,
    incident_controls,
    incident_line,
)

REAL = Path(__file__).parents[1] / "fixtures" / "real" / "events"
START = datetime(2020, 1, 31, 18, 55, tzinfo=UTC)
BUILD_URL = (
    "https://console.aws.amazon.com/codebuild/home?region=us-west-2"
    "#/builds/myPipeline-build:86a1cd00-9509-4929-ac8b-7d3a8c10c2bc/view/new"
)


@pytest.fixture
def h(make_app: MakeApp) -> Harness:
    return make_app()


# --- events of one CodePipeline execution, as EventBridge sends them


def codepipeline(level: str, execution: str = "exec-1", minute: int = 0) -> dict[str, Any]:
    """The failure of `execution` of myPipeline at `level` (action, stage or pipeline): the
    action's at :40, its stage's at :42, the execution's at :43, `minute` minutes after
    18:55."""
    at = {"action": 40, "stage": 42, "pipeline": 43}[level]
    common = {
        "id": f"{execution}-{level}-failed",
        "time": f"{START + timedelta(minutes=minute, seconds=at):%Y-%m-%dT%H:%M:%SZ}",
        "detail.execution-id": execution,
    }
    if level == "action":
        return sample(
            "codepipeline-action-execution-state-change-failed-codedeploy",
            {
                **common,
                "detail.stage": "Build",
                "detail.action": "Build",
                "detail.type.provider": "CodeBuild",
                "detail.type.category": "Build",
                "detail.execution-result.external-execution-url": BUILD_URL,
                "detail.execution-result.external-execution-summary": (
                    "Build terminated with state: FAILED"
                ),
                "detail.execution-result.external-execution-id": "myPipeline-build:86a1cd00",
            },
        )
    if level == "stage":
        return sample(
            "codepipeline-stage-execution-state-change-started",
            {
                **common,
                "region": "us-west-2",
                "resources": ["arn:aws:codepipeline:us-west-2:123456789012:myPipeline"],
                "detail.stage": "Build",
                "detail.state": "FAILED",
            },
        )
    return sample("codepipeline-pipeline-execution-state-change-failed", common)


def arrive(h: Harness, *documents: dict[str, Any]) -> None:
    """Each document received and delivered in turn, a few seconds apart."""
    for document in documents:
        assert h.submit(document) == 1
        h.deliver()
        h.clock.advance(5)


def key_of(h: Harness, document: dict[str, Any]) -> str:
    (event,) = h.events(document)
    return event.key


def buttons(message: Message) -> dict[str, str]:
    """The message's link buttons: label -> URL."""
    return {
        element["text"]["text"]: element["url"]
        for block in blocks_of(message)
        if block["type"] == "actions"
        for element in block["elements"]
        if "url" in element
    }


def fields(message: Message) -> dict[str, str]:
    """The message's fields: label -> value (`*Label*\\nvalue`)."""
    found = {}
    for block in blocks_of(message):
        for field in block.get("fields") or []:
            label, _, value = field["text"].partition("\n")
            found[label.strip("*")] = value
    return found


def header(message: Message) -> str:
    (text,) = [b["text"]["text"] for b in blocks_of(message) if b["type"] == "header"]
    return str(text)


def thread_texts(h: Harness, key: str) -> list[str]:
    return [readable(m.text or "") for m in h.thread(key)]


def broadcasts(h: Harness) -> list[str]:
    return [
        readable(c.args["text"])
        for c in h.fake.calls("chat.postMessage")
        if c.args.get("reply_broadcast")
    ]


# --- 1 and 2: one execution's failure, in every order


@pytest.mark.parametrize(
    "arrival", list(permutations(["action", "stage", "pipeline"])), ids="-".join
)
def test_the_root_shows_the_failed_action_in_every_order(
    h: Harness, arrival: tuple[str, ...]
) -> None:
    documents = [codepipeline(level) for level in arrival]
    key = key_of(h, documents[0])
    arrive(h, *documents)

    (root,) = h.fake.roots(CHANNEL)
    assert root.ts == h.root(key).ts
    assert header(root) == ":red_circle: CodePipeline Failed: myPipeline"  # the execution's
    shown = fields(root)
    assert shown["Failed at"] == "action Build › Build"
    assert (shown["Provider"], shown["Error code"]) == ("CodeBuild", "JobFailed")
    assert "Build terminated with state: FAILED" in root.all_text()
    assert buttons(root)["Details"] == BUILD_URL
    assert len(h.thread(key)) == 2  # the other two levels, told in its thread
    # One failure, one incident, on the execution's root, whichever level came first.
    (incident,) = h.store.unresolved_incidents()
    assert (incident.id, incident.key, incident.failures) == (1, key, 1)
    assert incident_line(root) == ":rotating_light: *Incident #1* · open since 03:00 UTC"
    assert ACK in incident_controls(root)
    assert [a["action"] for a in h.store.audit(1)] == ["open"]
    assert not any("Failed again" in text for text in thread_texts(h, key))


def test_a_late_failed_action_says_the_root_now_shows_where_it_failed(h: Harness) -> None:
    pipeline, action = codepipeline("pipeline", minute=5), codepipeline("action", minute=1)
    key = key_of(h, pipeline)
    arrive(h, pipeline, action)

    (root,) = h.fake.roots(CHANNEL)
    assert fields(root)["Failed at"] == "action Build › Build"
    (reply,) = [readable(message.all_text()) for message in h.thread(key)]
    assert "Arrived after a newer update; the message above now also shows where it failed" in (
        reply
    )
    assert "keeps the newer state" not in reply


@pytest.mark.parametrize("arrival", [("stage", "pipeline"), ("pipeline", "stage")], ids="-".join)
def test_a_failed_stage_without_its_action_is_where_it_broke(
    h: Harness, arrival: tuple[str, ...]
) -> None:
    arrive(h, *(codepipeline(level) for level in arrival))

    (root,) = h.fake.roots(CHANNEL)
    assert header(root) == ":red_circle: CodePipeline Failed: myPipeline"
    assert fields(root)["Failed at"] == "stage Build"
    assert incident_line(root) == ":rotating_light: *Incident #1* · open since 03:00 UTC"
    assert len(h.store.unresolved_incidents()) == 1


def test_a_rule_that_sends_only_action_failures_still_opens_an_incident(h: Harness) -> None:
    """A CodePipeline notification rule's action failure, as a team published it: nothing
    else of the execution ever arrives."""
    document = json.loads(
        (REAL / "017-codepipeline-action-failed-codebuild-notification-rule.json").read_text()
    )
    key = key_of(h, document)
    arrive(h, document)

    (root,) = h.fake.roots(CHANNEL)
    assert header(root) == ":red_circle: CodePipeline Failed: sin-dev · action build › Build"
    assert buttons(root)["Details"].startswith("https://console.aws.amazon.com/codebuild/")
    assert "Build terminated with state: FAILED" in root.all_text()
    (incident,) = h.store.unresolved_incidents()
    assert (incident.key, incident.title) == (key, "sin-dev")
    assert ACK in incident_controls(root)


def sagemaker_pipeline(level: str) -> dict[str, Any]:
    if level == "step":
        return sample(
            "sagemaker-pipeline-step-status-change-succeeded",
            {
                "detail.currentStepStatus": "Failed",
                "detail.FailureReason": "ClientError: AlgorithmError: data has no label column",
            },
        )
    return sample(
        "sagemaker-pipeline-execution-status-change-succeeded",
        {
            "detail.currentPipelineExecutionStatus": "Failed",
            "detail.failureReason": "Step failure: One or multiple steps failed.",
        },
    )


@pytest.mark.parametrize("arrival", [("step", "execution"), ("execution", "step")], ids="-".join)
def test_a_sagemaker_pipeline_keeps_its_failed_step_in_both_orders(
    h: Harness, arrival: tuple[str, ...]
) -> None:
    arrive(h, *(sagemaker_pipeline(level) for level in arrival))

    (root,) = h.fake.roots(CHANNEL)
    assert header(root) == ":red_circle: SageMaker pipeline Failed: myPipeline-123"
    assert fields(root)["Failed at"] == "step myprocessingstep1"
    text = root.all_text()
    assert "ClientError: AlgorithmError: data has no label column" in text
    assert "Step failure: One or multiple steps failed." in text  # the execution's own, kept
    assert incident_line(root) == ":rotating_light: *Incident #1* · open since 03:00 UTC"
    assert len(h.store.unresolved_incidents()) == 1


# --- 3: another run fails while the incident is unresolved


def state_machine_run(name: str, hour: int) -> dict[str, Any]:
    """Execution `name` of the state machine `etl` timing out at HH:00 (hour `hour`)."""
    arn = f"arn:aws:states:us-east-1:123456789012:execution:etl:{name}"
    return sample(
        "stepfunctions-execution-status-change-timed-out",
        {
            "id": f"sfn-{name}",
            "time": f"2026-11-25T{hour:02d}:00:00Z",
            "resources": [arn],
            "detail.executionArn": arn,
            "detail.stateMachineArn": "arn:aws:states:us-east-1:123456789012:stateMachine:etl",
            "detail.name": name,
        },
    )


@pytest.mark.parametrize("arrival", [("run-a", "run-b"), ("run-b", "run-a")], ids="-".join)
def test_a_second_timed_out_execution_joins_the_open_incident(
    make_app: MakeApp, arrival: tuple[str, str]
) -> None:
    h = make_app(routes=[{"match": {"kind": "stepfunctions"}, "mention": "@here"}])
    hours = {"run-a": 2, "run-b": 3}  # run-a timed out first; either may be told first
    first, second = (state_machine_run(name, hours[name]) for name in arrival)
    arrive(h, first)
    h.clock.advance(600 - 5)  # 03:10
    arrive(h, second)

    (incident,) = h.store.unresolved_incidents()
    opener, joiner = key_of(h, first), key_of(h, second)
    assert (incident.id, incident.key, incident.failures) == (1, opener, 2)
    assert incident.last_failure_at is not None and f"{incident.last_failure_at:%H:%M}" == "03:00"
    assert len(h.fake.roots(CHANNEL)) == 2
    # On its own message: which incident it is part of, no controls of its own.
    joined = h.root_message(joiner)
    assert incident_line(joined) == (
        ":link: Part of *incident #1*, opened 03:00 UTC · its state and buttons are on its first"
        " message"
    )
    assert incident_controls(joined) == {}
    # On the incident: the count on its root, and a line in its thread that is a reminder.
    assert incident_line(h.root_message(opener)) == (
        ":rotating_light: *Incident #1* · open since 03:00 UTC, reminded 1× · "
        "failed 2 times, last at 03:00 UTC"
    )
    name = f"etl/{arrival[1]}"
    line = (
        f"<!here> :rotating_light: Failed again: {name} is Timed out "
        f"({hours[arrival[1]]:02d}:00 UTC). Incident #1 has now failed 2 times since "
        "02:00 UTC, still unacknowledged (reminder 1 of 3)."  # the first failure, told late or not
    )
    assert thread_texts(h, opener) == [line]
    assert broadcasts(h) == [line]
    assert thread_texts(h, joiner) == []
    assert [a["action"] for a in h.store.audit(1)] == ["open", "failed_again"]


def test_a_repeat_failure_counts_as_a_reminder_and_moves_the_next(h: Harness) -> None:
    opener = key_of(h, state_machine_run("run-a", 2))
    arrive(h, state_machine_run("run-a", 2))  # opened at 03:00: reminder due at 03:30
    h.clock.advance(600 - 5)
    arrive(h, state_machine_run("run-b", 3))  # 03:10: a reminder now, the next at 03:40

    h.clock.advance(20 * 60 - 5)  # 03:30
    assert h.app.incidents.tick() == 0
    h.clock.advance(600)  # 03:40
    assert h.app.incidents.tick() == 1
    h.deliver()

    texts = thread_texts(h, opener)
    assert len(texts) == 2 and len(broadcasts(h)) == 2  # both lines are reminders
    assert texts[0].startswith(":rotating_light: Failed again: etl/run-b is Timed out")
    assert texts[0].endswith("still unacknowledged (reminder 1 of 3).")
    assert texts[1] == (
        ":rotating_light: Still unacknowledged (reminder 2 of 3): incident #1, etl/run-a."
    )
    assert h.incident(1).renotify_count == 2


def test_an_acknowledged_incident_hears_of_a_repeat_quietly(h: Harness) -> None:
    opener = key_of(h, state_machine_run("run-a", 2))
    arrive(h, state_machine_run("run-a", 2))
    h.click(ACK, "1", key=opener, user="U1")
    h.wait_for(lambda: h.incident(1).state == State.ACKNOWLEDGED)
    h.deliver()
    h.clock.advance(600)

    arrive(h, state_machine_run("run-b", 3))

    incident = h.incident(1)
    assert (incident.state, incident.actor, incident.renotify_count) == (
        State.ACKNOWLEDGED,
        "U1",
        0,
    )
    assert incident_line(h.root_message(opener)) == (
        ":eyes: *Incident #1* · acknowledged by <@U1> at 03:00 UTC · "
        "failed 2 times, last at 03:00 UTC"
    )
    assert thread_texts(h, opener)[-1] == (
        ":repeat: Failed again: etl/run-b is Timed out (03:00 UTC)."
        " Incident #1 has now failed 2 times since 02:00 UTC."
    )
    assert broadcasts(h) == []


@pytest.mark.parametrize(
    "arrival", [("action", "stage", "pipeline"), ("pipeline", "stage", "action")], ids="-".join
)
def test_another_execution_failing_at_every_level_is_one_repeat(
    h: Harness, arrival: tuple[str, ...]
) -> None:
    arrive(h, codepipeline("pipeline", "exec-1"))
    opener = key_of(h, codepipeline("pipeline", "exec-1"))
    second = [codepipeline(level, "exec-2", minute=10) for level in arrival]
    joiner = key_of(h, second[0])
    arrive(h, *second)

    incident = h.incident(1)
    assert (incident.key, incident.failures, incident.renotify_count) == (opener, 2, 1)
    again = [t for t in thread_texts(h, opener) if "Failed again" in t]
    assert len(again) == 1
    told = "myPipeline" if arrival[0] == "pipeline" else "myPipeline · action Build › Build"
    assert f"Failed again: {told} is Failed (19:05 UTC)." in again[0]  # its first news
    root = h.root_message(joiner)
    assert fields(root)["Failed at"] == "action Build › Build"  # item 1 on the repeat too
    line = incident_line(root)
    assert line is not None and line.startswith(":link: Part of *incident #1*")
    assert [a["action"] for a in h.store.audit(1)] == ["open", "failed_again"]
