"""What an explain answer is made of, whoever gathered it (an endpoint's capture through
AWS, or a folder of capture files) and whoever draws it (Slack, a terminal). Pure data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.explain.clarify import Explainer
from bot.explain.scan import Scan, Selection


@dataclass(frozen=True)
class CaptureSite:
    """An endpoint's data capture and explainer, as its endpoint config says."""

    endpoint: str
    config: str | None
    destination: str | None  # DataCaptureConfig.DestinationS3Uri
    capturing: bool  # EnableCapture
    explainer: Explainer | None


@dataclass(frozen=True)
class GlobalView:
    """Global attributions: where they come from, and label -> [(feature, mean |SHAP|)]."""

    source: str
    when: datetime | None
    attributions: dict[str, list[tuple[str, float]]]


@dataclass
class Explained:
    subject: str  # the endpoint, or the location read
    selection: Selection
    site: CaptureSite | None = None  # None: capture files given directly
    scan: Scan | None = None  # None: nothing captured to read
    global_view: GlobalView | None = None
    notes: list[str] = field(default_factory=list)  # mrkdwn: what --live did
