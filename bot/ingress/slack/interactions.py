"""The Bolt app: `/mlpulse` (bot.ingress.slack.slash), the incident buttons and the snooze
menu (bot.ingress.slack.buttons), the approval buttons and their modal
(bot.ingress.slack.approvals), the alerts' question buttons (bot.ingress.slack.asks), over
HTTP (bot.ingress.slack.verify) or Socket Mode.

Every request is acknowledged on the thread that received it, before any of its work is
done: Bolt runs with `process_before_response`, so a listener runs on that thread (no
executor of Bolt's, no 10 ms polling for the acknowledgement), and a listener only reads
the request, queues its work on mlpulse's own bounded queue, and acknowledges. A full
queue is answered "busy, try again" at once.

The workspace is the one whose signing secret signed the request (or whose app token
opened the socket), so Bolt is not asked to call `auth.test`: by default it does so on the
first request, on the request's thread, once for each of the requests that arrive together.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence

from slack_bolt import App as BoltApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient

from bot.approvals.service import ApprovalService
from bot.incidents.service import IncidentService
from bot.ingress.http import Response
from bot.ingress.slack import approvals
from bot.ingress.slack.asks import QuestionButtons
from bot.ingress.slack.buttons import ACTIONS, IncidentButtons
from bot.ingress.slack.slash import SlashCommand
from bot.ingress.slack.work import WorkQueue
from commands.base import Context
from notifiers.questions import ASK_PREFIX

log = logging.getLogger(__name__)
# Commands and clicks are mostly I/O (the store, AWS, Slack): a few threads keep AWS's own
# rate limits in sight and leave the request threads the interpreter. 256 waiting is about
# a minute of AWS-backed answers; past that, "busy" is the kinder answer.
WORKERS = 8
WAITING = 256
NOTICES_WAITING = 64  # "busy" notes to clickers, when the work queue itself is full
DRAIN_S = 5.0

# What a `/mlpulse` line runs with, given who typed it where: bot.app's App.command_context,
# which the demo's prompt uses too.
ContextFor = Callable[[str, str], Context]


class SlackApp:
    def __init__(
        self,
        client: WebClient,
        context_for: ContextFor,
        incidents: IncidentService,
        on_change: Callable[[], object] | None = None,
        *,
        workers: int | None = None,
        waiting: int | None = None,
        on_busy: Callable[[], object] | None = None,
        approval_service: ApprovalService | None = None,
    ) -> None:
        self.client = client
        wake = on_change or (lambda: None)  # wakes delivery after a transition
        self.work = WorkQueue("slack-work", workers or WORKERS, waiting or WAITING, on_busy)
        self.notices = WorkQueue("slack-notices", 1, NOTICES_WAITING)
        self.command = SlashCommand(client, context_for, self.work, wake)
        self.buttons = IncidentButtons(context_for, incidents, self.work, self.notices, wake)
        # Signatures are checked by bot.ingress.slack.verify (with the injected clock) before
        # Bolt sees a request; Socket Mode needs none. Bolt's own client carries no token:
        # with one, Bolt insists on `auth.test`; its answers go through response_url.
        self.bolt = BoltApp(
            client=WebClient(base_url=client.base_url),
            authorize=_signed_workspace(client.token or ""),
            request_verification_enabled=False,
            process_before_response=True,
        )
        self.bolt.command("/mlpulse")(self.command.listener)
        for action_id in ACTIONS:
            self.bolt.action(action_id)(self.buttons.listener)
        self.bolt.action(re.compile(r"^link-\d+$"))(lambda ack: ack())
        self.asks = QuestionButtons(self.command)  # "Details", "Why?"...: a line each
        self.bolt.action(re.compile(rf"^{ASK_PREFIX}\d+$"))(self.asks.listener)
        if approval_service is not None:  # the Approve / Reject buttons and their modal
            controls = approvals.ApprovalControls(
                client, approval_service, self.work, self.notices, wake
            )
            approvals.register(self.bolt, controls)

    def dispatch(self, body: str, headers: dict[str, str]) -> Response:
        bolt_headers: dict[str, str | Sequence[str]] = dict(headers)
        response = self.bolt.dispatch(BoltRequest(body=body, headers=bolt_headers))
        content_type = (response.headers.get("content-type") or ["text/plain"])[0]
        return Response(response.status, (response.body or "").encode(), content_type)

    def shutdown(self, timeout: float = DRAIN_S) -> None:
        """Take no more work; finish what is queued within `timeout`, drop the rest."""
        self.work.shutdown(timeout)
        self.notices.shutdown(0.5)


def _signed_workspace(token: str) -> Callable[..., AuthorizeResult]:
    def authorize(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
        return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, bot_token=token)

    return authorize
