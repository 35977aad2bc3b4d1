"""What a root message keeps when a newer event replaces the one it shows."""

from __future__ import annotations

from bot.core.events import Fact, Outcome
from bot.delivery.root_state import carry_over
from tests.unit.delivery.conftest import event

FAILED_ACTION = event(subject="Deploy / CreateChangeSet", reason="Stack is in ROLLBACK")


def test_a_bare_execution_failure_keeps_the_failed_part_and_its_reason() -> None:
    incoming = event(second=1)
    shown = carry_over(FAILED_ACTION, incoming)
    assert shown.reason == "Stack is in ROLLBACK"
    assert shown.facts[0] == Fact(label="Failed at", value="Deploy / CreateChangeSet")
    assert shown.id == incoming.id and shown.subject is None


def test_the_incoming_event_is_shown_as_it_is_otherwise() -> None:
    cases = [
        event(second=1, reason="its own reason"),  # says why itself
        event(second=1, subject="Build / Compile"),  # a part, not the whole execution
        event("Succeeded", Outcome.SUCCEEDED, second=1),  # not a failure
    ]
    for incoming in cases:
        assert carry_over(FAILED_ACTION, incoming) is incoming
    started = event("InProgress", Outcome.RUNNING, subject="Deploy / CreateChangeSet")
    bare = event(second=1)
    assert carry_over(started, bare) is bare  # the part shown had not failed
    assert carry_over(event(), bare) is bare  # the whole execution shown, no part
