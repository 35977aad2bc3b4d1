"""Explain answers as plain text for the terminal (`mlpulse explain LOCATION`): the same
words as the Slack answer (bot.explain.wording), without markup."""

from __future__ import annotations

from bot.explain import wording
from bot.explain.answer import Explained

PLAIN = wording.Style(
    code=lambda raw: raw,
    bold=lambda own: own,
    text=lambda raw: raw,
    when=lambda moment: moment.strftime("%Y-%m-%d %H:%M:%S UTC"),
)


def explained_text(explained: Explained) -> str:
    shown = explained.scan.shown if explained.scan else []
    title = wording.title(explained)
    parts = [f"{title}\n{'=' * min(len(title), 80)}"]
    if len(shown) == 1:
        prediction = shown[0]
        parts.append(wording.prediction_head(prediction, PLAIN))
        main = prediction.main
        if main is None:
            parts.append(f"Output as captured: {prediction.output}")
        else:
            parts += [
                lines
                for up in (True, False)
                if (lines := wording.pushes(prediction, main, up, PLAIN)) is not None
            ]
            if (others := wording.other_labels(prediction, PLAIN)) is not None:
                parts.append(others)
    elif shown:
        parts.append(wording.table(shown))
    elif explained.scan is not None:
        parts.append(wording.nothing_found(explained, PLAIN))
    if (absent := wording.absence(explained, PLAIN)) is not None:
        parts.append(absent)
    if explained.global_view is not None:
        parts.append(wording.global_lines(explained.global_view, PLAIN))
    if explained.scan is not None:
        parts.append(wording.scan_line(explained.scan, explained.selection, PLAIN))
        parts += [f"warning: {problem}" for problem in explained.scan.problems]
    return "\n\n".join(parts) + "\n"
