"""What mlpulse says in a thread or to the person who clicked, in one place: incident
transitions, reminders, silences, automatic resolves, and why an action was refused.

Each function returns Slack mrkdwn with every outside string (a user id, a resource name,
a silence pattern) already escaped; callers wrap it in a notice or a reply as it is.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.core.durations import short_duration
from bot.core.incident import PAST_TENSE, Action, Incident, Repeat, State
from bot.core.text import code_span, escape
from notifiers.times import Style, local_time

_DONE_BY = {
    Action.ACK: ":eyes: Acknowledged by {who}.",
    Action.RESOLVE: ":white_check_mark: Resolved by {who}.",
    Action.SNOOZE: ":zzz: Snoozed by {who} until {until} ({length}).",
}


def user(user_id: str) -> str:
    """A mention of the Slack user `user_id`."""
    return f"<@{escape(user_id)}>"


def done_by(action: Action, user_id: str, until: datetime, length: timedelta | None) -> str:
    """The thread line for a person's acknowledge, resolve or snooze."""
    shown = short_duration(length) if length is not None else ""
    return _DONE_BY[action].format(
        who=user(user_id), until=local_time(until, Style.TIME), length=shown
    )


def reminder(incident: Incident, mention: str, snooze_over: bool, count: int, most: int) -> str:
    """The broadcast reminder of an incident nobody acknowledged, or whose snooze ended;
    `mention` is the route's configured mention markup, or empty."""
    reason = "Snooze ended" if snooze_over else f"Still unacknowledged (reminder {count} of {most})"
    text = (
        f"{mention} :rotating_light: {reason}: incident #{incident.id}, {escape(incident.title)}."
    )
    return text.strip()


def failed_again(
    repeat: Repeat, what: str, status: str, when: datetime, mention: str, most: int
) -> str:
    """The thread line under an incident's root when another run of its series fails
    (`what`: the resource and part, unescaped); a broadcast reminder when the repeat is one,
    with the route's `mention` markup, else a quiet line."""
    incident = repeat.incident
    head = f"Failed again: {escape(what)} is {escape(status)} ({local_time(when, Style.TIME)})."
    since = incident.since or incident.opened_at
    tally = (
        f"Incident #{incident.id} has now failed {incident.failures} times since "
        f"{local_time(since, Style.TIME)}"
    )
    if not repeat.reminder:
        return f":repeat: {head} {tally}."
    reminder = f"still unacknowledged (reminder {incident.renotify_count} of {most})"
    return f"{mention} :rotating_light: {head} {tally}, {reminder}.".strip()


def recovery_note(name: str, status: str) -> str:
    """Why an incident resolved itself (unescaped: kept with the incident, shown escaped)."""
    return f"recovered: {name} is {status}"


def resolved_automatically(note: str) -> str:
    return f":white_check_mark: Resolved automatically: {escape(note)}."


def silence_started(user_id: str, pattern: str, length: timedelta, until: datetime) -> str:
    return (
        f":no_bell: {user(user_id)} silenced {code_span(pattern, 200)} for "
        f"{short_duration(length)} (until {local_time(until)})."
    )


def silence_ended(pattern: str, held: int) -> str:
    kept = f"; {held} alert(s) were held" if held else ""
    return f":bell: Silence on {code_span(pattern, 200)} ended{kept}."


def no_incident(incident_id: int) -> str:
    return f"There is no incident #{incident_id}."


def not_its_button(incident_id: int) -> str:
    return f"That button does not belong to incident #{incident_id}."


def refusal(incident: Incident, action: Action) -> str:
    """Why `action` cannot happen now, in words for the person who tried."""
    if incident.state == State.RESOLVED:
        return f"Incident #{incident.id} is already resolved{_who(incident)}; nothing to do."
    if action == Action.ACK and incident.state == State.ACKNOWLEDGED:
        return f"Incident #{incident.id} was already acknowledged{_who(incident)}."
    return f"Incident #{incident.id} is {incident.state.value}; it cannot be {PAST_TENSE[action]}."


def _who(incident: Incident) -> str:
    if incident.actor is None:
        return ""
    actor = "mlpulse" if incident.automatic else user(incident.actor)
    when = f" at {local_time(incident.updated_at, Style.TIME)}"
    note = f" ({escape(incident.note)})" if incident.note and incident.automatic else ""
    return f" by {actor}{when}{note}"
