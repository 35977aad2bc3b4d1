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
}
_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))


class ConsoleNotifier:
    min_interval = 0.0

    def __init__(self, out: TextIO | None = None, color: bool | None = None) -> None:
        self.out = out or sys.stdout
        self.color = self.out.isatty() if color is None else color
        self._ts = itertools.count(1)
        self.messages: dict[str, dict[str, Any]] = {}

    def post(
        self, channel: str, payload: dict[str, Any], thread_ts: str | None, marker: str
    ) -> Posted:
        ts = f"{next(self._ts)}.000000"
        self.messages[ts] = payload
        if thread_ts:
            self._write(self.draw(payload, indent="      ↳ "))
        else:
            self._write(f"\n{channel}  (message {ts.split('.')[0]})\n" + self.draw(payload))
        return Posted(channel=channel, ts=ts)

    def update(self, channel: str, ts: str, payload: dict[str, Any]) -> None:
        self.messages[ts] = payload
        self._write(f"\n{channel}  (message {ts.split('.')[0]} updated)\n" + self.draw(payload))

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
            lines.append(_plain(payload["text"]))
        for block in blocks:
            lines += self._block(block, color)
        bar = self._paint("▌", color) if color else " "
        return "\n".join(f"{indent}{bar} {line}" for chunk in lines for line in chunk.split("\n"))

    def _block(self, block: dict[str, Any], color: str | None) -> list[str]:
        kind = block.get("type")
        if kind == "header":
            return [self._paint(_plain(block["text"]["text"]), color, bold=True)]
        if kind == "section":
            found = [_plain(block["text"]["text"])] if block.get("text") else []
            fields = [_plain(f["text"]).replace("\n", ": ", 1) for f in block.get("fields") or []]
            found += ["   ".join(fields[i : i + 3]) for i in range(0, len(fields), 3)]
            return found
        if kind == "context":
            return [self._dim(" ".join(_plain(e.get("text", "")) for e in block["elements"]))]
        if kind == "actions":
            return [" ".join(f"[{_plain(e['text']['text'])}]" for e in block["elements"])]
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


def _plain(mrkdwn: str) -> str:
    text = mrkdwn
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
