"""`/mlpulse silence PATTERN DURATION`."""

from __future__ import annotations

from bot.core.errors import InputError
from bot.core.text import escape
from commands.base import Args, Context, Reply
from commands.incident_args import duration, service
from notifiers.times import local_time

SLOW = False
USAGE = "/mlpulse silence PATTERN DURATION"


def handle(ctx: Context, args: Args) -> Reply:
    """silence PATTERN DURATION — hold back alerts whose resource name matches a glob, or of a kind.

    /mlpulse silence churn-xgb-* 2h
    """
    if len(args.words) < 2:
        raise InputError(f"what and for how long? Usage: `{USAGE}` (PATTERN: `name-*` or `alarm`)")
    pattern = args.words[0][:200]
    length = duration(args.words[1], USAGE)
    silence = service(ctx).silence(pattern, length, ctx.user_id, ctx.channel_id)
    return Reply(
        text=(
            f"Silenced `{escape(pattern)}` until {local_time(silence.expires_at)}. "
            "Matching alerts are stored and counted, not posted."
        )
    )
