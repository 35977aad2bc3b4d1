"""Bolt wiring: the `/mlpulse` command and the incident buttons.

Commands acknowledge within Slack's 3 seconds: a fast one answers in the acknowledgement,
a slow one (it calls AWS) acknowledges at once and answers through `response_url`. Charts
are uploaded to the channel with files_upload_v2. Errors meant for the user are shown as
they are; anything else is logged and answered politely, never as an error page.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from slack_bolt import App as BoltApp
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.incident import Action, Source
from bot.core.text import ascii_digits, escape
from bot.incidents.service import IncidentService
from bot.ingress.http import Response
from commands.base import Context, Reply
from commands.runner import execute, prepare
from notifiers.incident_blocks import ACK_ACTION, RESOLVE_ACTION, SNOOZE_ACTION

log = logging.getLogger(__name__)
_BUTTONS = {ACK_ACTION: Action.ACK, RESOLVE_ACTION: Action.RESOLVE, SNOOZE_ACTION: Action.SNOOZE}
_WORKING = ":hourglass_flowing_sand: Looking that up…"
_CLICK_FAILED = "Sorry, that did not go through on our side; nothing changed. Please try again."


# What a `/mlpulse` line runs with, given who typed it where: bot.app's App.command_context,
# which the demo's prompt uses too.
ContextFor = Callable[[str, str], Context]


class SlackApp:
    def __init__(
        self,
        client: WebClient,
        context_for: ContextFor,
        incidents: IncidentService,
        on_change: Any = None,
    ) -> None:
        self.client, self.context_for, self.incidents = client, context_for, incidents
        self.on_change = on_change or (lambda: None)  # wakes delivery after a transition
        # Signatures are checked by bot.ingress.slack.verify (with the injected clock) before
        # Bolt sees a request; Socket Mode needs none.
        self.bolt = BoltApp(
            client=client,
            token_verification_enabled=False,
            request_verification_enabled=False,
            process_before_response=False,
        )
        self.bolt.command("/mlpulse")(self._command)
        for action_id in _BUTTONS:
            self.bolt.action(action_id)(self._incident_action)
        self.bolt.action(re.compile(r"^link-\d+$"))(lambda ack: ack())

    def dispatch(self, body: str, headers: dict[str, str]) -> Response:
        bolt_headers: dict[str, str | Sequence[str]] = dict(headers)
        response = self.bolt.dispatch(BoltRequest(body=body, headers=bolt_headers))
        content_type = (response.headers.get("content-type") or ["text/plain"])[0]
        return Response(response.status, (response.body or "").encode(), content_type)

    # --- /mlpulse

    def _command(self, ack: Any, body: dict[str, Any], respond: Any) -> None:
        user_id, channel_id = str(body.get("user_id", "")), str(body.get("channel_id", ""))
        ctx = self.context_for(user_id, channel_id)
        prepared = prepare(str(body.get("text") or ""), ctx)
        if prepared.slow and prepared.reply is None:
            ack(text=_WORKING)
            reply = execute(prepared, ctx)
            respond(**_message(reply))
        else:
            reply = execute(prepared, ctx)
            ack(**_message(reply))
        self._upload_charts(reply, channel_id, respond)
        self.on_change()

    def _upload_charts(self, reply: Reply, channel_id: str, respond: Any) -> None:
        for chart in reply.charts:
            try:
                self.client.files_upload_v2(
                    channel=channel_id,
                    content=chart.png,
                    filename=chart.filename,
                    title=chart.title,
                )
            except SlackApiError as error:
                code = error.response.get("error", "error")
                log.warning("chart upload to %s failed: %s", channel_id, code)
                respond(text=f"(The chart could not be posted here: `{escape(str(code))}`.)")

    # --- incident buttons

    def _incident_action(self, ack: Any, body: dict[str, Any], respond: Any) -> None:
        ack()
        action = (body.get("actions") or [{}])[0]
        value = action.get("value") or (action.get("selected_option") or {}).get("value") or ""
        incident_id, snooze = _parse_value(str(value))
        kind = _BUTTONS.get(str(action.get("action_id", "")))
        if incident_id is None or kind is None or (kind == Action.SNOOZE) != (snooze is not None):
            respond(
                text="That button is not valid.", response_type="ephemeral", replace_original=False
            )
            return
        try:
            result = self.incidents.act(
                incident_id,
                kind,
                str((body.get("user") or {}).get("id", "")),
                Source.BUTTON,
                channel_id=str((body.get("channel") or {}).get("id", "")),
                message_ts=(body.get("container") or {}).get("message_ts"),
                snooze=snooze,
            )
        except Exception:  # after the acknowledgement only respond() can still tell them
            log.exception("%s on incident #%d failed", kind, incident_id)
            respond(text=_CLICK_FAILED, response_type="ephemeral", replace_original=False)
            return
        if result.ok:
            self.on_change()
        else:
            respond(text=result.explanation, response_type="ephemeral", replace_original=False)


def _parse_value(value: str) -> tuple[int | None, timedelta | None]:
    """`12` (acknowledge, resolve) or `12:3600` (snooze for an hour)."""
    head, _, seconds = value.partition(":")
    if not ascii_digits(head, 18) or (seconds and not ascii_digits(seconds, 9)):
        return None, None
    length = timedelta(seconds=int(seconds)) if seconds else None
    if length is not None and not timedelta(minutes=1) <= length <= timedelta(days=30):
        return None, None
    return int(head), length


def _message(reply: Reply) -> dict[str, Any]:
    message: dict[str, Any] = {
        "text": reply.text,
        "response_type": "in_channel" if reply.public else "ephemeral",
    }
    if reply.blocks:
        message["blocks"] = reply.blocks
    return message
