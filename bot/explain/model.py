"""One explained prediction, as every answer shows it (Slack, terminal, chart).

`Prediction` is one record of one invocation: its ids and time, the input values by
feature, the output as captured, the output's named fields (what `--where` compares), and
one `LabelExplanation` per label the explainer explained (none: not explained). Pure data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.explain.capture import Payload

Value = float | str


@dataclass(frozen=True)
class LabelExplanation:
    label: str | None  # None for a model with one output
    score: float | None  # the model's output for this label, when it could be found
    expected: float | None  # the baseline: score minus the attributions' sum
    attributions: tuple[tuple[str, float], ...]  # (feature, SHAP value), in feature order
    log_odds: bool = False  # attributions in log-odds (ShapConfig.UseLogit)

    def strongest(self, count: int) -> list[tuple[str, float]]:
        """The `count` attributions of largest magnitude, strongest first."""
        ranked = sorted(self.attributions, key=lambda item: (-abs(item[1]), item[0]))
        return ranked[:count]

    def pushing(self, up: bool, count: int) -> list[tuple[str, float]]:
        """The features that push the prediction up (or down) most, strongest first."""
        side = [item for item in self.attributions if (item[1] > 0 if up else item[1] < 0)]
        return sorted(side, key=lambda item: (-abs(item[1]), item[0]))[:count]


@dataclass(frozen=True)
class Prediction:
    id: str  # the event id; `#2` after it for the 2nd record of a batch request
    event_id: str | None
    inference_id: str | None
    time: datetime | None
    inputs: tuple[tuple[str, str], ...]  # (feature, value as captured)
    output: str  # the prediction as captured, for this record
    fields: dict[str, Value] = field(default_factory=dict)  # `prediction`, `score`, ...
    labels: tuple[LabelExplanation, ...] = ()
    where: str = ""  # file:line it was read from
    request: Payload | None = None  # the invocation's whole input, for `--live`
    index: int = 0  # this record's place in a batch request

    @property
    def explained(self) -> bool:
        return any(label.attributions for label in self.labels)

    @property
    def main(self) -> LabelExplanation | None:
        """The label to show: the one the model scored highest (the only one, mostly)."""
        explained = [label for label in self.labels if label.attributions]
        if not explained:
            return None
        scored = [label for label in explained if label.score is not None]
        if len(scored) > 1:
            return max(scored, key=lambda label: label.score or 0.0)
        return explained[0]

    def input_value(self, feature: str) -> str | None:
        return next((value for name, value in self.inputs if name == feature), None)

    def matches(self, wanted: str) -> bool:
        return wanted in (self.id, self.event_id, self.inference_id)
