"""`/mlpulse ack ID`."""

from __future__ import annotations

from bot.core.incident import Action
from commands.base import Args, Context, Reply
from commands.incident_args import act

SLOW = False
USAGE = "/mlpulse ack ID"


def handle(ctx: Context, args: Args) -> Reply:
    """ack ID — acknowledge an incident: you are on it, reminders stop.

    /mlpulse ack 12
    """
    return act(ctx, args, Action.ACK, USAGE, "You acknowledged incident #{number}.")
