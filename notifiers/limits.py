"""Slack's Block Kit limits as names, and a check that a payload keeps to them.

A payload that breaks them is refused whole by Slack (`invalid_blocks`,
`msg_blocks_too_long`), so delivery checks before sending and tests check every golden file.
"""

from __future__ import annotations

from typing import Any

MAX_BLOCKS = 50
SECTION_TEXT = 3000
MAX_FIELDS = 10
FIELD_TEXT = 2000
HEADER_TEXT = 150
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
BUTTON_URL = 3000
ID_LENGTH = 255  # action_id and block_id
ACTIONS_ELEMENTS = 25
SELECT_OPTIONS = 100
OPTION_TEXT = 75
OPTION_VALUE = 150
PLACEHOLDER_TEXT = 150
CONTEXT_ELEMENTS = 10
CONTEXT_TEXT = 3000
MESSAGE_TEXT = 4000  # Slack truncates `text` at 40,000; notifications want far less
# Undocumented cumulative cap on a message's blocks; staying well under it avoids
# `msg_blocks_too_long` (seen at about 13,200 characters of block text).
TOTAL_BLOCK_TEXT = 12_000


def problems(payload: dict[str, Any]) -> list[str]:
    """Every way `payload` breaks Slack's limits; empty when it is fine to send."""
    found: list[str] = []
    text = payload.get("text")
    if isinstance(text, str) and len(text) > MESSAGE_TEXT:
        found.append(f"text: {len(text)} characters > {MESSAGE_TEXT}")
    blocks = list(payload.get("blocks") or [])
    for attachment in payload.get("attachments") or []:
        blocks += attachment.get("blocks") or []
    if len(blocks) > MAX_BLOCKS:
        found.append(f"{len(blocks)} blocks > {MAX_BLOCKS}")
    total = 0
    for index, block in enumerate(blocks):
        total += _check_block(block, index, found)
    if total > TOTAL_BLOCK_TEXT:
        found.append(f"blocks hold {total} characters of text > {TOTAL_BLOCK_TEXT}")
    return found


def _check_block(block: dict[str, Any], index: int, found: list[str]) -> int:
    """The block's text length; what breaks a limit is added to `found`. Checked for every
    post, so what a problem is called is worded only when there is one."""
    where = _Where(index, block.get("type"))
    total = 0
    _check_length(block.get("block_id"), ID_LENGTH, where, "block_id", found)
    kind = block.get("type")
    if kind == "header":
        total += _check_text(block.get("text"), HEADER_TEXT, where, "header", found)
    elif kind == "section":
        total += _check_text(block.get("text"), SECTION_TEXT, where, "text", found)
        fields = block.get("fields") or []
        if len(fields) > MAX_FIELDS:
            found.append(f"{where}: {len(fields)} fields > {MAX_FIELDS}")
        for field in fields:
            total += _check_text(field, FIELD_TEXT, where, "field", found)
    elif kind == "context":
        elements = block.get("elements") or []
        if len(elements) > CONTEXT_ELEMENTS:
            found.append(f"{where}: {len(elements)} elements > {CONTEXT_ELEMENTS}")
        for element in elements:
            total += _check_text(element, CONTEXT_TEXT, where, "element", found)
    elif kind == "actions":
        elements = block.get("elements") or []
        if len(elements) > ACTIONS_ELEMENTS:
            found.append(f"{where}: {len(elements)} elements > {ACTIONS_ELEMENTS}")
        for element in elements:
            if element.get("type") == "static_select":
                _check_select(element, where, found)
                continue
            total += _check_text(element.get("text"), BUTTON_TEXT, where, "button text", found)
            _check_length(element.get("action_id"), ID_LENGTH, where, "action_id", found)
            _check_length(element.get("value"), BUTTON_VALUE, where, "button value", found)
            _check_length(element.get("url"), BUTTON_URL, where, "button url", found)
    return total


class _Where:
    """Which block a problem is in (`block 3 (section)`), worded only when one is found."""

    def __init__(self, index: int, kind: Any) -> None:
        self.index, self.kind = index, kind

    def __str__(self) -> str:
        return f"block {self.index} ({self.kind})"


def _check_text(obj: Any, limit: int, where: _Where, what: str, found: list[str]) -> int:
    """The length of a text object's `text`, checked against `limit`."""
    value = obj.get("text", "") if isinstance(obj, dict) else ""
    if len(value) > limit:
        found.append(f"{where} {what}: {len(value)} characters > {limit}")
    return len(value)


def _check_select(element: dict[str, Any], where: _Where, found: list[str]) -> None:
    placeholder = (element.get("placeholder") or {}).get("text", "")
    _check_length(placeholder, PLACEHOLDER_TEXT, where, "placeholder", found)
    options = element.get("options") or []
    if len(options) > SELECT_OPTIONS:
        found.append(f"{where}: {len(options)} options > {SELECT_OPTIONS}")
    for option in options:
        _check_length((option.get("text") or {}).get("text"), OPTION_TEXT, where, "option", found)
        _check_length(option.get("value"), OPTION_VALUE, where, "option value", found)


def _check_length(value: Any, limit: int, where: _Where, what: str, found: list[str]) -> None:
    if isinstance(value, str) and len(value) > limit:
        found.append(f"{where} {what}: {len(value)} characters > {limit}")
