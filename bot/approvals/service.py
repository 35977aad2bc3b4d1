"""Deciding an approval from Slack, exactly once (issue 19).

A click first passes `gate`: the approval is known, still pending, not expired, and the
person may decide it (config `permissions.approvers`; a refusal is audited). Then the
decision modal collects the comment, and `decide`:

1. gates again (time passed while the modal was open);
2. claims the decision in the store (compare-and-set: of two people, on any replicas, one
   claims it; the other is told who is deciding or who decided);
3. makes the one AWS call (bot.approvals.calls);
4. settles the record with AWS's request id, or, when AWS has it decided already, closes
   it, or, when the call failed, releases the claim (still pending: try again).

How it ended is told in the resource's thread and on its root by an outcome event
(bot.approvals.outcome) submitted through intake; an expiry or a decision made in AWS is
told the same way, when someone's click finds it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.approvals.calls import CallResult, decide_in_aws, summary
from bot.approvals.lookups import Lookups
from bot.approvals.outcome import outcome_event
from bot.approvals.who import Members, approvers_for, may_decide, no_members
from bot.config.models import Config
from bot.core.approvals import VERDICT_STATE, Approval, ApprovalState, Verdict
from bot.core.clock import Clock
from bot.core.events import Event
from bot.store import ApprovalStore
from notifiers import approval_wording as say

log = logging.getLogger(__name__)
Submit = Callable[[Sequence[Event]], object]
# Decides in AWS: (approval, verdict, summary for AWS) -> what AWS answered.
Decider = Callable[[Approval, Verdict, str], CallResult]


@dataclass(frozen=True)
class Answer:
    """What the person who clicked is told (mrkdwn), and the approval as it now stands.
    `ok`: they may go on (gate) or their decision reached AWS (decide). `settled`: it can
    no longer be decided, so its buttons should go wherever they are."""

    ok: bool
    text: str
    approval: Approval | None = None

    @property
    def settled(self) -> bool:
        return self.approval is not None and self.approval.state not in (
            ApprovalState.PENDING,
            ApprovalState.DECIDING,
        )


class ApprovalService:
    def __init__(
        self,
        store: ApprovalStore,
        config: Config,
        clock: Clock,
        decider: Decider,
        submit: Submit,
        members: Members = no_members,
    ) -> None:
        self.store, self.config, self.clock = store, config, clock
        self.decider, self.submit, self.members = decider, submit, members

    def pending(self) -> list[Approval]:
        return self.store.pending_approvals()

    def deciders(self, approval: Approval) -> tuple[str, ...]:
        """Who may decide `approval` now, by the config."""
        return approvers_for(self.config, approval.subject)

    def gate(self, approval_id: str, user: str) -> Answer:
        """May `user` decide `approval_id` now? Expires it when its time is up."""
        approval = self.store.approval(approval_id)
        now = self.clock.now()
        if approval is None:
            return Answer(False, say.UNKNOWN)
        if approval.state is ApprovalState.PENDING and approval.expired(now):
            approval = self._end(approval, ApprovalState.EXPIRED, "its time ran out")
        if not approval.claimable(now):  # decided, or being decided by a live claim
            return Answer(False, say.not_open(approval, now), approval)
        allowed = approvers_for(self.config, approval.subject)
        if not may_decide(allowed, user, self.members):
            self.store.approval_refused(approval.id, user, f"decide {approval.title}", now)
            log.warning("refused a decision on %s for %s", approval.id, user)
            return Answer(False, say.refused(approval, allowed), approval)
        return Answer(True, "", approval)

    def decide(self, approval_id: str, user: str, verdict: Verdict, comment: str) -> Answer:
        gate = self.gate(approval_id, user)
        if not gate.ok or gate.approval is None:
            return gate
        now = self.clock.now()
        claimed = gate.approval.claimed(user, verdict, comment, now)
        won, current = self.store.claim_approval(claimed, now)
        if not won:
            return Answer(False, say.not_open(current or claimed, now), current)
        result = self.decider(claimed, verdict, summary(claimed, verdict, user, comment))
        if result.error is not None:
            self.store.release_approval(claimed.id, user, result.error, self.clock.now())
            return Answer(
                False, say.aws_failed(claimed, result.error), self.store.approval(claimed.id)
            )
        if result.elsewhere is not None:
            closed = self.store.settle_approval(
                claimed.id, ApprovalState.CLOSED, self.clock.now(), actor=user,
                note=result.elsewhere,
            )  # fmt: skip
            ended = closed or claimed
            self._tell(ended)
            return Answer(False, say.not_open(ended, self.clock.now()), ended)
        settled = self.store.settle_approval(
            claimed.id, VERDICT_STATE[verdict], self.clock.now(), actor=user,
            request_id=result.request_id,
        )  # fmt: skip
        if settled is None:  # our claim ran out and another took it over mid-call
            log.error("decision on %s reached AWS after its claim ran out", claimed.id)
            return Answer(False, say.not_open(claimed, now), self.store.approval(claimed.id))
        self._tell(settled)
        return Answer(True, say.done(settled), settled)

    def _end(self, approval: Approval, state: ApprovalState, note: str) -> Approval:
        ended = self.store.settle_approval(approval.id, state, self.clock.now(), note=note)
        if ended is None:  # another replica ended it first
            return self.store.approval(approval.id) or approval
        self._tell(ended)
        return ended

    def _tell(self, approval: Approval) -> None:
        """The outcome in the resource's thread and on its root; never fails the decision."""
        try:
            self.submit([outcome_event(approval, self.clock.now())])
        except Exception:
            log.exception("could not tell the outcome of approval %s", approval.id)


def aws_decider(lookups: Lookups) -> Decider:
    def decide(approval: Approval, verdict: Verdict, described: str) -> CallResult:
        return decide_in_aws(lookups, approval, verdict, described)

    return decide
