"""Where an event goes, how loud, and whether it opens an incident: routing's answer, kept
with every alert and root message, and the defaults that apply when no rule decides."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.events import Event, Kind, Outcome, Severity

INITIATOR = "Initiator"  # a CodeBuild build's fact: who started it (bot.kinds.devtools)


@dataclass(frozen=True)
class Decision:
    channel: str
    severity: Severity
    incident: bool
    mention: str | None = None  # the route's; shown where it belongs (notifiers.render)
    mention_always: bool = False  # on every alert of the route, not only incidents
    digest: bool = False  # a routine new resource is a line of the channel's day digest
    rule: int | None = None  # index of the deciding route; None for the defaults
    account_alias: str | None = None  # the event's account as the config names it (`prod`)

    @staticmethod
    def default(event: Event, channel: str, account_alias: str | None = None) -> Decision:
        """What an event gets when no route decides: its status says how loud it is."""
        return Decision(
            channel,
            default_severity(event),
            default_incident(event),
            account_alias=account_alias,
        )


def default_severity(event: Event) -> Severity:
    if event.outcome == Outcome.FAILED:
        return Severity.CRITICAL
    if event.outcome == Outcome.DEGRADED:
        return Severity.WARNING
    return Severity.INFO


def default_incident(event: Event) -> bool:
    """A failure at any level opens (or joins) its series' incident: a failed stage, action
    or step as much as the execution's own FAILED, which may never come (a notification rule
    that sends only action failures). They share the execution's root, and the store keeps
    one incident per series, so the levels of one failure make one incident.

    Two failures are parts of something else's, and open nothing of their own:
    - a failed trial of a tuning job: trials failing on some hyperparameters is the search
      at work, shown in the tuning job's thread; the tuning job's own failure is what opens
      the incident;
    - a failed build that a pipeline ran (its initiator is `codepipeline/<pipeline>`): the
      pipeline's action fails with it and opens the pipeline's incident, with the build's id,
      link and log tail; a second incident for the one failure would page twice. A route
      with `incident: true` for `codebuild` opens one anyway (a team that is sent only
      CodeBuild's events)."""
    if event.outcome == Outcome.FAILED:
        return not (event.is_trial or run_by_pipeline(event))
    return event.outcome == Outcome.DEGRADED and event.kind == Kind.MODEL_MONITOR


def run_by_pipeline(event: Event) -> bool:
    """A CodeBuild build a CodePipeline action started."""
    initiator = event.fact(INITIATOR) or ""
    return event.kind is Kind.CODEBUILD and initiator.startswith("codepipeline/")
