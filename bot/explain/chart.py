"""Explanation charts as PNG (matplotlib's object API on an Agg canvas: no pyplot state).

One prediction: a horizontal waterfall from the expected value (the baseline) to the
prediction, one bar per feature, strongest at the top, red pushing up and blue pushing
down, the rest folded into one bar. Several: one signed bar chart, the features that
matter most across them, one colour per prediction. Both are sized to stay readable at
Slack's thumbnail width (large type, few bars). Feature names come from captured data,
so `$` (matplotlib's maths markup) is escaped.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bot.explain.model import LabelExplanation, Prediction

BARS = 8
MOST_PREDICTIONS = 6
_UP, _DOWN, _BASE = "#E01E5A", "#1D74C9", "#7F8C8D"
_PALETTE = ("#E01E5A", "#1D74C9", "#2EB67D", "#ECB22E", "#6B3FA0", "#36C5F0")
_NAME = 28


def waterfall_png(title: str, label: LabelExplanation) -> bytes:
    """From the expected value to the prediction, feature by feature."""
    shown = [item for item in label.strongest(BARS) if item[1] != 0.0]
    rest = sum(v for _, v in label.attributions) - sum(v for _, v in shown)
    steps = list(shown)
    if len(label.attributions) > len(shown):
        steps.append((f"{len(label.attributions) - len(shown)} other features", rest))
    start = label.expected if label.expected is not None else 0.0
    figure = Figure(figsize=(7.0, 1.4 + 0.42 * len(steps)), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    position = start
    rows = list(range(len(steps), 0, -1))  # strongest at the top
    for row, (_, value) in zip(rows, steps, strict=True):
        colour = _UP if value > 0 else _DOWN
        axes.barh(row, value, left=position, color=colour, height=0.7)
        axes.annotate(
            f"{value:+.3g}".replace("-", "−"),
            (position + value, row),
            xytext=(4 if value >= 0 else -4, 0),
            textcoords="offset points",
            ha="left" if value >= 0 else "right",
            va="center",
            fontsize=10,
        )
        position += value
    axes.set_yticks(rows, [_plain(name) for name, _ in steps], fontsize=11)
    if label.expected is not None:
        axes.axvline(start, color=_BASE, linestyle="--", linewidth=1)
        axes.axvline(position, color="black", linewidth=1)
    axes.margins(x=0.18)
    unit = "log-odds" if label.log_odds else "model output"
    baseline = f"{start:.4g}" if label.expected is not None else "?"
    axes.set_xlabel(f"{unit}: baseline {baseline} → prediction {position:.4g}", fontsize=11)
    axes.set_title(_plain(title), fontsize=12, loc="left")
    axes.grid(True, axis="x", alpha=0.3)
    return _png(figure)


def signed_bars_png(title: str, predictions: Sequence[Prediction]) -> bytes | None:
    """The strongest features across several predictions, one bar per prediction each."""
    explained = [(p, p.main) for p in predictions if p.main is not None][:MOST_PREDICTIONS]
    if not explained:
        return None
    weight: dict[str, float] = {}
    for _, label in explained:
        assert label is not None
        for name, value in label.attributions:
            weight[name] = weight.get(name, 0.0) + abs(value)
    features = sorted(weight, key=lambda name: (-weight[name], name))[:BARS]
    figure = Figure(figsize=(7.0, 1.6 + 0.25 * len(features) * len(explained) ** 0.5), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    height = 0.8 / len(explained)
    rows = list(range(len(features), 0, -1))
    for number, (prediction, label) in enumerate(explained):
        assert label is not None
        values = dict(label.attributions)
        offsets = [row + 0.4 - height * (number + 0.5) for row in rows]
        axes.barh(
            offsets,
            [values.get(name, 0.0) for name in features],
            height=height,
            color=_PALETTE[number % len(_PALETTE)],
            label=_plain(_short(prediction.id)),
        )
    axes.axvline(0, color="black", linewidth=1)
    axes.set_yticks(rows, [_plain(name) for name in features], fontsize=11)
    log_odds = any(label.log_odds for _, label in explained if label)
    axes.set_xlabel("SHAP value (log-odds)" if log_odds else "SHAP value", fontsize=11)
    axes.set_title(_plain(title), fontsize=12, loc="left")
    axes.legend(fontsize=9, loc="best")
    axes.grid(True, axis="x", alpha=0.3)
    return _png(figure)


def _png(figure: Figure) -> bytes:
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def _short(text: str) -> str:
    return text if len(text) <= 14 else text[:13] + "…"


def _plain(text: str) -> str:
    printable = "".join(ch for ch in text if ch.isprintable())
    if len(printable) > _NAME:
        printable = printable[: _NAME - 1] + "…"
    return printable.replace("$", r"\$")


def charts_of(subject: str, shown: Sequence[Prediction]) -> list[tuple[str, str, bytes]]:
    """(file name, title, PNG) for an answer: a waterfall for one explained prediction, one
    signed bar chart for several; none when nothing is explained."""
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in subject)[-60:] or "endpoint"
    explained = [p for p in shown if p.main is not None]
    if len(shown) == 1 and explained:
        main = explained[0].main
        assert main is not None
        title = f"{subject}: why {_short(explained[0].inference_id or explained[0].id)}"
        if main.label:
            title += f" ({main.label})"
        return [(f"explain-{safe}.png", title, waterfall_png(title, main))]
    png = signed_bars_png(f"{subject}: {len(explained)} predictions", explained)
    return [(f"explain-{safe}.png", f"{subject}: attributions", png)] if png else []
