"""`/mlpulse incidents`."""

from __future__ import annotations

from bot.core.text import clip
from commands.base import Args, Context, Reply
from notifiers.incident_blocks import state_line

SLOW = False
_SHOWN = 20


def handle(ctx: Context, args: Args) -> Reply:
    """incidents — the incidents not yet resolved, newest first.

    /mlpulse incidents
    """
    unresolved = sorted(ctx.store.unresolved_incidents(), key=lambda i: i.id, reverse=True)
    if not unresolved:
        return Reply(text=":white_check_mark: No open incidents.", public=args.public)
    lines = [f"*{len(unresolved)} incident(s) not resolved:*"]
    for incident in unresolved[:_SHOWN]:
        lines.append(f"{state_line(incident)} — {clip(incident.title, 120)}")
    if len(unresolved) > _SHOWN:
        lines.append(f"…and {len(unresolved) - _SHOWN} more.")
    lines.append("Act on one with `/mlpulse ack ID`, `resolve ID` or `snooze ID 2h`.")
    return Reply(text="\n".join(lines), public=args.public)
