"""Reading a command's Reply in tests: all the text it shows, and whether Slack takes it."""

from __future__ import annotations

from typing import Any

from commands.base import Reply
from notifiers.limits import problems

_FORBIDDEN = ("<!channel>", "<!here>", "<@U123>", "\u202e")


def shown(reply: Reply) -> str:
    """Every piece of text the reply shows, in order, one per line."""
    parts = [reply.text]
    for block in reply.blocks or []:
        parts += _texts(block)
    return "\n".join(parts)


def _texts(block: dict[str, Any]) -> list[str]:
    found = []
    if isinstance(block.get("text"), dict):
        found.append(str(block["text"].get("text", "")))
    for field in block.get("fields") or []:
        found.append(str(field.get("text", "")))
    for element in block.get("elements") or []:
        text = element.get("text")
        found.append(str(text.get("text", "")) if isinstance(text, dict) else str(text or ""))
        if element.get("url"):
            found.append(str(element["url"]))
    return found


def check(reply: Reply) -> str:
    """Assert the reply fits Slack's limits and lets no AWS text mention anyone; its text."""
    payload = {"text": reply.text, "blocks": reply.blocks or []}
    assert problems(payload) == []
    text = shown(reply)
    for bad in _FORBIDDEN:
        assert bad not in text, f"{bad!r} reached Slack unescaped"
    return text
