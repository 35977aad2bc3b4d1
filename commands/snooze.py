"""`/mlpulse snooze ID DURATION`."""

from __future__ import annotations

from bot.core.incident import Action, Source
from commands.base import Args, Context, Reply
from commands.incident_args import duration, incident_id, outcome, service

SLOW = False
USAGE = "/mlpulse snooze ID DURATION"


def handle(ctx: Context, args: Args) -> Reply:
    """snooze ID DURATION — quiet an incident for a while; it comes back when the time is up.

    /mlpulse snooze 12 2h
    """
    number = incident_id(args, USAGE)
    length = duration(args.words[1] if len(args.words) > 1 else None, USAGE)
    result = service(ctx).act(number, Action.SNOOZE, ctx.user_id, Source.COMMAND, snooze=length)
    return outcome(result, f"You snoozed incident #{number} for {args.words[1]}.")
