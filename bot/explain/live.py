"""`--live`: explain shown predictions that were captured without an explanation by invoking
the endpoint again with their captured input and `EnableExplanations` set to `` `true` ``
(sagemaker-runtime InvokeEndpoint; AWS "Invoke the endpoint": the parameter overrides the
explainer's own condition). Only for endpoints with a Clarify explainer, at most `MOST`
invocations per answer, and only for admins (commands.explain). The IAM permission it needs,
`sagemaker:InvokeEndpoint`, is a separate, optional policy: deploy/explain-live-policy.yaml.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.aws.calls import call
from bot.core.errors import UserError
from bot.core.text import code_span, escape
from bot.explain.answer import CaptureSite
from bot.explain.capture import CaptureRecord, Payload
from bot.explain.predictions import predictions_of
from bot.explain.scan import Scan

MOST = 3
ALWAYS = "`true`"  # a JMESPath literal: explain every record


def explain_live(runtime: Any, site: CaptureSite, found: Scan) -> list[str]:
    """Replace unexplained predictions in `found.shown` by fresh explained ones; what was
    done, one note each (mrkdwn, escaped)."""
    waiting = [
        position
        for position, prediction in enumerate(found.shown)
        if not prediction.explained and prediction.request is not None
    ]
    if not waiting:
        return []
    if site.explainer is None:
        return [
            f"`--live` needs online explainability on {code_span(site.endpoint, 80)} (see above)."
        ]
    notes = []
    for position in waiting[:MOST]:
        captured = found.shown[position]
        request = captured.request
        assert request is not None  # chosen above
        kind = request.content_type or "text/csv"
        try:
            answer = call(
                runtime,
                "invoke_endpoint",
                what=f"endpoint {site.endpoint}",
                EndpointName=site.endpoint,
                ContentType=kind,
                Accept=kind,
                Body=request.text.encode("utf-8"),
                EnableExplanations=ALWAYS,
            )
            body = answer["Body"].read().decode("utf-8", errors="replace")
        except UserError as error:
            notes.append(
                f"Could not re-invoke for {code_span(captured.id, 80)}: {escape(str(error))}"
            )
            continue
        record = CaptureRecord(
            captured.event_id,
            captured.inference_id,
            captured.time,
            request,
            Payload("application/json", "json", body),
            source="live",
            line=0,
        )
        fresh = predictions_of(record, site.explainer)
        if captured.index < len(fresh) and fresh[captured.index].explained:
            found.shown[position] = replace(
                fresh[captured.index], id=captured.id, where=f"live, input of {captured.where}"
            )
            notes.append(
                f"{code_span(captured.id, 80)} explained live: the endpoint was invoked again."
            )
        else:
            notes.append(
                f"The endpoint answered {code_span(captured.id, 80)} without an explanation."
            )
    if len(waiting) > MOST:
        notes.append(f"{len(waiting) - MOST} more left unexplained (at most {MOST} live calls).")
    return notes
