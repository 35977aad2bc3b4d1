"""Which of two events about one resource is the state to show, and what a root message
keeps from the state it replaces."""

from __future__ import annotations

from bot.core.events import Event, Fact, Outcome
from bot.core.outcomes import finality


def order(event: Event) -> tuple[float, int]:
    """Events sort by their own time; at the same instant a final state beats a transient
    one, so `Completed` wins over an `InProgress` stamped the same second, and then news of
    the whole resource beats news of a part of it: CodePipeline stamps an execution's
    FAILED with the same second as the failed action's event that precedes it."""
    return event.time.timestamp(), 2 * finality(event.outcome) + (event.subject is None)


def is_newer(event: Event, shown: Event) -> bool:
    return order(event) > order(shown)


def carry_over(shown: Event, incoming: Event) -> Event:
    """The state a root message should show when `incoming` replaces `shown`.

    CodePipeline and SageMaker Pipelines announce *which* action or step failed in the
    part's own event; the execution's FAILED event that follows says only FAILED. The root
    keeps the failed part and its reason so the message still answers "where did it break".
    """
    if (
        incoming.subject is None
        and incoming.outcome == Outcome.FAILED
        and not incoming.reason
        and shown.subject is not None
        and shown.outcome == Outcome.FAILED
    ):
        return incoming.model_copy(
            update={
                "reason": shown.reason,
                "facts": (Fact(label="Failed at", value=shown.subject), *incoming.facts),
            }
        )
    return incoming
