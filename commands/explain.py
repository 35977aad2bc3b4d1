"""`/mlpulse explain ENDPOINT`: why the model predicted what it did, per prediction.

Reads the endpoint's data capture and, where SageMaker Clarify online explainability is
on, the SHAP attributions captured with each prediction. The work is in bot.explain.
`--live` (admins only) asks the endpoint again, with explanations, for shown predictions
that were captured without one.
"""

from __future__ import annotations

import re

from bot.core.durations import parse_duration
from bot.core.errors import InputError
from bot.core.incident import Source
from bot.explain.scan import Selection
from bot.explain.where import parse_where
from commands.base import Args, Chart, Context, Reply
from commands.display import fit
from commands.locate import endpoint_clients, under_header
from commands.permissions import is_admin

SLOW = True
MOST = 20  # --last at most
_ENDPOINT_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")  # SageMaker's pattern
_USAGE = (
    "usage: `/mlpulse explain ENDPOINT [--last 3] [--id EVENT_ID] [--since 1h] "
    "[--where 'score>0.9'] [--live]`"
)


def handle(ctx: Context, args: Args) -> Reply:
    """explain ENDPOINT [--last N] [--id ID] [--since 1h] [--where EXPR] — why it predicted that.

    /mlpulse explain fraud-prod --since 1h
    """
    if not args.words:
        raise InputError(_USAGE)
    endpoint, rest = args.words[0], args.words[1:]
    if not _ENDPOINT_NAME.match(endpoint):
        raise InputError(f"`{endpoint[:70]}` is not an endpoint name; {_USAGE}")
    if rest and "where" not in args.options:
        raise InputError(_USAGE)
    from bot.explain.chart import charts_of
    from bot.explain.endpoint import explain_endpoint
    from bot.explain.render import render_explained

    selection = _selection(ctx, args, rest)
    live = "live" in args.options
    if live and not (ctx.is_admin or is_admin(ctx.config, ctx.user_id)):
        ctx.store.record_refusal(
            ctx.user_id, "/mlpulse explain --live", ctx.clock.now(), source=Source.COMMAND
        )
        admins = ", ".join(f"<@{a}>" for a in ctx.config.permissions.admins[:5]) or "none are set"
        return Reply(text=f"`--live` invokes the endpoint, so it is for admins. Admins: {admins}.")
    located = endpoint_clients(ctx, args, endpoint)  # in the account and region that has it
    if isinstance(located, Reply):
        return located
    aws, where = located
    runtime = aws.client("sagemaker-runtime") if live else None
    explained = explain_endpoint(aws.sagemaker, aws.s3, endpoint, selection, runtime)
    payload = render_explained(explained)
    payload["blocks"] = under_header(payload["blocks"], where)
    shown = explained.scan.shown if explained.scan else []
    charts = [Chart(name, title, png) for name, title, png in charts_of(endpoint, shown)]
    return Reply(
        text=payload["text"], blocks=fit(payload["blocks"]), charts=charts, public=args.public
    )


def _selection(ctx: Context, args: Args, rest: tuple[str, ...]) -> Selection:
    options = args.options
    last = options.get("last", "3")
    if not last.isdigit() or not 1 <= int(last) <= MOST:
        raise InputError(f"`--last` takes a number from 1 to {MOST}, like `--last 5`")
    since = None
    if "since" in options:
        try:
            since = ctx.clock.now() - parse_duration(options["since"])
        except ValueError as error:
            raise InputError(f"`--since`: {error}") from None
    where = None
    if "where" in options:
        where = parse_where(" ".join([options["where"], *rest]))
    return Selection(last=int(last), id=options.get("id"), since=since, where=where)
