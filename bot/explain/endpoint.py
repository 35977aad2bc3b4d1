"""The whole `/mlpulse explain ENDPOINT` answer, gathered from AWS.

DescribeEndpoint gives the endpoint config's name; DescribeEndpointConfig its
`DataCaptureConfig.DestinationS3Uri` and its `ExplainerConfig` (DescribeEndpoint's own
summaries stand in when the config cannot be read). The capture files are read newest
first (bot.explain.capture_files, bot.explain.scan). An endpoint whose predictions carry no
explanation gets, where there is one, the global feature attributions of its latest Model
Monitor feature-attribution (ModelExplainability) execution: its `analysis.json`.
`--live` re-invokes the endpoint for the shown records captured without an explanation
(bot.explain.live).
"""

from __future__ import annotations

import json
from typing import Any

from bot.aws.calls import call
from bot.aws.errors import AwsError
from bot.core.errors import UserError
from bot.drift.clarify import by_label, global_attributions
from bot.drift.files import read_one
from bot.drift.s3folder import join
from bot.drift.schedules import latest_executions
from bot.explain.answer import CaptureSite, Explained, GlobalView
from bot.explain.capture_files import capture_files
from bot.explain.clarify import explainer_of
from bot.explain.scan import Selection, scan

EXPLAINABILITY = "ModelExplainability"  # Model Monitor's feature-attribution monitor


def capture_site(sagemaker: Any, endpoint: str) -> CaptureSite:
    described = call(
        sagemaker, "describe_endpoint", what=f"endpoint {endpoint}", EndpointName=endpoint
    )
    name = described.get("EndpointConfigName")
    config: dict[str, Any] = {}
    if isinstance(name, str) and name:
        try:
            config = call(sagemaker, "describe_endpoint_config", EndpointConfigName=name)
        except AwsError:  # the endpoint's own summary still says where capture goes
            config = {}
    capture = config.get("DataCaptureConfig") or described.get("DataCaptureConfig") or {}
    destination = capture.get("DestinationS3Uri") if isinstance(capture, dict) else None
    return CaptureSite(
        endpoint=endpoint,
        config=name if isinstance(name, str) else None,
        destination=destination if isinstance(destination, str) and destination else None,
        capturing=isinstance(capture, dict) and capture.get("EnableCapture", True) is not False,
        explainer=explainer_of(config) or explainer_of(described),
    )


def explain_endpoint(
    sagemaker: Any, s3: Any, endpoint: str, selection: Selection, runtime: Any = None
) -> Explained:
    """The answer's facts; `runtime` (a sagemaker-runtime client) asks for `--live`."""
    site = capture_site(sagemaker, endpoint)
    explained = Explained(endpoint, selection, site)
    if site.destination:
        files = capture_files(s3, site.destination, endpoint, selection.since)
        explained.scan = scan(files, selection, site.explainer)
    if runtime is not None and explained.scan is not None:
        from bot.explain.live import explain_live

        explained.notes += explain_live(runtime, site, explained.scan)
    shown = explained.scan.shown if explained.scan else []
    if not any(p.explained for p in shown):
        explained.global_view = latest_global(sagemaker, s3, endpoint)
    return explained


def latest_global(sagemaker: Any, s3: Any, endpoint: str) -> GlobalView | None:
    """The latest feature-attribution execution's global attributions, if there is one."""
    try:
        executions = latest_executions(sagemaker, endpoint)
    except UserError:  # no schedule, or no monitoring API to ask
        return None
    for execution in executions:
        if execution.monitor != EXPLAINABILITY or not execution.output:
            continue
        location = join(execution.output, "analysis.json")
        try:
            document = json.loads(read_one(location, lambda: s3))
        except (UserError, ValueError):
            continue
        found = by_label(global_attributions(document))
        if found:
            return GlobalView(f"schedule {execution.schedule}", execution.scheduled, found)
    return None
