"""A decision AWS waits on a person for, as data: a CodePipeline manual approval or a model
package pending manual approval (issue 19).

`ApprovalAsk` is what an event carries when it asks for one: found by the kind tables
(bot.kinds.approvals), completed and registered at intake (bot.approvals.asking), drawn
with Approve / Reject buttons (notifiers.approval_blocks). `Approval` is the record the
store keeps of it (bot.store roles `ApprovalStore`): pending until exactly one decision is
claimed (compare-and-set) and settled. Pure: no AWS, no Slack.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict

AskKind = Literal["codepipeline", "model_package"]
# How long a claimed decision may take (the AWS call) before another replica may take it
# over: the holder crashed. The AWS side refuses a second decision on one token or package
# state anyway (bot.approvals.service treats that as "decided elsewhere").
CLAIM = timedelta(minutes=2)
# CodePipeline fails a manual approval nobody decided after seven days; an event that does
# not say when (EventBridge's) is given that deadline.
CODEPIPELINE_TIMEOUT = timedelta(days=7)
# How long a settled record is kept (the store's retention reads `expires_at`).
KEPT = timedelta(days=90)


class Verdict(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


class ApprovalState(StrEnum):
    PENDING = "pending"
    DECIDING = "deciding"  # one replica claimed it and is calling AWS
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"
    CLOSED = "closed"  # decided in the console, or superseded by a later execution


SETTLED = frozenset(
    {ApprovalState.APPROVED, ApprovalState.REJECTED, ApprovalState.EXPIRED, ApprovalState.CLOSED}
)
VERDICT_STATE = {Verdict.APPROVE: ApprovalState.APPROVED, Verdict.REJECT: ApprovalState.REJECTED}


class ApprovalAsk(BaseModel):
    """What an event asks to be decided. `target` names what the decision call acts on
    (CodePipeline: pipeline, stage, action, token, execution; a model package: arn, group,
    version, metrics: its model quality report). `id` is set once the approval is registered
    (bot.approvals.asking); only then are buttons drawn. `outcome` replaces them once it is
    decided: mrkdwn, already escaped."""

    model_config = ConfigDict(frozen=True)

    kind: AskKind
    subject: str  # the pipeline name or model package group permissions.approvers match
    target: dict[str, str]
    id: str = ""
    deadline: datetime | None = None
    summary: str | None = None  # the pipeline's custom text for its approvers
    review: str | None = None  # the pipeline's link to what is to be approved
    deciders: tuple[str, ...] = ()  # Slack user and user group ids who may decide
    outcome: str | None = None
    asking: bool = True  # False: the event tells that AWS has it decided (in the console)


@dataclass(frozen=True)
class Approval:
    """The store's record of one approval. `event` is the asking event's JSON: whatever
    later tells of the approval (the decision's own event, `/mlpulse approvals`) reads its
    resource, title and links from it."""

    id: str
    kind: AskKind
    key: str  # the resource whose root message and thread the approval belongs to
    subject: str
    title: str
    target: dict[str, str]
    requested_at: datetime
    event: str
    deadline: datetime | None = None
    state: ApprovalState = ApprovalState.PENDING
    actor: str | None = None
    verdict: Verdict | None = None
    comment: str | None = None
    decided_at: datetime | None = None
    request_id: str | None = None
    note: str | None = None  # why it closed or expired, or the last AWS error
    claim_until: datetime | None = None

    @property
    def expires_at(self) -> int:
        """When the store may forget it (epoch seconds): long after any click could come."""
        last = max(filter(None, (self.requested_at, self.deadline, self.decided_at)))
        return int((last + KEPT).timestamp())

    def expired(self, now: datetime) -> bool:
        return self.deadline is not None and now >= self.deadline

    def claimable(self, now: datetime) -> bool:
        """Pending, or claimed by a replica whose claim ran out."""
        if self.state is ApprovalState.PENDING:
            return True
        return (
            self.state is ApprovalState.DECIDING
            and self.claim_until is not None
            and now >= self.claim_until
        )

    def claimed(self, actor: str, verdict: Verdict, comment: str, now: datetime) -> Approval:
        return replace(
            self,
            state=ApprovalState.DECIDING,
            actor=actor,
            verdict=verdict,
            comment=comment,
            decided_at=now,
            claim_until=now + CLAIM,
        )


def settled(
    current: Approval,
    state: ApprovalState,
    now: datetime,
    actor: str | None = None,
    request_id: str | None = None,
    note: str | None = None,
) -> Approval | None:
    """`current` ended in `state`, or None when it may not end so: a claimed approval is
    ended by its claimant (`actor`) only, a pending one by nobody's decision (it expired,
    or AWS has it decided already: `actor` None)."""
    if actor is not None:
        if current.state is not ApprovalState.DECIDING or current.actor != actor:
            return None
    elif current.state is not ApprovalState.PENDING:
        return None
    if state is ApprovalState.CLOSED or state is ApprovalState.EXPIRED:
        # Nobody here decided it: who tried is in the audit, not on the record.
        return replace(
            current, state=state, actor=None, verdict=None, comment=None, decided_at=now,
            claim_until=None, note=note,
        )  # fmt: skip
    return replace(current, state=state, request_id=request_id, claim_until=None, note=note)


def released(current: Approval, actor: str, note: str) -> Approval | None:
    """A claim given back: pending again, or None when `actor` holds no claim on it."""
    if current.state is not ApprovalState.DECIDING or current.actor != actor:
        return None
    return replace(
        current, state=ApprovalState.PENDING, actor=None, verdict=None, comment=None,
        decided_at=None, claim_until=None, note=note,
    )  # fmt: skip
