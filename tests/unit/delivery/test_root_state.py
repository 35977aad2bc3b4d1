"""What a root message shows: the newest state of the whole, with the deepest failure seen
inside it, whatever order and level its events arrive in (bot.delivery.root_state)."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import permutations

import pytest

from bot.core.events import Event, Fact, Link, Outcome
from bot.core.ordering import order
from bot.delivery.root_state import FAILED_AT, OVERALL_REASON, advanced, displayed, failed_part
from tests.unit.delivery.conftest import event

ACTION_TYPE = "CodePipeline Action Execution State Change"
STAGE_TYPE = "CodePipeline Stage Execution State Change"
DETAILS = Link(label="Details", url="https://console.aws.amazon.com/codebuild/home#/builds/b1")
CONSOLE = Link(label="Console", url="https://console.aws.amazon.com/codesuite/codepipeline/x")


def part(
    subject: str,
    detail_type: str,
    second: int = 0,
    reason: str | None = None,
    facts: Sequence[Fact] = (),
    links: Sequence[Link] = (CONSOLE,),
    status: str = "Failed",
) -> Event:
    outcome = Outcome.FAILED if status == "Failed" else Outcome.RUNNING
    return event(status, outcome, subject=subject, reason=reason, second=second).model_copy(
        update={"detail_type": detail_type, "facts": tuple(facts), "links": tuple(links)}
    )


def action(second: int = 0) -> Event:
    return part(
        "action Build › Build",
        ACTION_TYPE,
        second,
        reason="Build terminated with state: FAILED",
        facts=(
            Fact(label="Execution", value="exec-1"),
            Fact(label="Provider", value="CodeBuild"),
            Fact(label="Error code", value="JobFailed"),
        ),
        links=(CONSOLE, DETAILS),
    )


def stage(second: int = 0) -> Event:
    return part("stage Build", STAGE_TYPE, second, facts=(Fact(label="Execution", value="exec-1"),))


def pipeline(second: int = 0, status: str = "Failed", reason: str | None = None) -> Event:
    outcome = Outcome.FAILED if status == "Failed" else Outcome.SUCCEEDED
    return event(status, outcome, reason=reason, second=second).model_copy(
        update={
            "detail_type": "CodePipeline Pipeline Execution State Change",
            "facts": (Fact(label="Execution", value="exec-1"),),
            "links": (CONSOLE,),
        }
    )


def delivered(events: Sequence[Event]) -> Event:
    """The state a root ends on when `events` arrive in this order, checking on the way
    that every change the root takes is one the store takes too (its order rises)."""
    shown = events[0]
    for incoming in events[1:]:
        moved = advanced(shown, incoming)
        if moved is not None:
            assert order(moved) > order(shown), (moved, shown)
            shown = moved
    return shown


def facts_of(state: Event) -> dict[str, str]:
    return {fact.label: fact.value for fact in displayed(state).facts}


TIMINGS = {
    "same second": {"action": 0, "stage": 0, "pipeline": 0},  # as CodePipeline stamps them
    "a second apart": {"action": 0, "stage": 1, "pipeline": 2},
}


@pytest.mark.parametrize("timing", sorted(TIMINGS))
@pytest.mark.parametrize("arrival", list(permutations(["action", "stage", "pipeline"])))
def test_every_order_ends_on_the_failed_execution_showing_the_failed_action(
    arrival: tuple[str, ...], timing: str
) -> None:
    made = {"action": action, "stage": stage, "pipeline": pipeline}
    seconds = TIMINGS[timing]
    shown = displayed(delivered([made[name](seconds[name]) for name in arrival]))

    assert shown.subject is None and shown.status == "Failed"  # the execution's own state
    assert shown.facts[0] == Fact(label=FAILED_AT, value="action Build › Build")
    facts = facts_of(shown)
    assert (facts["Provider"], facts["Error code"], facts["Execution"]) == (
        "CodeBuild",
        "JobFailed",
        "exec-1",
    )
    assert list(facts).count("Execution") == 1
    assert shown.reason == "Build terminated with state: FAILED"
    assert shown.links == (CONSOLE, DETAILS)


def test_a_stage_without_its_action_is_where_it_failed() -> None:
    for events in ([stage(), pipeline()], [pipeline(), stage()]):
        shown = displayed(delivered(events))
        assert shown.status == "Failed" and shown.subject is None
        assert shown.facts[0] == Fact(label=FAILED_AT, value="stage Build")
        assert shown.reason is None and shown.links == (CONSOLE,)


def test_an_action_alone_shows_as_itself() -> None:
    shown = displayed(delivered([action()]))
    assert shown.subject == "action Build › Build"
    assert FAILED_AT not in facts_of(shown)  # its headline and Part say so already
    assert shown.links == (CONSOLE, DETAILS)


def test_a_sagemaker_pipeline_step_is_the_same_shape() -> None:
    step = part(
        "step Train",
        "SageMaker Model Building Pipeline Execution Step Status Change",
        reason="ClientError: AlgorithmError: OOM",
        facts=(Fact(label="Runs", value="TrainingJob: churn-train-1"),),
    )
    execution = event(reason="Step failure: One or multiple steps failed.", second=3)
    for events in ([step, execution], [execution, step]):
        shown = displayed(delivered(events))
        assert shown.reason == "ClientError: AlgorithmError: OOM"
        facts = facts_of(shown)
        assert facts[FAILED_AT] == "step Train"
        assert facts["Runs"] == "TrainingJob: churn-train-1"
        assert facts[OVERALL_REASON] == "Step failure: One or multiple steps failed."


def test_a_late_part_changes_nothing_it_does_not_deepen() -> None:
    root = delivered([action(), pipeline()])
    assert advanced(root, stage()) is None  # shallower than the action already known
    assert advanced(root, action()) is None  # the same failure again
    started = part("action Build › Build", ACTION_TYPE, status="InProgress")
    assert advanced(root, started) is None  # not a failure
    assert advanced(action(), stage()) is None  # the shown action says more already


def test_a_newer_state_keeps_the_failure_and_a_success_does_not_show_it() -> None:
    failed = delivered([action(), pipeline(1)])
    succeeded = advanced(failed, pipeline(5, status="Succeeded"))
    assert succeeded is not None and succeeded.failed_part == failed_part(action())
    assert displayed(succeeded) == succeeded  # a success says nothing of where it failed


def test_a_retried_action_failing_again_replaces_the_first_failure() -> None:
    second = action(10).model_copy(update={"reason": "Build terminated again"})
    shown = displayed(delivered([action(), pipeline(1), second, pipeline(12)]))
    assert shown.reason == "Build terminated again"


def test_the_whole_keeps_its_own_reason_when_the_part_gave_none() -> None:
    shown = displayed(delivered([stage(), pipeline(1, reason="Build: JobFailed")]))
    assert shown.reason == "Build: JobFailed"
    assert OVERALL_REASON not in facts_of(shown)


def test_failed_part_is_read_from_failed_parts_only() -> None:
    assert failed_part(pipeline()) is None
    assert failed_part(part("stage Build", STAGE_TYPE, status="InProgress")) is None
    found = failed_part(action(4))
    assert found is not None
    assert (found.subject, found.depth, found.time) == ("action Build › Build", 2, action(4).time)
    assert failed_part(part("phase BUILD", "CodeBuild Build Phase Change")).depth == 1  # type: ignore[union-attr]
    assert failed_part(part("some part", "Something Else")).depth == 1  # type: ignore[union-attr]
