"""Which of two events about one resource is the state to show."""

from __future__ import annotations

from bot.core.events import Event
from bot.core.outcomes import finality


def order(event: Event) -> tuple[float, int, int]:
    """Events sort by their own time; at the same instant a final state beats a transient
    one, so `Completed` wins over an `InProgress` stamped the same second, and then news of
    the whole resource beats news of a part of it: CodePipeline stamps an execution's
    FAILED with the same second as the failed action's event that precedes it. Last, of one
    state, the one that knows more precisely where the resource failed (its failed part's
    depth, bot.delivery.root_state): a late action's failure still adds to the root."""
    depth = event.failed_part.depth if event.failed_part is not None else 0
    return event.time.timestamp(), 2 * finality(event.outcome) + (event.subject is None), depth


def is_newer(event: Event, shown: Event) -> bool:
    return order(event) > order(shown)
