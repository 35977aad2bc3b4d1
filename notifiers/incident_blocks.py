"""The incident part of a root message: who did what and when, how often its series
failed, and the buttons. A resource whose failure joined an incident another resource
opened (another run of the same pipeline) says which incident it is part of; the buttons
stay on the incident's own root, the one message that acts for it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from bot.core.durations import short_duration
from bot.core.incident import ALLOWED, Action, Incident, State
from bot.core.text import clip
from notifiers.times import Style, local_time
from notifiers.wording import user

ACK_ACTION = "incident_ack"
RESOLVE_ACTION = "incident_resolve"
SNOOZE_ACTION = "incident_snooze"

# The auto-resolve note names the resource and its status (512 characters each, more once
# escaped): cut so the incident's section stays well inside Slack's 3,000.
_NOTE_CHARS = 500
_ICON = {
    State.OPEN: ":rotating_light:",
    State.ACKNOWLEDGED: ":eyes:",
    State.SNOOZED: ":zzz:",
    State.RESOLVED: ":white_check_mark:",
}


def incident_blocks(
    incident: Incident, snooze_choices: Sequence[timedelta], key: str | None = None
) -> list[dict[str, Any]]:
    """The blocks for the root of resource `key` (None: the incident's own root)."""
    if key is not None and key != incident.key:
        return [_section(f"incident-{incident.id}-member", member_line(incident))]
    blocks: list[dict[str, Any]] = [_section(f"incident-{incident.id}", state_line(incident))]
    buttons = _buttons(incident, snooze_choices)
    if buttons:
        blocks.append(
            {"type": "actions", "block_id": f"incident-actions-{incident.id}", "elements": buttons}
        )
    return blocks


def state_line(incident: Incident) -> str:
    """`:rotating_light: *Incident #12* · open since 03:10 UTC · failed 3 times since ...`"""
    return f"{_ICON[incident.state]} *Incident #{incident.id}* · {_state_words(incident)}"


def member_line(incident: Incident) -> str:
    """What the root of a resource that joined `incident` says of it: which incident, and
    nothing that changes with it. This root is redrawn only on its own resource's events,
    so a state written here (acknowledged by whom, resolved) would go stale when the
    incident moves on; its state and its buttons are on the incident's own root."""
    opened = local_time(incident.opened_at, Style.TIME)
    return (
        f":link: Part of *incident #{incident.id}*, opened {opened}"
        " · its state and buttons are on its first message"
    )


def _state_words(incident: Incident) -> str:
    actor = "mlpulse" if incident.automatic else user(incident.actor or "")
    at = local_time(incident.updated_at, Style.TIME)
    if incident.state == State.OPEN:
        reminders = f", reminded {incident.renotify_count}×" if incident.renotify_count else ""
        words = f"open since {local_time(incident.opened_at, Style.TIME)}{reminders}"
    elif incident.state == State.ACKNOWLEDGED:
        words = f"acknowledged by {actor} at {at}"
    elif incident.state == State.SNOOZED:
        until = (
            local_time(incident.snoozed_until, Style.TIME) if incident.snoozed_until else "later"
        )
        words = f"snoozed by {actor} until {until}"
    else:
        how = "automatically" if incident.automatic else f"by {actor}"
        note = incident.note if incident.automatic else None
        words = f"resolved {how} at {at}" + (f" ({clip(note, _NOTE_CHARS)})" if note else "")
    if incident.failures > 1:  # its series failed again while it was open
        last = incident.last_failure_at
        words += f" · failed {incident.failures} times" + (
            f", last at {local_time(last, Style.TIME)}" if last else ""
        )
    return words


def _section(block_id: str, text: str) -> dict[str, Any]:
    return {"type": "section", "block_id": block_id, "text": {"type": "mrkdwn", "text": text}}


def _buttons(incident: Incident, snooze_choices: Sequence[timedelta]) -> list[dict[str, Any]]:
    value = str(incident.id)
    buttons: list[dict[str, Any]] = []
    if incident.state in ALLOWED[Action.ACK]:
        buttons.append(_button("Acknowledge", ACK_ACTION, value, "primary"))
    if incident.state in ALLOWED[Action.RESOLVE]:
        buttons.append(_button("Resolve", RESOLVE_ACTION, value, None))
    if incident.state in ALLOWED[Action.SNOOZE] and snooze_choices:
        buttons.append(
            {
                "type": "static_select",
                "action_id": SNOOZE_ACTION,
                "placeholder": {"type": "plain_text", "text": "Snooze"},
                "options": [
                    {
                        "text": {"type": "plain_text", "text": f"Snooze {short_duration(choice)}"},
                        "value": f"{incident.id}:{int(choice.total_seconds())}",
                    }
                    for choice in snooze_choices[:10]
                ],
            }
        )
    return buttons


def _button(text: str, action_id: str, value: str, style: str | None) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": text},
        "action_id": action_id,
        "value": value,
    }
    if style:
        button["style"] = style
    return button
