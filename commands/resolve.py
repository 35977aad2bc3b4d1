"""`/mlpulse resolve ID`."""

from __future__ import annotations

from bot.incidents.model import Action, Source
from commands.base import Args, Context, Reply
from commands.incident_args import incident_id, outcome, service

SLOW = False
USAGE = "/mlpulse resolve ID"


def handle(ctx: Context, args: Args) -> Reply:
    """resolve ID — mark an incident resolved.

    /mlpulse resolve 12
    """
    number = incident_id(args, USAGE)
    result = service(ctx).act(number, Action.RESOLVE, ctx.user_id, Source.COMMAND)
    return outcome(result, f"You resolved incident #{number}.")
