"""What an accepted event does to incidents, and whether a silence holds it back. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from fnmatch import fnmatchcase

from bot.config.models import Config
from bot.core.decision import Decision
from bot.core.events import Event, Outcome
from bot.core.incident import Repeat
from bot.core.outcomes import display_status
from bot.store.records import IncidentChange, Notice, Silence
from notifiers import wording
from notifiers.render import mention_markup

_NOT_A_PROBLEM = (Outcome.SUCCEEDED, Outcome.RUNNING)


def incident_change(
    event: Event, decision: Decision, config: Config, now: datetime
) -> IncidentChange | None:
    """A failure routed as an incident, at any level (the execution, a stage, an action, a
    step), opens its series' incident, or joins the one unresolved: another run failing is
    a repeat failure, told under the incident's root (bot.core.incident.failed_again). A
    success of the whole of the same series (a later run, an alarm back to OK, an endpoint
    back in service) resolves it."""
    if decision.incident and event.outcome not in _NOT_A_PROBLEM:
        settings = config.incidents
        renotify_at = now + settings.renotify_after if settings.max_renotify > 0 else None
        mention = mention_markup(decision.mention) if decision.mention else ""
        most = settings.max_renotify

        def repeated(repeat: Repeat) -> Notice:
            what = f"{event.name} · {event.subject}" if event.subject else event.name
            status = display_status(event.status)
            text = wording.failed_again(repeat, what, status, event.time, mention, most)
            return Notice(text=text, broadcast=repeat.reminder, refresh=True)

        return IncidentChange(
            open=True,
            renotify_at=renotify_at,
            note=event.name,
            max_renotify=most,
            repeated=repeated,
        )
    if event.subject is None and event.outcome == Outcome.SUCCEEDED:
        return resolving(recovery_note(event))
    return None


def recovery_note(event: Event) -> str:
    """Why an incident resolved itself, kept with it and shown in its thread."""
    return wording.recovery_note(event.name, display_status(event.status))


def resolving(note: str) -> IncidentChange:
    """The change that resolves the series' incident, with its thread line."""
    notice = Notice(text=wording.resolved_automatically(note), refresh=True)
    return IncidentChange(resolve=True, note=note, notice=notice)


def silence_for(event: Event, silences: Sequence[Silence]) -> Silence | None:
    """The first silence whose pattern matches the event: a glob on the resource name, a
    kind (`alarm`), or `kind:alarm`."""
    for silence in silences:
        pattern = silence.pattern
        kind = pattern.removeprefix("kind:")
        if kind == event.kind.value or fnmatchcase(event.name, pattern):
            return silence
    return None
