"""The words of an explain answer, once, for Slack (mrkdwn, escaped) and the terminal
(plain) alike: a `Style` says how code, emphasis, AWS text and times are written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.explain.answer import Explained, GlobalView
from bot.explain.model import LabelExplanation, Prediction, Value
from bot.explain.scan import Scan, Selection

TOP = 5  # features listed per side
TABLE_FEATURES = 3
_ID = 16


@dataclass(frozen=True)
class Style:
    code: Callable[[str], str]  # a name or value from the data, as code
    bold: Callable[[str], str]  # our own words, emphasised
    text: Callable[[str], str]  # data shown as prose (escaped for Slack)
    when: Callable[[datetime], str]


def figure(value: float | None) -> str:
    return "?" if value is None else f"{value:.4g}"


def signed(value: float) -> str:
    return f"{value:+.3g}".replace("-", "−")


def value_text(value: Value | None) -> str:
    return figure(value) if isinstance(value, float) else "?" if value is None else str(value)


def title(explained: Explained) -> str:
    shown = explained.scan.shown if explained.scan else []
    if len(shown) == 1:
        return f"Why {explained.subject} predicted {value_text(_predicted(shown[0]))}"
    return f"Why {explained.subject} predicted what it did"


def _predicted(prediction: Prediction) -> Value | None:
    main = prediction.main
    if main is not None and main.label is not None:
        return main.label
    return prediction.fields.get("prediction", prediction.output or None)


def prediction_head(prediction: Prediction, style: Style) -> str:
    """`*Prediction* 0.93 · *baseline* 0.12 · event e1 · time`."""
    main = prediction.main
    parts = [f"{style.bold('Prediction')} {style.code(value_text(_predicted(prediction)))}"]
    if main is not None and main.label is not None and main.score is not None:
        parts[0] += f" (score {figure(main.score)})"
    if main is not None:
        unit = " log-odds" if main.log_odds else ""
        parts.append(f"{style.bold('baseline')} {figure(main.expected)}{unit}")
    parts.append(f"event {style.code(prediction.id)}")
    if prediction.inference_id:
        parts.append(f"inference {style.code(prediction.inference_id)}")
    if prediction.time is not None:
        parts.append(style.when(prediction.time))
    return " · ".join(parts)


def pushes(prediction: Prediction, label: LabelExplanation, up: bool, style: Style) -> str | None:
    """The features pushing one way, with their input values and attributions."""
    found = label.pushing(up, TOP)
    if not found:
        return None
    lines = [style.bold("Pushing up" if up else "Pushing down")]
    for name, value in found:
        given = prediction.input_value(name)
        shown = f" = {style.code(given)}" if given is not None else ""
        lines.append(f"• {style.code(name)}{shown} → {signed(value)}")
    return "\n".join(lines)


def other_labels(prediction: Prediction, style: Style) -> str | None:
    main = prediction.main
    others = [label for label in prediction.labels if label is not main and label.label]
    if not others:
        return None
    listed = ", ".join(f"{style.code(str(o.label))} {figure(o.score)}" for o in others[:8])
    explained = style.code(str(main.label if main else "?"))
    return f"Other labels: {listed}. The attributions above are for {explained}."


def table(predictions: list[Prediction]) -> str:
    """Several predictions, one line each, as a fixed-width table (plain text)."""
    rows = [("time (UTC)", "event", "prediction", "baseline", "strongest features")]
    for prediction in predictions:
        main = prediction.main
        features = (
            ", ".join(f"{name} {signed(value)}" for name, value in main.strongest(TABLE_FEATURES))
            if main
            else "not explained"
        )
        rows.append(
            (
                prediction.time.strftime("%m-%d %H:%M:%S") if prediction.time else "?",
                _clipped(prediction.id, _ID),
                _clipped(value_text(_predicted(prediction)), 12),
                figure(main.expected) if main else "—",
                features,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row[:4], widths, strict=True))
        + "  "
        + row[4]
        for row in rows
    )


def absence(explained: Explained, style: Style) -> str | None:
    """Why there is no explanation to show, in one sentence with what to do, or None."""
    site, found = explained.site, explained.scan
    name = style.code(explained.subject)
    if site is not None and not site.destination:
        return (
            f"{name} captures no data: its endpoint config has no `DataCaptureConfig`. "
            "Turn data capture on (input and output) to explain its predictions."
        )
    if found is None or not found.shown or any(p.explained for p in found.shown):
        return None
    if site is not None and site.explainer is None:
        return (
            f"{name} has no online explainability: to enable it, give its endpoint config an "
            "`ExplainerConfig` (`ClarifyExplainerConfig` with a SHAP baseline and "
            "`InferenceConfig.FeatureHeaders`) and update the endpoint to that config."
        )
    if site is not None and site.explainer is not None:
        condition = site.explainer.enable_explanations
        why = (
            f" (its `EnableExplanations` condition {style.code(condition)} did not hold)"
            if condition
            else ""
        )
        return (
            f"{name} has online explainability, but these predictions were captured without "
            f"an explanation{why}. An admin can add `--live` to explain them now."
        )
    return "None of these captured predictions carries a Clarify explanation."


def scan_line(found: Scan, selection: Selection, style: Style) -> str:
    parts = [
        f"Read {found.scanned:,} prediction(s) from {found.files} capture file(s), newest first"
    ]
    if found.oldest and found.newest and found.oldest != found.newest:
        parts[0] += f" ({style.when(found.oldest)} to {style.when(found.newest)})"
    elif found.newest:
        parts[0] += f" ({style.when(found.newest)})"
    wanted = _wanted(selection, style)
    if wanted:
        parts.append(f"{found.matched:,} match {wanted}")
    if found.matched > len(found.shown):
        parts.append(f"the newest {len(found.shown)} shown")
    if found.capped:
        parts.append(f"stopped at {selection.most:,}: narrow it with `--since`")
    return "; ".join(parts) + "."


def _wanted(selection: Selection, style: Style) -> str:
    parts = []
    if selection.id:
        parts.append(f"id {style.code(selection.id)}")
    if selection.where:
        parts.append(style.code(str(selection.where)))
    if selection.since:
        parts.append(f"since {style.when(selection.since)}")
    return " and ".join(parts)


def nothing_found(explained: Explained, style: Style) -> str:
    selection = explained.selection
    wanted = _wanted(selection, style)
    if wanted:
        return f"No captured prediction of {style.code(explained.subject)} matches {wanted}."
    return f"No captured prediction found for {style.code(explained.subject)}."


def global_lines(view: GlobalView, style: Style) -> str:
    when = f", {style.when(view.when)}" if view.when else ""
    head = style.bold("Global feature attributions")
    lines = [f"{head} (mean |SHAP|, {style.text(view.source)}{when})"]
    for label, pairs in list(view.attributions.items())[:3]:
        listed = ", ".join(f"{style.code(name)} {figure(value)}" for name, value in pairs[:8])
        lines.append(f"• {style.code(label)}: {listed}")
    return "\n".join(lines)


def method_line(prediction: Prediction) -> str:
    return (
        "Kernel SHAP attributions from SageMaker Clarify online explainability; "
        "baseline = prediction − sum of attributions (the expected value)."
        if prediction.explained
        else ""
    )


def _clipped(text: str, most: int) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"
