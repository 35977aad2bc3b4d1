"""What a resource's root message shows when a newer event replaces the one it shows.

Which event is newer is bot.core.ordering's (the store uses it too); what the root keeps
from the state it replaces is delivery's alone.
"""

from __future__ import annotations

from bot.core.events import Event, Fact, Outcome


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
