"""A Model Monitor alert that says *what* drifted: when an execution finishes with
violations, its `constraint_violations.json` is read from the report location and the
violations are summarised into the alert. Best effort and bounded: a report that cannot
be read leaves the alert as it was, never holds it back."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from bot.core.errors import UserError
from bot.core.events import Event, Fact, Kind, Outcome
from bot.drift.files import read_one
from bot.drift.summary import violation_summary

log = logging.getLogger(__name__)
_REPORT = "constraint_violations.json"


def monitor_enricher(
    s3: Callable[[], Any], s3_of: Callable[[Event], Any | None] | None = None
) -> Callable[[Event], Event]:
    """An `Event -> Event` step for the pipeline; `s3` makes the bot's own S3 client when
    needed, `s3_of` gives the client of the event's own account when mlpulse has one (a
    member account's, through its role: bot.aws.accounts), else None."""

    def enrich(event: Event) -> Event:
        if event.kind != Kind.MODEL_MONITOR or event.outcome != Outcome.DEGRADED:
            return event
        location = event.fact("Report")
        if not location or not location.startswith("s3://"):
            return event
        try:
            member = s3_of(event) if s3_of is not None else None
            client = (lambda: member) if member is not None else s3
            document = json.loads(read_one(location.rstrip("/") + "/" + _REPORT, client))
        except (UserError, ValueError) as error:  # a refused role among them
            log.info("no violations report for %s: %s", event.name, error)
            return event
        if not isinstance(document, dict):
            return event
        summary = violation_summary(document)
        facts = (*event.facts, Fact(label="Violations", value=summary, long=True))
        return event.model_copy(update={"facts": facts})

    return enrich
