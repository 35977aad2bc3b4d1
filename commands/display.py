"""How AWS figures look in command replies: statuses with their emoji, times, durations,
numbers, and the Block Kit pieces replies are made of.

Every string from AWS is escaped here or in bot.core.text; the block helpers take raw text
unless their parameter says `mrkdwn` (already escaped, may hold formatting). `fit` keeps a
reply inside Slack's limits whatever AWS returned.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.core.durations import format_duration
from bot.core.events import Link
from bot.core.outcomes import display_status, outcome_of
from bot.core.text import clip, code_span, truncate
from commands.base import Chart, Reply
from notifiers import limits
from notifiers.render import EMOJI, link_buttons
from notifiers.times import local_time

Block = dict[str, Any]
SUMMARY_CHARS = 300
_PART = 200  # a name or status inside a line


def badge(status: str | None) -> str:
    """`:red_circle: Failed` (escaped)."""
    shown = display_status(status) if status else "Unknown"
    return f"{EMOJI[outcome_of(status)]} {clip(shown, _PART)}"


def name(raw: str | None, limit: int = _PART) -> str:
    """A resource name in code format, escaped (backticks swapped so the span holds)."""
    return code_span(raw or "?", limit)


def when(moment: datetime | None, now: datetime) -> str:
    """`Nov 25 14:03 (2h 10m ago)` in each reader's zone (a Slack date token)."""
    if moment is None:
        return "—"
    shown = local_time(moment)
    seconds = (now - moment).total_seconds()
    if seconds >= 0:
        return f"{shown} ({format_duration(seconds)} ago)"
    return shown


def span(start: datetime | None, end: datetime | None, now: datetime) -> str | None:
    """How long something ran (so far, when it has not ended)."""
    if start is None:
        return None
    took = format_duration(((end or now) - start).total_seconds())
    return took if end else f"{took} so far"


def plural(count: int, noun: str) -> str:
    """`1 job`, `3 jobs`."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    shown = f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"
    return f"{shown}{unit}"


def percent(value: float | None) -> str:
    """`37%`, `2.4%`, `0.031%`: as many digits as a share needs to be told apart, no more."""
    if value is None:
        return "—"
    digits = 0 if abs(value) >= 10 else 1 if abs(value) >= 1 else None
    return f"{value:.{digits}f}%" if digits is not None else f"{value:.2g}%"


def header(text: str) -> Block:
    return {
        "type": "header",
        "text": {"type": "plain_text", "text": clip(text, limits.HEADER_TEXT), "emoji": True},
    }


def section(mrkdwn: str) -> Block:
    return {
        "type": "section",
        "text": {"type": "mrkdwn", "text": truncate(mrkdwn, limits.SECTION_TEXT)},
    }


def fields(pairs: Sequence[tuple[str, str | None]]) -> list[Block]:
    """`(label, mrkdwn value)` pairs with a value, ten to a section."""
    shown = [
        {
            "type": "mrkdwn",
            "text": f"*{clip(label, 100)}*\n{truncate(value, limits.FIELD_TEXT - 110)}",
        }
        for label, value in pairs
        if value
    ]
    step = limits.MAX_FIELDS
    return [{"type": "section", "fields": shown[i : i + step]} for i in range(0, len(shown), step)]


def context(mrkdwn: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": truncate(mrkdwn, 2000)}]}


def buttons(links: Sequence[Link]) -> list[Block]:
    elements = link_buttons(links)
    return [{"type": "actions", "elements": elements}] if elements else []


def fit(blocks: list[Block]) -> list[Block]:
    """`blocks` cut to Slack's block count and total text: what does not fit is dropped,
    with a last section saying so."""
    kept: list[Block] = []
    total = 0
    for index, block in enumerate(blocks):
        size = _text_size(block)
        if len(kept) >= limits.MAX_BLOCKS - 1 or total + size > limits.TOTAL_BLOCK_TEXT - 100:
            kept.append(section(f"_{len(blocks) - index} more parts left out to fit Slack._"))
            break
        kept.append(block)
        total += size
    return kept


def reply(
    summary: str, blocks: list[Block], charts: Sequence[Chart] = (), public: bool = False
) -> Reply:
    """A command's answer: `summary` (raw) is the notification text, the blocks the body."""
    return Reply(
        text=clip(summary, SUMMARY_CHARS), blocks=fit(blocks), charts=list(charts), public=public
    )


def _text_size(block: Block) -> int:
    size = len(str((block.get("text") or {}).get("text", "")))
    size += sum(len(str(f.get("text", ""))) for f in block.get("fields") or [])
    size += sum(
        len(str(e.get("text", "")))
        for e in block.get("elements") or []
        if isinstance(e.get("text"), str)
    )
    return size
