"""`/mlpulse drift ENDPOINT`: the latest Model Monitor result of every monitor on an endpoint.

For each monitoring schedule on the endpoint (data quality, model quality, bias drift,
feature attribution drift): the latest execution, its status and violations, worst first,
with baseline against current figures; a chart of the worst violated feature's
distribution; and, when the message cannot hold every violation, the full report as a
Markdown file. The work is in bot.drift.monitors.
"""

from __future__ import annotations

import re

from bot.core.errors import InputError
from commands.base import Args, Chart, Context, Reply
from commands.locate import endpoint_clients, under_header

SLOW = True
_ENDPOINT_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")  # SageMaker's pattern
_USAGE = "usage: `/mlpulse drift ENDPOINT`, e.g. `/mlpulse drift churn-prod`"


def handle(ctx: Context, args: Args) -> Reply:
    """drift ENDPOINT — latest Model Monitor results: violations, baseline vs current, chart.

    /mlpulse drift churn-prod
    """
    if len(args.words) != 1:
        raise InputError(_USAGE)
    endpoint = args.words[0]
    if not _ENDPOINT_NAME.match(endpoint):
        raise InputError(f"`{endpoint[:70]}` is not an endpoint name; {_USAGE}")
    # numpy, scipy and matplotlib load on first use, not at start-up.
    from bot.drift.monitors import endpoint_drift

    located = endpoint_clients(ctx, args, endpoint)  # in the account and region that has it
    if isinstance(located, Reply):
        return located
    aws, where = located
    drift = endpoint_drift(aws.sagemaker, aws.s3, endpoint)
    files: list[Chart] = []
    if drift.chart is not None:
        feature, png = drift.chart
        files.append(
            Chart(
                filename=f"drift-{endpoint}-{_safe(feature)}.png",
                title=f"{feature[:100]}: baseline vs current",
                png=png,
            )
        )
    if drift.full_report is not None:
        # Not a picture: Chart is the one file type a Reply carries; its bytes are the
        # report's Markdown and the file name says so, which is all files_upload_v2 needs.
        filename, text = drift.full_report
        files.append(Chart(filename=filename, title="Full drift report", png=text.encode()))
    return Reply(
        text=drift.payload["text"],
        blocks=under_header(drift.payload["blocks"], where),
        charts=files,
        public=args.public,
    )


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)[:60] or "feature"
