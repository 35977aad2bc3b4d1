"""`/mlpulse approvals`."""

from __future__ import annotations

from bot.core.approvals import ApprovalState
from bot.core.durations import short_duration
from bot.core.text import clip, escape
from commands.base import Args, Context, Reply
from notifiers.approval_blocks import deciders
from notifiers.times import Style, local_time

SLOW = False
_SHOWN = 20


def handle(ctx: Context, args: Args) -> Reply:
    """approvals — the approvals waiting for a decision, with their age and expiry.

    /mlpulse approvals
    """
    if ctx.approvals is None:
        return Reply(text="Approvals are not available in this mlpulse.", public=args.public)
    now = ctx.clock.now()
    waiting = [a for a in ctx.approvals.pending() if not a.expired(now)]
    if not waiting:
        return Reply(text=":white_check_mark: No approvals are waiting.", public=args.public)
    lines = [f"*{len(waiting)} approval(s) waiting:*"]
    for approval in waiting[:_SHOWN]:
        age = short_duration(max(now - approval.requested_at, now - now))
        expires = (
            f", expires {local_time(approval.deadline, Style.DATETIME)}"
            if approval.deadline
            else ""
        )
        deciding = (
            f" — <@{escape(approval.actor or '?')}> is deciding"
            if approval.state is ApprovalState.DECIDING
            else ""
        )
        allowed = ctx.approvals.deciders(approval)
        lines.append(
            f"• {clip(approval.title, 200)}: waiting {age}{expires}{deciding}"
            f"\n    may decide: {deciders(allowed)}"
        )
    if len(waiting) > _SHOWN:
        lines.append(f"…and {len(waiting) - _SHOWN} more.")
    lines.append("Decide one with the Approve or Reject buttons on its message.")
    return Reply(text="\n".join(lines), public=args.public)
