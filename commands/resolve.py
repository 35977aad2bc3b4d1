"""`/mlpulse resolve ID`."""

from __future__ import annotations

from bot.core.incident import Action
from commands.base import Args, Context, Reply
from commands.incident_args import act

SLOW = False
USAGE = "/mlpulse resolve ID"


def handle(ctx: Context, args: Args) -> Reply:
    """resolve ID — mark an incident resolved.

    /mlpulse resolve 12
    """
    return act(ctx, args, Action.RESOLVE, USAGE, "You resolved incident #{number}.")
