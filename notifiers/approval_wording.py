"""What mlpulse says of an approval (issue 19): the line that takes the buttons' place once
it is decided, and the private answers to the person who clicked. Every outside string is
escaped; times are Slack date tokens (notifiers.times)."""

from __future__ import annotations

from datetime import datetime

from bot.core.approvals import Approval, ApprovalState, Verdict
from bot.core.text import clip, escape
from notifiers.approval_blocks import deciders
from notifiers.times import Style, local_time
from notifiers.wording import user

_COMMENT_CHARS = 1000
_DONE = {
    ApprovalState.APPROVED: (":white_check_mark:", "Approved"),
    ApprovalState.REJECTED: (":no_entry:", "Rejected"),
    ApprovalState.EXPIRED: (":hourglass:", "Expired"),
    ApprovalState.CLOSED: (":information_source:", "Decided in AWS"),
}
STATUS = {state: word for state, (_, word) in _DONE.items()}


def outcome_line(approval: Approval) -> str:
    """`:white_check_mark: *Approved* by @x at 10:02: looks good`, for the message itself."""
    icon, word = _DONE.get(approval.state, (":grey_question:", approval.state.value))
    at = approval.decided_at or approval.deadline
    when = f" at {local_time(at, Style.DATETIME)}" if at is not None else ""
    if approval.state in (ApprovalState.APPROVED, ApprovalState.REJECTED):
        line = f"{icon} *{word}* by {user(approval.actor or '?')}{when}"
        if approval.comment:
            line += f": {clip(approval.comment, _COMMENT_CHARS)}"
        if approval.request_id:
            line += f"\n_AWS request id {escape(approval.request_id)}_"
        return line
    why = f" ({escape(approval.note)})" if approval.note else ""
    return f"{icon} *{word}*{when}{why}; it can no longer be decided from Slack."


def done(approval: Approval) -> str:
    verb = "approved" if approval.verdict is Verdict.APPROVE else "rejected"
    request = f" AWS request id: {escape(approval.request_id)}." if approval.request_id else ""
    return f"You {verb} {clip(approval.title, 300)}.{request}"


def not_open(approval: Approval, now: datetime) -> str:
    """Why `approval` cannot be decided (any more), for someone who tried."""
    title = clip(approval.title, 300)
    if approval.state is ApprovalState.DECIDING:
        verb = "approving" if approval.verdict is Verdict.APPROVE else "rejecting"
        return f"{user(approval.actor or '?')} is {verb} {title} right now."
    if approval.state in (ApprovalState.APPROVED, ApprovalState.REJECTED):
        verb = STATUS[approval.state].lower()
        at = local_time(approval.decided_at or now, Style.TIME)
        return f"{title} was already {verb} by {user(approval.actor or '?')} at {at}."
    if approval.state is ApprovalState.EXPIRED or approval.expired(now):
        at = local_time(approval.deadline or now, Style.DATETIME)
        return f"{title} expired at {at}; nothing was sent to AWS."
    why = f" ({escape(approval.note)})" if approval.note else ""
    return f"{title} was already decided in AWS{why}; nothing was sent from here."


def refused(approval: Approval, allowed: tuple[str, ...]) -> str:
    return (
        f"You may not decide {clip(approval.title, 300)}: config `permissions.approvers` "
        f"names who may for `{escape(approval.subject)}`: {deciders(allowed)}."
    )


def aws_failed(approval: Approval, error: str) -> str:
    return (
        f"AWS did not take the decision on {clip(approval.title, 300)}: {clip(error, 500)}. "
        "It is still pending; nothing changed. Please try again."
    )


UNKNOWN = "mlpulse does not know that approval (it may be older than its store keeps)."
COMMENT_NEEDED = "Say why you reject it: the pipeline's team reads this."
