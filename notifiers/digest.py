"""A digest as a Slack message (a burst's, or a channel's routine activity of the day,
bot.delivery.bursts): how many resources, their states counted, and the latest of them one
line each. Pure."""

from __future__ import annotations

from collections import Counter
from typing import Any

from bot.core.events import Event, Outcome
from bot.core.outcomes import display_status
from bot.core.text import clip, code_span
from notifiers import limits
from notifiers.render import EMOJI
from notifiers.times import Style, local_time

_LINES = 25
_LINE_CHARS = 110


def render_digest(channel: str, members: list[Event]) -> dict[str, Any]:
    """`members` newest first, each at its latest state."""
    count = len(members)
    noun = "resource" if count == 1 else "resources"
    tally = Counter((m.title, display_status(m.status)) for m in members)
    summary = " · ".join(
        f"{n} {clip(title, 40)} {clip(status, 40)}" for (title, status), n in tally.most_common(8)
    )
    failed = sum(1 for m in members if m.outcome == Outcome.FAILED)
    # A section's text may not be empty (Slack: invalid_blocks), and a digest whose members
    # all got messages of their own (each opened an incident) still needs an edit.
    lines = [_line(member) for member in members[:_LINES]]
    # Long names fill a section before 25 lines do: list fewer, so that the count of the
    # rest is never what the section's limit cuts off.
    while len(lines) > 1 and len(_listing(lines, count)) > limits.SECTION_TEXT:
        lines.pop()
    listing = _listing(lines, count) or "Each of these now has a message of its own."
    header = f":package: {count} {noun} grouped in one message"
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": clip(header, limits.HEADER_TEXT), "emoji": True},
        },
        {"type": "section", "text": {"type": "mrkdwn", "text": clip_text(summary or "—")}},
        {"type": "section", "text": {"type": "mrkdwn", "text": clip_text(listing)}},
        {
            "type": "context",
            "elements": [
                {
                    "type": "mrkdwn",
                    "text": "Grouped: routine activity of the day, or more at once than"
                    " Slack's pace of about one message a second allows. This message updates"
                    " as they change; a failure that opens an incident gets a message of its"
                    " own.",
                }
            ],
        },
    ]
    text = f"{count} {noun} grouped" + (f", {failed} failed" if failed else "")
    return {"channel": channel, "text": text, "blocks": blocks, "unfurl_links": False}


def _listing(lines: list[str], count: int) -> str:
    """The lines, and how many members they leave out."""
    rest = [f"…and {count - len(lines)} more."] if count > len(lines) else []
    return "\n".join(lines + rest)


def _line(member: Event) -> str:
    status = clip(display_status(member.status), 40)
    name = code_span(member.name, _LINE_CHARS)
    title = clip(member.title, 30)
    at = local_time(member.time, Style.TIME_SECS)
    return f"{EMOJI[member.outcome]} {title} {name} — {status} · {at}"


def clip_text(mrkdwn: str) -> str:
    """Already-escaped lines cut at a line break to fit a section."""
    if len(mrkdwn) <= limits.SECTION_TEXT:
        return mrkdwn
    cut = mrkdwn[: limits.SECTION_TEXT - 2]
    return cut[: cut.rfind("\n")] + "\n…" if "\n" in cut else cut + "…"
