"""The event that tells how an approval ended, in its resource's thread and on its root.

It is the asking event again, as of the moment it ended: its status says the outcome
(`Approved`, `Rejected`, `Expired`, `Decided in AWS`), and its approval carries the line
that takes the buttons' place (notifiers.approval_wording): who, when, the comment and
AWS's request id.
It goes through intake like any event, so delivery updates the root (a newer state: the
buttons go) and threads the line under it, paced and retried as every post is. Its id
names the approval and the outcome: told twice, it is posted once.
"""

from __future__ import annotations

from datetime import datetime

from bot.core.approvals import Approval, ApprovalState
from bot.core.events import Event, Outcome
from notifiers.approval_wording import STATUS, outcome_line

_OUTCOME = {
    ApprovalState.APPROVED: Outcome.SUCCEEDED,
    ApprovalState.REJECTED: Outcome.STOPPED,
    ApprovalState.EXPIRED: Outcome.STOPPED,
    ApprovalState.CLOSED: Outcome.UNKNOWN,
}
SOURCE = "mlpulse"
DETAIL_TYPE = "mlpulse approval outcome"


def outcome_event(approval: Approval, now: datetime) -> Event:
    asked = Event.model_validate_json(approval.event)
    ask = (
        asked.approval.model_copy(update={"outcome": outcome_line(approval)})
        if (asked.approval is not None)
        else None
    )
    return asked.model_copy(
        update={
            "id": f"approval:{approval.id}:{approval.state.value}",
            "status": STATUS.get(approval.state, approval.state.value),
            "outcome": _OUTCOME.get(approval.state, Outcome.UNKNOWN),
            "time": now,
            "time_known": True,
            "time_source": "event",
            "previous_status": None,
            "reason": None,
            "source": SOURCE,
            "detail_type": DETAIL_TYPE,
            "approval": ask,
            "failed_part": None,
            "envelope": "mlpulse",
        }
    )
