"""The charts of a `/mlpulse` answer (bot.ingress.slack.slash), and where they go.

A public answer (`--public`) is for the channel: it is posted, then each chart is uploaded
to the channel as a file (files_upload_v2 with `channel`), as before.

A private (ephemeral) answer must not show its charts to the channel: each chart is
uploaded without a channel (files.getUploadURLExternal, the bytes, then
files.completeUploadExternal with neither `channel_id` nor `channels`), which leaves the
file private to the bot, and the answer shows it with a Block Kit `image` block whose
`slack_file` is `{"id": ...}`. Slack's documentation (the image block and the Slack file
object) asks only that the poster can see the file: the bot uploaded it, and the bot posts
the answer through the command's response_url. The upload needs `files:write`, as the
public upload does; nothing reads the file back, so no `files:read`. Slack finishes an
upload asynchronously, and an image block naming a file not yet processed is refused
(`invalid_blocks`): the answer is tried again a few times, a second apart, and if it is
still refused it goes without its charts, saying why. The channel is never touched, so a
channel the bot has not joined still gets its private charts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.text import escape
from commands.base import Chart

log = logging.getLogger(__name__)
MAX_BLOCKS = 50  # Slack's limit for a message
WAITS_S = (1.0, 2.0)  # before the second and third try of an answer with images
TITLE_CHARS = 2000


def image_block(file_id: str, title: str) -> dict[str, Any]:
    """A private file shown in a message (pure)."""
    return {
        "type": "image",
        "slack_file": {"id": file_id},
        "alt_text": title[:TITLE_CHARS] or "chart",
        "title": {"type": "plain_text", "text": title[:TITLE_CHARS] or "chart"},
    }


def with_images(fields: dict[str, Any], images: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The answer's fields with the image blocks after its own blocks, within the limit."""
    blocks = list(fields.get("blocks") or [_section(fields["text"])])
    room = max(0, MAX_BLOCKS - len(blocks))
    return {**fields, "blocks": blocks + list(images[:room])}


def with_note(fields: dict[str, Any], note: str) -> dict[str, Any]:
    blocks = fields.get("blocks")
    if not blocks:
        return {**fields, "text": f"{fields['text']}\n{note}"}
    return {**fields, "blocks": [*blocks[: MAX_BLOCKS - 1], _context(note)]}


def upload_private(
    client: WebClient, charts: Sequence[Chart]
) -> tuple[list[dict[str, Any]], list[str]]:
    """Upload each chart shared nowhere; the image blocks showing those uploaded, and the
    error codes of those that failed."""
    images: list[dict[str, Any]] = []
    failed: list[str] = []
    for chart in charts:
        try:
            # No `channel`: files.completeUploadExternal gets no channel_id, shares nothing.
            answer = client.files_upload_v2(
                content=chart.png, filename=chart.filename, title=chart.title
            )
            images.append(image_block(str(answer["file"]["id"]), chart.title))
        except SlackApiError as error:
            code = str(error.response.get("error", "error"))
            log.warning("private chart upload failed: %s", code)
            failed.append(code)
    return images, failed


def share(client: WebClient, charts: Sequence[Chart], channel_id: str) -> list[str]:
    """Upload each chart to the channel (a public answer's); the error codes of failures."""
    failed = []
    for chart in charts:
        try:
            client.files_upload_v2(
                channel=channel_id, content=chart.png, filename=chart.filename, title=chart.title
            )
        except SlackApiError as error:
            code = str(error.response.get("error", "error"))
            log.warning("chart upload to %s failed: %s", channel_id, code)
            failed.append(code)
    return failed


def post_with_images(
    post: Callable[[dict[str, Any]], bool],
    fields: dict[str, Any],
    images: Sequence[dict[str, Any]],
    sleep: Callable[[float], object],
) -> bool:
    """Post the answer with its images (`post` says whether Slack took it), trying again
    while Slack has not finished the files; False if it never took it."""
    shown = with_images(fields, images)
    if post(shown):
        return True
    for wait in WAITS_S:
        sleep(wait)
        if post(shown):
            return True
    return False


def not_shown(codes: Sequence[str], verb: str = "shown") -> str:
    """What an answer says of charts Slack did not take, with Slack's error codes."""
    return f"(The chart could not be {verb} here: `{escape(', '.join(dict.fromkeys(codes)))}`.)"


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000] or " "}}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}
