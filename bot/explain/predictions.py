"""A captured invocation made into `Prediction`s (bot.explain.model): one per record.

The input's records, the output's records and the explanation's records are matched by
position. A one-line CSV output with one value per input record (`0.6,0.3` for two rows)
is read as one value each. Feature names come from the explanation (`feature_header`),
else the explainer's `FeatureHeaders`, else the input's JSON keys, else `feature_1`, ...

The output's named fields (what `--where` compares): `prediction` (the predicted label or
value) and `score` (the explained score) always when found, each label's score under its
name when the model scores several, and a JSON output object's own keys.
"""

from __future__ import annotations

import math
from typing import Any

from bot.drift.parse import number
from bot.explain.capture import CaptureRecord
from bot.explain.clarify import Explainer, FeatureAttribution, clarify_response
from bot.explain.model import LabelExplanation, Prediction, Value
from bot.explain.payloads import Cells, input_cells, records, shown

_SCORE_KEYS = ("score", "probability", "prob")
_LABEL_KEYS = ("predicted_label", "label", "prediction", "class")
_SCORES_KEYS = ("scores", "probabilities", "probs")


def predictions_of(record: CaptureRecord, explainer: Explainer | None = None) -> list[Prediction]:
    explainer = explainer or Explainer()
    clarify = clarify_response(record.output)
    inputs = records(record.input)
    outputs = records(clarify.predictions if clarify else record.output)
    explanations = list(clarify.explanations) if clarify else []
    single = len(outputs) == 1 and isinstance(outputs[0], list) and len(inputs) > 1
    if single and len(outputs[0]) == len(inputs):  # `0.6,0.3`: one value per record
        outputs = [[cell] for cell in outputs[0]]
    headers = (clarify.label_headers if clarify else ()) or explainer.label_headers
    count = max(len(inputs), len(outputs), len(explanations), 1)
    # A record left unexplained takes its feature names from an explained one beside it.
    named = next((e for e in explanations if e and all(a.name for a in e)), None)
    made = []
    for index in range(count):
        explanation = explanations[index] if index < len(explanations) else None
        cells = (
            input_cells(inputs[index], explainer.features_attribute) if index < len(inputs) else []
        )
        output = outputs[index] if index < len(outputs) else None
        fields, scores = _fields(output, headers, explainer)
        names = _names(cells, explanation or named, explainer)
        made.append(
            Prediction(
                id=_id(record, index, count),
                event_id=record.event_id,
                inference_id=record.inference_id,
                time=record.time,
                inputs=tuple(zip(names, (value for _, value in cells), strict=False)),
                output=_output_text(output),
                fields=fields,
                labels=_labels(explanation, names, headers, fields, scores, explainer),
                where=f"{record.source}:{record.line}",
                request=record.input,
                index=index,
            )
        )
    return made


def _id(record: CaptureRecord, index: int, count: int) -> str:
    base = record.event_id or record.inference_id or f"{record.source}:{record.line}"
    return base if count == 1 else f"{base}#{index + 1}"


def _names(
    cells: Cells, explanation: tuple[FeatureAttribution, ...] | None, explainer: Explainer
) -> list[str]:
    width = max(len(cells), len(explanation or ()))
    from_explanation = [a.name for a in explanation or ()]
    if explanation and all(from_explanation) and len(from_explanation) == width:
        return [str(name) for name in from_explanation]
    if len(explainer.feature_headers) >= width and width:
        return list(explainer.feature_headers[:width])
    if cells and all(name for name, _ in cells):
        return [str(name) for name, _ in cells]
    return [f"feature_{n + 1}" for n in range(width)]


def _output_text(output: Any) -> str:
    if output is None:
        return ""
    if isinstance(output, list) and all(isinstance(cell, str) for cell in output):
        return ",".join(output)
    return shown(output)


def _fields(
    output: Any, headers: tuple[str, ...], explainer: Explainer
) -> tuple[dict[str, Value], list[float]]:
    """The output's named fields, and its scores in order (one per label, when several)."""
    fields: dict[str, Value] = {}
    if isinstance(output, dict):
        for key, value in output.items():
            if (found := number(value)) is not None:
                fields[str(key)] = found
            elif isinstance(value, str):
                fields[str(key)] = value
        listed = next((output[k] for k in _SCORES_KEYS if isinstance(output.get(k), list)), None)
        scores = [n for v in listed or [] if (n := number(v)) is not None]
        keys = [explainer.probability_attribute, *_SCORE_KEYS]
        score = next((fields[k] for k in keys if k and isinstance(fields.get(k), float)), None)
        label = next((fields[k] for k in _LABEL_KEYS if k in fields), None)
    else:
        cells = output if isinstance(output, list) else [] if output is None else [output]
        scores = [n for cell in cells if (n := number(cell)) is not None]
        score, label = None, None
        index = explainer.probability_index
        if index is not None and index < len(cells):
            score = number(cells[index])
        elif len(cells) == 1:
            score = scores[0] if scores else None
            label = cells[0] if score is None else score
        elif cells and len(scores) != len(cells):
            label = shown(cells[0])  # `label,score`
            score = scores[-1] if scores else None
        if label is None and cells and len(scores) != len(cells):
            label = shown(cells[0])
    if len(scores) > 1 and len(headers) == len(scores):
        for name, value in zip(headers, scores, strict=True):
            fields.setdefault(name, value)
        best = max(range(len(scores)), key=lambda i: scores[i])
        label = label if label is not None else headers[best]
        score = score if score is not None else scores[best]
    if label is None and score is not None:
        label = score
    if label is not None:
        fields.setdefault("prediction", label)
    if score is not None:
        fields.setdefault("score", score)
    return fields, scores


def _labels(
    explanation: tuple[FeatureAttribution, ...] | None,
    names: list[str],
    headers: tuple[str, ...],
    fields: dict[str, Value],
    scores: list[float],
    explainer: Explainer,
) -> tuple[LabelExplanation, ...]:
    if not explanation:
        return ()
    width = max(len(a.values) for a in explanation)
    made = []
    for j in range(width):
        attributions = tuple(
            (names[i] if i < len(names) else f"feature_{i + 1}", a.values[j])
            for i, a in enumerate(explanation)
            if j < len(a.values)
        )
        if width == 1:
            label = headers[0] if len(headers) == 1 else None
            found = fields.get("score")
            score = found if isinstance(found, float) else None
        else:
            label = headers[j] if len(headers) == width else f"label {j}"
            score = scores[j] if len(scores) == width else None
        made.append(
            LabelExplanation(
                label=label,
                score=score,
                expected=_expected(score, attributions, explainer.use_logit),
                attributions=attributions,
                log_odds=explainer.use_logit,
            )
        )
    return tuple(made)


def _expected(
    score: float | None, attributions: tuple[tuple[str, float], ...], log_odds: bool
) -> float | None:
    """Kernel SHAP is additive: prediction = expected value + the attributions' sum."""
    if score is None:
        return None
    if log_odds:
        if not 0.0 < score < 1.0:
            return None
        score = math.log(score / (1.0 - score))
    return score - sum(value for _, value in attributions)
