"""A tuning job's tally of trials (bot.delivery.trial_tally): counted once each, the best
objective value by the tuning job's direction, kept in the root's facts and read back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.events import Event, Fact, Kind, Outcome
from bot.delivery.trial_tally import (
    BEST,
    RANGE,
    TRIALS,
    Tally,
    carry_tally,
    direction,
    showing,
    tally_of,
    with_trial,
)
from bot.kinds.trials import OBJECTIVE_LABEL

T0 = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
KEY = "tuning_job:123456789012:eu-west-1:fraud-hpo"
OUTCOMES = {
    "Completed": Outcome.SUCCEEDED,
    "Failed": Outcome.FAILED,
    "Stopped": Outcome.STOPPED,
    "InProgress": Outcome.RUNNING,
}


def tuning(status: str = "InProgress", goal: str | None = "Maximize validation:auc") -> Event:
    facts = (Fact(label="Objective", value=goal),) if goal else ()
    return Event(
        id=f"tuning-{status}",
        kind=Kind.TUNING_JOB,
        key=KEY,
        name="fraud-hpo",
        title="Tuning job",
        status=status,
        outcome=OUTCOMES[status],
        time=T0,
        facts=facts,
    )


def trial(n: int, status: str = "Completed", auc: float | None = None) -> Event:
    name = f"fraud-hpo-{n:03d}-0123abcd"
    facts = [Fact(label="Tuning job", value="fraud-hpo")]
    if auc is not None:
        facts.append(Fact(label=OBJECTIVE_LABEL, value=f"validation:auc = {auc}"))
    return Event(
        id=f"trial-{n}-{status}",
        kind=Kind.TRAINING_JOB,
        key=KEY,
        name=name,
        title="Training job",
        status=status,
        outcome=OUTCOMES[status],
        time=T0 + timedelta(minutes=n),
        subject=f"trial {name}",
        facts=tuple(facts),
    )


def facts(shown: Event) -> dict[str, str]:
    return {fact.label: fact.value for fact in shown.facts}


def test_each_end_is_counted_and_running_trials_change_nothing() -> None:
    shown = tuning()
    for n, status in enumerate(["InProgress", "Completed", "Failed", "Stopped", "Completed"]):
        shown = with_trial(shown, trial(n, status))
    assert facts(shown)[TRIALS] == "2 completed · 1 failed · 1 stopped"
    assert shown.id == "trial-4-Completed"  # the last trial counted
    assert (shown.kind, shown.status, shown.time) == (Kind.TUNING_JOB, "InProgress", T0)


@pytest.mark.parametrize(
    ("goal", "label", "value"),
    [
        ("Maximize validation:auc", BEST, "validation:auc = 0.93 (fraud-hpo-002-0123abcd)"),
        ("Minimize validation:auc", BEST, "validation:auc = 0.81 (fraud-hpo-001-0123abcd)"),
        (
            None,
            RANGE,
            "validation:auc from 0.81 (fraud-hpo-001-0123abcd) to 0.93 (fraud-hpo-002-0123abcd)",
        ),
    ],
)
def test_the_best_value_follows_the_tuning_job_s_direction(
    goal: str | None, label: str, value: str
) -> None:
    shown = tuning(goal=goal)
    for n, auc in [(0, 0.9), (1, 0.81), (2, 0.93), (3, 0.85)]:
        shown = with_trial(shown, trial(n, auc=auc))
    assert facts(shown)[label] == value
    assert tally_of(shown) is not None


def test_the_tally_reads_back_as_written() -> None:
    tally = Tally(3, 2, 1)
    for shown in (tuning(), tuning(goal=None)):
        assert tally_of(showing(shown, tally)) == tally
    ranged = showing(tuning(goal=None), Tally(1, 0, 0).counted(trial(7, auc=0.5)))
    read = tally_of(ranged)
    assert read is not None and read.low == read.high and read.metric == "validation:auc"


def test_a_range_becomes_the_best_once_the_direction_is_known() -> None:
    shown = tuning(goal=None)
    for n, auc in [(1, 0.81), (2, 0.93)]:
        shown = with_trial(shown, trial(n, auc=auc))
    final = carry_tally(shown, tuning("Completed", goal="Minimize validation:auc"))
    assert facts(final)[BEST] == "validation:auc = 0.81 (fraud-hpo-001-0123abcd)"
    assert RANGE not in facts(final)
    assert final.id == "tuning-Completed"  # the tuning job's own event, as delivered


def test_a_newer_tuning_event_keeps_the_trials_seen() -> None:
    shown = with_trial(with_trial(tuning(), trial(1, auc=0.9)), trial(2, "Failed"))
    final = carry_tally(shown, tuning("Completed"))
    assert facts(final)[TRIALS] == "1 completed · 1 failed · 0 stopped"
    assert facts(final)[BEST] == "validation:auc = 0.9 (fraud-hpo-001-0123abcd)"
    assert final.status == "Completed"


def test_without_trials_or_for_other_kinds_nothing_is_carried() -> None:
    plain = tuning("Completed")
    assert carry_tally(tuning(), plain) is plain
    shown = with_trial(tuning(), trial(1))
    other = trial(5, "Failed").model_copy(update={"kind": Kind.TRAINING_JOB})
    assert carry_tally(shown, other) is other


def test_another_metric_does_not_count_toward_the_best() -> None:
    shown = with_trial(tuning(), trial(1, auc=0.9))
    odd = trial(2).model_copy(
        update={"facts": (Fact(label=OBJECTIVE_LABEL, value="train:loss = 0.01"),)}
    )
    shown = with_trial(shown, odd)
    assert facts(shown)[BEST] == "validation:auc = 0.9 (fraud-hpo-001-0123abcd)"
    assert facts(shown)[TRIALS] == "2 completed · 0 failed · 0 stopped"


def test_facts_not_written_here_read_as_no_scores() -> None:
    shown = tuning().model_copy(
        update={
            "facts": (
                Fact(label=TRIALS, value="4 completed · 0 failed · 0 stopped"),
                Fact(label=BEST, value="validation:auc = many (x)"),
            )
        }
    )
    assert tally_of(shown) == Tally(4, 0, 0)
    assert tally_of(tuning()) is None


def test_the_direction_is_the_tuning_job_s_own_say() -> None:
    assert direction(tuning(goal="Maximize validation:auc")) is True
    assert direction(tuning(goal="Minimize loss")) is False
    assert direction(tuning(goal=None)) is None
    assert direction(trial(1)) is None
