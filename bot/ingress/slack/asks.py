"""The question buttons on alerts ("Details", "Metrics", "Health", "Why?": notifiers.questions):
each carries the `/mlpulse` line it stands for, and a click runs that line as if the
clicker had typed it (bot.ingress.slack.slash): read at once, checked against the same
permissions as the command, run on the work queue, answered privately through the click's
response_url. The alert itself is never replaced by the answer.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from bot.ingress.slack.buttons import tell
from bot.ingress.slack.replies import BAD_BUTTON, BUSY
from bot.ingress.slack.slash import Respond, SlashCommand
from commands.runner import read_line


class QuestionButtons:
    def __init__(self, command: SlashCommand) -> None:
        self.command = command

    def listener(self, ack: Any, body: dict[str, Any], respond: Respond) -> None:
        ack()
        actions = body.get("actions")
        action = actions[0] if isinstance(actions, list) and actions else {}
        value = action.get("value") if isinstance(action, dict) else None
        line = read_line(value) if isinstance(value, str) else None
        if line is None or line.reply is not None:  # not a line mlpulse wrote on an alert
            tell(respond, BAD_BUTTON)
            return
        answer = _answering_privately(respond)
        if not self.command.offer(line, _id(body, "user"), _id(body, "channel"), answer):
            tell(respond, BUSY)


def _answering_privately(respond: Respond) -> Respond:
    """The click's response_url, posting new private messages: left to its default, Slack
    would replace the alert with the answer."""
    if respond is None:
        return None
    return partial(respond, replace_original=False)


def _id(body: dict[str, Any], part: str) -> str:
    found = body.get(part)
    return str(found.get("id", "")) if isinstance(found, dict) else ""
