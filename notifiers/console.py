"""A notifier that draws Slack messages as readable text in a terminal: the demo's Slack.

Block Kit is drawn line by line: the header in colour, fields as `label: value`, code
blocks indented, buttons as `[Console]`, thread replies indented under their root.
"""

from __future__ import annotations

import itertools
import re
import sys
from typing import Any, TextIO

from notifiers.base import Posted

_COLORS = {"#E01E5A": "31", "#2EB67D": "32", "#ECB22E": "33", "#36C5F0": "36"}
_EMOJI = {
    ":red_circle:": "●",
    ":large_green_circle:": "●",
    ":large_orange_circle:": "●",
    ":large_blue_circle:": "●",
    ":white_circle:": "○",
    ":grey_question:": "?",
    ":eyes:": "👀",
    ":white_check_mark:": "✅",
    ":zzz:": "💤",
    ":rotating_light:": "🚨",
    ":no_bell:": "🔕",
    ":bell:": "🔔",
    ":hourglass_flowing_sand:": "⏳",
}
_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


class ConsoleNotifier:
    min_interval = 0.0

    def __init__(self, out: TextIO | None = None, color: bool | None = None) -> None:
        self.out = out or sys.stdout
        self.color = self.out.isatty() if color is None else color
        self._ts = itertools.count(1)
        self.messages: dict[str, dict[str, Any]] = {}
        self._shown: str | None = None  # the message last drawn, so replies say where they go

    def post(
        self, channel: str, payload: dict[str, Any], thread_ts: str | None, marker: str
    ) -> Posted:
        ts = f"{next(self._ts)}.000000"
        self.messages[ts] = payload
        if thread_ts:
            if thread_ts != self._shown:
                self._write(f"\n{channel}  (thread of message {thread_ts.split('.')[0]})")
            also = "  (also sent to the channel)" if payload.get("reply_broadcast") else ""
            self._write(self.draw(payload, indent="      ↳ ") + also)
            self._shown = thread_ts
        else:
            self._write(f"\n{channel}  (message {ts.split('.')[0]})\n" + self.draw(payload))
            self._shown = ts
        return Posted(channel=channel, ts=ts)

    def update(self, channel: str, ts: str, payload: dict[str, Any]) -> None:
        self.messages[ts] = payload
        self._write(f"\n{channel}  (message {ts.split('.')[0]} updated)\n" + self.draw(payload))
        self._shown = ts

    def find_posted(
        self, channel: str, marker: str, thread_ts: str | None, oldest: float
    ) -> Posted | None:
        return None

    def check(self) -> str:
        return "console"

    def draw(self, payload: dict[str, Any], indent: str = "  ") -> str:
        lines: list[str] = []
        blocks = list(payload.get("blocks") or [])
        color = None
        for attachment in payload.get("attachments") or []:
            color = attachment.get("color")
            blocks += attachment.get("blocks") or []
        if not blocks and payload.get("text"):
            lines.append(plain(payload["text"]))
        for block in blocks:
            lines += self._block(block, color)
        bar = self._paint("▌", color) if color else " "
        return "\n".join(f"{indent}{bar} {line}" for chunk in lines for line in chunk.split("\n"))

    def _block(self, block: dict[str, Any], color: str | None) -> list[str]:
        kind = block.get("type")
        if kind == "header":
            return [self._paint(plain(block["text"]["text"]), color, bold=True)]
        if kind == "section":
            found = [plain(block["text"]["text"])] if block.get("text") else []
            fields = [plain(f["text"]).replace("\n", ": ", 1) for f in block.get("fields") or []]
            found += ["   ".join(fields[i : i + 3]) for i in range(0, len(fields), 3)]
            return found
        if kind == "context":
            return [self._dim(" ".join(plain(e.get("text", "")) for e in block["elements"]))]
        if kind == "actions":
            return [" ".join(_element(e) for e in block["elements"])]
        return []

    def _paint(self, text: str, color: str | None, bold: bool = False) -> str:
        if not self.color:
            return text
        code = _COLORS.get(color or "", "37")
        return f"\x1b[{'1;' if bold else ''}{code}m{text}\x1b[0m"

    def _dim(self, text: str) -> str:
        return f"\x1b[2m{text}\x1b[0m" if self.color else text

    def _write(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()


def _element(element: dict[str, Any]) -> str:
    """A button as `[Acknowledge #3]`, a menu as `[Snooze 1h | 4h]`: what to type at the
    demo's prompt is in the label."""
    number = f" #{element['value']}" if element.get("value", "").isdigit() else ""
    if element.get("type") == "static_select":
        options = element.get("options") or []
        choices = " | ".join(o["text"]["text"] for o in options)
        owner = f" #{options[0]['value'].split(':')[0]}" if options else ""
        return f"[{choices}{owner}]"
    return f"[{plain(element['text']['text'])}{number}]"


def plain(mrkdwn: str) -> str:
    """Slack mrkdwn as terminal text."""
    text = re.sub(r"<@U0([A-Z0-9]+)>", lambda m: "@" + m.group(1).lower(), mrkdwn)
    text = re.sub(r"<@([A-Z0-9]+)>", r"@\1", text)
    text = re.sub(r"<!(here|channel|everyone)>", r"@\1", text)
    text = re.sub(r"<!date\^[^|>]*\|([^>]*)>", r"\1", text)  # a time: its UTC fallback
    for code, symbol in _EMOJI.items():
        text = text.replace(code, symbol)
    text = re.sub(
        r"```\n?(.*?)\n?```",
        lambda m: "\n    " + m.group(1).replace("\n", "\n    "),
        text,
        flags=re.S,
    )
    text = re.sub(r"\*(.+?)\*", r"\1", text)
    for entity, char in _ENTITIES:
        text = text.replace(entity, char)
    return text
