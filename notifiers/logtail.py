"""A failed job's or build's last log lines, as a reply in its alert's thread. Pure.

The lines come from AWS: they are escaped like any AWS text and put in a code block, the
newest kept when they do not all fit; the log link is a button, as on the alert. When
there are no lines to show, or they could not be read, the reply is one line saying so.
"""

from __future__ import annotations

from typing import Any

from bot.core.events import Link
from bot.core.text import clip, code_block, code_span, escape
from notifiers import limits
from notifiers.render import link_buttons

Payload = dict[str, Any]
ICON = ":page_facing_up:"
_LINES_CHARS = limits.SECTION_TEXT - 300  # room for the heading and the code fences
_NAME_CHARS = 150


def render_log_tail(
    noun: str, name: str, lines: list[str], streams: int, link: Link | None
) -> Payload:
    """The last `lines` (oldest first) of `streams` streams of the `noun` named `name`."""
    kept = newest_that_fit(lines, _LINES_CHARS - 10)  # the fences and line breaks
    shown = f"{len(kept)} of {len(lines)}" if len(kept) < len(lines) else f"{len(lines)}"
    plural = "s" if streams != 1 else ""
    heading = (
        f"{ICON} *Last {shown} log lines* of the {escape(noun)} {code_span(name, _NAME_CHARS)}"
        f" ({streams} stream{plural}, newest last)"
    )
    text = f"Last {len(kept)} log lines of the {noun} {name}"
    return _payload(f"{heading}\n{code_block(chr(10).join(kept), _LINES_CHARS)}", text, link)


def render_no_log_lines(
    noun: str, name: str, group: str, prefix: str, link: Link | None, one_stream: bool = False
) -> Payload:
    """The one line said when the logs hold nothing yet for the job or build: in `group`,
    in the streams whose names start with `prefix`, or (`one_stream`) in that stream."""
    shown = code_span(prefix if one_stream else f"{prefix}…", 200)
    streams = f"stream {shown}" if one_stream else f"streams {shown}"
    line = (
        f"{ICON} No log lines yet for the {escape(noun)} {code_span(name, _NAME_CHARS)}"
        f" in {code_span(group, 200)} ({streams})."
    )
    return _payload(line, f"No log lines yet for the {noun} {name}", link)


def render_logs_unread(noun: str, name: str, why: str, link: Link | None) -> Payload:
    """The one line said when the logs could not be read: `why` (no permission ...)."""
    line = (
        f"{ICON} Could not read the logs of the {escape(noun)} {code_span(name, _NAME_CHARS)}:"
        f" {clip(why, 500)}"
    )
    return _payload(line, f"Could not read the logs of the {noun} {name}", link)


def newest_that_fit(lines: list[str], chars: int) -> list[str]:
    """The newest of `lines` whose escaped text fits in `chars`: a tail keeps its end."""
    kept: list[str] = []
    size = 0
    for line in reversed(lines):
        size += len(escape(line)) + 1
        if kept and size > chars:
            break
        kept.append(line)
    return kept[::-1]


def _payload(mrkdwn: str, text: str, link: Link | None) -> Payload:
    blocks: list[Payload] = [{"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn}}]
    buttons = link_buttons([link]) if link is not None else []
    if buttons:
        blocks.append({"type": "actions", "elements": buttons})
    return {
        "text": clip(text, 300),
        "blocks": blocks,
        "unfurl_links": False,
        "unfurl_media": False,
    }
