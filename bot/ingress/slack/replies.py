"""What the Slack side says on its own (not a subcommand's answer), in one place, and a
subcommand's Reply as the fields of a Slack message (an acknowledgement or a response_url
post alike)."""

from __future__ import annotations

from typing import Any

from commands.base import Reply

WORKING = ":hourglass_flowing_sand: Looking that up…"
BUSY = ":hourglass: mlpulse is busy right now; nothing was done. Please try again in a moment."
FAILED = "Sorry, that went wrong on our side. Please try again."
CLICK_FAILED = "Sorry, that did not go through on our side; nothing changed. Please try again."
BAD_BUTTON = "That button is not valid."


def message(reply: Reply) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "text": reply.text,
        "response_type": "in_channel" if reply.public else "ephemeral",
    }
    if reply.blocks:
        fields["blocks"] = reply.blocks
    return fields


def private(text: str) -> dict[str, Any]:
    """An answer to a click: only the clicker sees it, and the alert stays as it is."""
    return {"text": text, "response_type": "ephemeral", "replace_original": False}
