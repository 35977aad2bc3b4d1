"""What a resource's root message shows: the state of the whole resource, and the most
specific failure seen inside it.

CodePipeline tells *where* an execution broke in its parts' own events (the action says
which provider failed, with its error code, summary and a link to the CodeBuild build; the
stage says only that it failed; the execution's FAILED says nothing more); SageMaker
Pipelines steps and CodeBuild phases do the same. Those events arrive in any order and at
any level, so the root keeps two things: the newest state (bot.core.ordering decides, as
the store does) and the deepest failed part seen (`Event.failed_part`), whichever event
brought it. `displayed` draws the two as one alert: the resource's status with "Failed at",
the part's reason, facts and links.
"""

from __future__ import annotations

from bot.core.events import Event, Fact, FailedPart, Outcome
from bot.core.ordering import is_newer

# How deep inside its resource each kind of part sits: an action runs inside a stage, so
# its failure says more than its stage's. Any other part is one level down.
PART_DEPTH = {
    "CodePipeline Stage Execution State Change": 1,
    "CodePipeline Action Execution State Change": 2,
    "SageMaker Model Building Pipeline Execution Step Status Change": 1,
    "CodeBuild Build Phase Change": 1,
}
FAILED_AT = "Failed at"
OVERALL_REASON = "Overall reason"  # the whole's own reason, when its part gave another


def failed_part(event: Event) -> FailedPart | None:
    """What `event` says about where its resource failed, if it is a part that failed."""
    if event.subject is None or event.outcome != Outcome.FAILED:
        return None
    return FailedPart(
        subject=event.subject,
        depth=PART_DEPTH.get(event.detail_type or "", 1),
        time=event.time,
        reason=event.reason,
        facts=event.facts,
        links=event.links,
    )


def advanced(shown: Event, incoming: Event) -> Event | None:
    """The state the root should show once `incoming` arrives, or None if it stays as it is.

    A newer event becomes the state, keeping the deepest failure known (its own, when it is
    as deep: a retried action's second failure replaces the first). An older one changes the
    root only when it failed deeper than anything known: the order of the result is then
    higher by that depth alone (bot.core.ordering), so the store takes it too.
    """
    brought = failed_part(incoming)
    known = shown.failed_part or failed_part(shown)
    if is_newer(incoming, shown):
        deepest = known if brought is None or (known and known.depth > brought.depth) else brought
        if incoming.failed_part == deepest:
            return incoming  # as it is (most events: nothing failed), and not copied
        return incoming.model_copy(update={"failed_part": deepest})
    if brought is None or (known is not None and brought.depth <= known.depth):
        return None
    return shown.model_copy(update={"failed_part": brought})


def displayed(state: Event) -> Event:
    """The root's state as the alert draws it: a failed resource shows where it failed
    (the part as "Failed at", with the part's reason, facts and links it does not have);
    anything else, or the failed part itself, shows as it is."""
    part = state.failed_part
    if part is None or state.outcome != Outcome.FAILED or part.subject == state.subject:
        return state
    labels = {fact.label for fact in state.facts}
    urls = {link.url for link in state.links}
    facts = [
        Fact(label=FAILED_AT, value=part.subject),
        *(fact for fact in part.facts if fact.label not in labels),
        *state.facts,
    ]
    reason = state.reason
    if part.reason:
        if reason and reason != part.reason:
            facts.append(Fact(label=OVERALL_REASON, value=reason, long=True))
        reason = part.reason
    return state.model_copy(
        update={
            "facts": tuple(facts),
            "reason": reason,
            "links": (*state.links, *(link for link in part.links if link.url not in urls)),
        }
    )
