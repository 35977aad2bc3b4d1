"""Explain answers as Slack payloads. Pure: `Explained` in, `{"text", "blocks"}` out.

One prediction: the prediction and its baseline, the features pushing up and down with
their input values, the other labels of a multi-output model. Several: one compact table.
Then why nothing is explained (and how to change that), the global attributions when
there are no local ones, what was read, and any unreadable files, one line each. Data
from captures passes through bot.core.text.
"""

from __future__ import annotations

from typing import Any

from bot.core.text import clip, code_block, code_span, escape, truncate
from bot.explain import wording
from bot.explain.answer import Explained
from notifiers import limits
from notifiers.times import local_time

Payload = dict[str, Any]
SLACK = wording.Style(
    code=lambda raw: code_span(raw, 120),
    bold=lambda own: f"*{own}*",
    text=escape,
    when=local_time,
)


def render_explained(explained: Explained) -> Payload:
    shown = explained.scan.shown if explained.scan else []
    title = wording.title(explained)
    blocks: list[Payload] = [_header(title)]
    if len(shown) == 1:
        blocks += _one(explained)
    elif shown:
        blocks.append(_section(code_block(wording.table(shown), limits.SECTION_TEXT)))
    elif explained.scan is not None:
        blocks.append(_section(wording.nothing_found(explained, SLACK)))
    if (absent := wording.absence(explained, SLACK)) is not None:
        blocks.append(_section(absent))
    if explained.global_view is not None:
        blocks.append(_section(wording.global_lines(explained.global_view, SLACK)))
    blocks += [_section(note) for note in explained.notes[:4]]
    footer = []
    if explained.scan is not None:
        footer.append(wording.scan_line(explained.scan, explained.selection, SLACK))
        footer += [f":warning: {escape(problem)}" for problem in explained.scan.problems]
    if any(p.explained for p in shown):
        footer.append(wording.method_line(next(p for p in shown if p.explained)))
    if footer:
        blocks.append(_context("\n".join(footer)))
    return {"text": clip(title, 300), "blocks": blocks[: limits.MAX_BLOCKS]}


def _one(explained: Explained) -> list[Payload]:
    assert explained.scan is not None
    prediction = explained.scan.shown[0]
    blocks = [_section(wording.prediction_head(prediction, SLACK))]
    main = prediction.main
    if main is None:
        blocks.append(_section(f"Output as captured: {code_span(prediction.output, 400)}"))
        return blocks
    for up in (True, False):
        if (lines := wording.pushes(prediction, main, up, SLACK)) is not None:
            blocks.append(_section(lines))
    if (others := wording.other_labels(prediction, SLACK)) is not None:
        blocks.append(_section(others))
    return blocks


def _header(text: str) -> Payload:
    return {
        "type": "header",
        "text": {"type": "plain_text", "text": clip(text, limits.HEADER_TEXT), "emoji": True},
    }


def _section(mrkdwn: str) -> Payload:
    return {
        "type": "section",
        "text": {"type": "mrkdwn", "text": truncate(mrkdwn, limits.SECTION_TEXT)},
    }


def _context(mrkdwn: str) -> Payload:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": truncate(mrkdwn, 2000)}]}
