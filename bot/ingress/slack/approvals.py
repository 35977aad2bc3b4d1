"""The Approve and Reject buttons and the decision modal (issue 19).

A click is acknowledged at once; its work (on bot.ingress.slack.work's queue) asks the
approval service whether the clicker may decide (bot.approvals.service `gate`): if not,
they are told privately through the click's response_url (a refusal is audited there), and
an approval that can no longer be decided loses its buttons. If so, the decision modal
opens (views.open, with the click's trigger_id). Its submission is acknowledged at once,
or refused in the modal when a rejection has no comment; the decision itself (the claim,
the AWS call) is queued work, and the decider hears how it went privately in the channel
(chat.postEphemeral). Once an approval is settled, every message of its thread that still
shows its buttons is edited: the buttons give way to who decided what, and when.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.approvals.service import Answer, ApprovalService
from bot.core.approvals import Approval, Verdict
from bot.ingress.slack.buttons import Respond, tell
from bot.ingress.slack.replies import BAD_BUTTON, BUSY, CLICK_FAILED
from bot.ingress.slack.work import WorkQueue
from notifiers.approval_blocks import (
    APPROVE_ACTION,
    REJECT_ACTION,
    REVIEW_ACTION,
    decided_content,
)
from notifiers.approval_modal import CALLBACK_ID, COMMENT_BLOCK, Pending, decision_modal
from notifiers.approval_modal import submitted_comment as comment_of
from notifiers.approval_wording import COMMENT_NEEDED, outcome_line

log = logging.getLogger(__name__)
ACTIONS = {APPROVE_ACTION: Verdict.APPROVE, REJECT_ACTION: Verdict.REJECT}
_THREAD_PAGE = 200


@dataclass(frozen=True)
class ApprovalClick:
    pending: Pending
    user_id: str
    trigger_id: str


def read_approval_click(body: dict[str, Any]) -> ApprovalClick | None:
    """The click a block_actions payload holds, or None when it is not a valid one."""
    actions = body.get("actions")
    action = actions[0] if isinstance(actions, list) and actions else None
    if not isinstance(action, dict):
        return None
    verdict = ACTIONS.get(str(action.get("action_id", "")))
    value, trigger = action.get("value"), body.get("trigger_id")
    channel, user = _part(body, "channel").get("id"), _part(body, "user").get("id")
    if verdict is None or not isinstance(value, str) or not value.isalnum() or len(value) > 64:
        return None
    if not (isinstance(trigger, str) and isinstance(channel, str) and isinstance(user, str)):
        return None
    message = _part(body, "message")
    message_ts = _part(body, "container").get("message_ts") or message.get("ts")
    thread_ts = message.get("thread_ts")
    return ApprovalClick(
        Pending(
            value,
            verdict,
            channel,
            message_ts if isinstance(message_ts, str) else None,
            thread_ts if isinstance(thread_ts, str) else None,
        ),
        user,
        trigger,
    )


class ApprovalControls:
    """The Bolt listeners for the approval buttons and the decision modal."""

    def __init__(
        self,
        client: WebClient,
        service: ApprovalService,
        work: WorkQueue,
        notices: WorkQueue,
        on_change: Callable[[], object],
    ) -> None:
        self.client, self.service, self.on_change = client, service, on_change
        self.work, self.notices = work, notices

    # --- the buttons

    def click(self, ack: Any, body: dict[str, Any], respond: Respond) -> None:
        ack()
        click = read_approval_click(body)
        job = partial(self.open, click, respond) if click else partial(tell, respond, BAD_BUTTON)
        if not self.work.offer(job) and not self.notices.offer(partial(tell, respond, BUSY)):
            log.warning("busy: an approval click was turned away untold")

    def open(self, click: ApprovalClick, respond: Respond) -> None:
        try:
            gate = self.service.gate(click.pending.approval_id, click.user_id)
            if gate.ok and gate.approval is not None:
                view = decision_modal(gate.approval, click.pending)
                self.client.views_open(trigger_id=click.trigger_id, view=view)
                return
        except Exception:
            log.exception("approval click on %s failed", click.pending.approval_id)
            tell(respond, CLICK_FAILED)
            return
        tell(respond, gate.text)
        self._settled(gate, click.pending)

    # --- the modal

    def submit(self, ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
        pending = Pending.decode(str(view.get("private_metadata") or ""))
        comment = comment_of(view)
        if pending is not None and pending.verdict is Verdict.REJECT and not comment:
            ack(response_action="errors", errors={COMMENT_BLOCK: COMMENT_NEEDED})
            return
        ack()
        user = _part(body, "user").get("id")
        if pending is None or not isinstance(user, str):
            log.warning("a decision modal came back unreadable")
            return
        job = partial(self.decide, pending, user, comment)
        if not self.work.offer(job) and not self.notices.offer(
            partial(self._whisper, pending, user, BUSY)
        ):
            log.warning("busy: a decision was turned away untold")

    def decide(self, pending: Pending, user: str, comment: str) -> None:
        try:
            answer = self.service.decide(pending.approval_id, user, pending.verdict, comment)
        except Exception:
            log.exception("decision on %s failed", pending.approval_id)
            self._whisper(pending, user, CLICK_FAILED)
            return
        self._whisper(pending, user, answer.text)
        self._settled(answer, pending)

    # --- telling

    def _settled(self, answer: Answer, pending: Pending) -> None:
        """An approval that can no longer be decided loses its buttons in its thread."""
        if answer.settled and answer.approval is not None:
            self.on_change()  # its outcome event waits for delivery
            self._strip(answer.approval, pending)

    def _strip(self, approval: Approval, pending: Pending) -> None:
        root = pending.thread_ts or pending.message_ts
        if root is None:
            return
        line = outcome_line(approval)
        try:
            answer = self.client.conversations_replies(
                channel=pending.channel, ts=root, limit=_THREAD_PAGE
            )
            for message in answer.get("messages") or []:
                content = decided_content(message, approval.id, line)
                if content is not None:
                    self.client.chat_update(channel=pending.channel, ts=message["ts"], **content)
        except (SlackApiError, SlackClientError) as error:
            log.warning("could not remove the buttons of approval %s: %s", approval.id, error)

    def _whisper(self, pending: Pending, user: str, text: str) -> None:
        """A private answer in the channel of the click (the modal has no response_url)."""
        try:
            self.client.chat_postEphemeral(
                channel=pending.channel, user=user, text=text, thread_ts=pending.thread_ts
            )
        except (SlackApiError, SlackClientError) as error:
            log.warning("could not answer a decision privately: %s", error)


def register(bolt: Any, controls: ApprovalControls) -> None:
    """The approval buttons and the modal's submission on the Bolt app."""
    for action_id in ACTIONS:
        bolt.action(action_id)(controls.click)
    bolt.action(REVIEW_ACTION)(lambda ack: ack())
    bolt.view(CALLBACK_ID)(controls.submit)


def _part(body: dict[str, Any], name: str) -> dict[str, Any]:
    part = body.get(name)
    return part if isinstance(part, dict) else {}
