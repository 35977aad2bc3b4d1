"""`/mlpulse silences`."""

from __future__ import annotations

from bot.core.text import code_span, escape
from commands.base import Args, Context, Reply
from notifiers.times import local_time

SLOW = False


def handle(ctx: Context, args: Args) -> Reply:
    """silences — the silences in force, who set them and how many alerts they hold.

    /mlpulse silences
    """
    active = ctx.store.active_silences(ctx.clock.now())
    if not active:
        return Reply(text="No silences in force.", public=args.public)
    lines = [f"*{len(active)} silence(s) in force:*"]
    for silence in active[:30]:
        lines.append(
            f"• {code_span(silence.pattern, 200)} until {local_time(silence.expires_at)}, "
            f"set by <@{escape(silence.created_by)}>, {silence.held} alert(s) held"
        )
    return Reply(text="\n".join(lines), public=args.public)
