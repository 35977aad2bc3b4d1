"""`/mlpulse ack ID`."""

from __future__ import annotations

from bot.incidents.model import Action, Source
from commands.base import Args, Context, Reply
from commands.incident_args import incident_id, outcome, service

SLOW = False
USAGE = "/mlpulse ack ID"


def handle(ctx: Context, args: Args) -> Reply:
    """ack ID — acknowledge an incident: you are on it, reminders stop.

    /mlpulse ack 12
    """
    number = incident_id(args, USAGE)
    result = service(ctx).act(number, Action.ACK, ctx.user_id, Source.COMMAND)
    return outcome(result, f"You acknowledged incident #{number}.")
