"""The incident buttons (Acknowledge, Resolve) and the Snooze menu.

A click is acknowledged at once, with nothing to show; what it does is work for the queue
(bot.ingress.slack.work): the permission check of the command the control stands for
(commands.permissions, audited when it refuses), then the transition. What the clicker is
told (refused, too late, not valid, busy) comes privately through the click's
response_url; a transition that happened shows on the alert itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

from bot.core.incident import Action, Source
from bot.core.text import ascii_digits
from bot.incidents.service import IncidentService
from bot.ingress.slack.replies import BAD_BUTTON, BUSY, CLICK_FAILED, private
from bot.ingress.slack.work import WorkQueue
from commands.base import Context
from commands.permissions import refused
from notifiers.incident_blocks import ACK_ACTION, RESOLVE_ACTION, SNOOZE_ACTION

log = logging.getLogger(__name__)
ACTIONS = {ACK_ACTION: Action.ACK, RESOLVE_ACTION: Action.RESOLVE, SNOOZE_ACTION: Action.SNOOZE}
Respond = Any  # Bolt's response_url poster: respond(text=..., response_type=...)


@dataclass(frozen=True)
class Click:
    action: Action
    incident_id: int
    user_id: str
    channel_id: str
    message_ts: str | None
    snooze: timedelta | None = None


def read_click(body: dict[str, Any]) -> Click | None:
    """The click a block_actions payload holds, or None when it is not a valid one."""
    actions = body.get("actions")
    action = actions[0] if isinstance(actions, list) and actions else None
    if not isinstance(action, dict):
        return None
    kind = ACTIONS.get(str(action.get("action_id", "")))
    option = action.get("selected_option")
    value = action.get("value") or (option.get("value") if isinstance(option, dict) else "")
    incident_id, snooze = parse_value(value if isinstance(value, str) else "")
    if incident_id is None or kind is None or (kind == Action.SNOOZE) != (snooze is not None):
        return None
    message_ts = _part(body, "container").get("message_ts")
    return Click(
        kind,
        incident_id,
        str(_part(body, "user").get("id", "")),
        str(_part(body, "channel").get("id", "")),
        message_ts if isinstance(message_ts, str) else None,
        snooze,
    )


def parse_value(value: str) -> tuple[int | None, timedelta | None]:
    """`12` (acknowledge, resolve) or `12:3600` (snooze for an hour)."""
    head, _, seconds = value.partition(":")
    if not ascii_digits(head, 18) or (seconds and not ascii_digits(seconds, 9)):
        return None, None
    length = timedelta(seconds=int(seconds)) if seconds else None
    if length is not None and not timedelta(minutes=1) <= length <= timedelta(days=30):
        return None, None
    return int(head), length


class IncidentButtons:
    """The Bolt listener for the incident controls, and the work each click queues."""

    def __init__(
        self,
        context_for: Callable[[str, str], Context],
        incidents: IncidentService,
        work: WorkQueue,
        notices: WorkQueue,
        on_change: Callable[[], object],
    ) -> None:
        self.context_for, self.incidents, self.on_change = context_for, incidents, on_change
        self.work, self.notices = work, notices

    def listener(self, ack: Any, body: dict[str, Any], respond: Respond) -> None:
        ack()
        click = read_click(body)
        job = partial(self.act, click, respond) if click else partial(tell, respond, BAD_BUTTON)
        if self.work.offer(job):
            return
        # The clicker still hears why nothing happened, from a lane of its own: the work
        # queue is full, and the acknowledgement must not wait for Slack.
        log.warning("busy: a click was turned away (%d waiting)", self.work.limit)
        if not self.notices.offer(partial(tell, respond, BUSY)):
            log.warning("busy: a clicker could not be told so")

    def act(self, click: Click, respond: Respond) -> None:
        what = f"{click.action} incident #{click.incident_id}"
        try:
            ctx = self.context_for(click.user_id, click.channel_id)
            refusal = refused(ctx, click.action.value, way=Source.BUTTON, what=what)
            if refusal is not None:
                tell(respond, refusal)
                return
            result = self.incidents.act(
                click.incident_id,
                click.action,
                click.user_id,
                Source.BUTTON,
                channel_id=click.channel_id,
                message_ts=click.message_ts,
                snooze=click.snooze,
            )
        except Exception:  # after the acknowledgement only respond() can still tell them
            log.exception("%s failed", what)
            tell(respond, CLICK_FAILED)
            return
        if result.ok:
            self.on_change()
        else:
            tell(respond, result.explanation)


def tell(respond: Respond, text: str) -> None:
    """A private answer to a click; a response_url that fails is only logged."""
    if respond is None:  # no response_url in the payload: nobody to tell
        return
    try:
        respond(**private(text))
    except Exception as error:
        log.warning("could not answer a click through its response_url: %s", error)


def _part(body: dict[str, Any], name: str) -> dict[str, Any]:
    part = body.get(name)
    return part if isinstance(part, dict) else {}
