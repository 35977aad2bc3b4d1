"""`/mlpulse`: the line is read (pure) and acknowledged on the request's own thread; the
subcommand runs on the work queue (bot.ingress.slack.work) and answers through the
command's response_url.

What the acknowledgement says:
  a malformed line or an unknown subcommand   the short help (nothing to run)
  a subcommand that calls AWS (`SLOW`)        "Looking that up…"
  any other subcommand                        nothing; its answer follows in milliseconds
  the work queue is full                      "mlpulse is busy", and nothing runs

No subcommand answers inside the acknowledgement, fast ones included: `incidents`, `ack` or
a refusal's audit read or write the store, which on DynamoDB is a network round trip (and
a contended transition retries), so only a line that needs nothing but parsing keeps the
acknowledgement free of I/O at any load.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from slack_sdk import WebClient

from bot.ingress.slack import charts
from bot.ingress.slack.replies import BUSY, FAILED, WORKING, message
from bot.ingress.slack.work import WorkQueue
from commands.base import Context, Reply
from commands.runner import Prepared, execute, permit, read_line

log = logging.getLogger(__name__)
Respond = Any  # Bolt's response_url poster: respond(text=..., response_type=...)


class SlashCommand:
    """The Bolt listener for `/mlpulse`, and the work each line queues."""

    def __init__(
        self,
        client: WebClient,
        context_for: Callable[[str, str], Context],
        work: WorkQueue,
        on_change: Callable[[], object],
        sleep: Callable[[float], object] = time.sleep,
    ) -> None:
        self.client, self.context_for = client, context_for
        self.work, self.on_change = work, on_change
        self.sleep = sleep  # between tries of an answer whose charts Slack is processing

    def listener(self, ack: Any, body: dict[str, Any], respond: Respond) -> None:
        line = read_line(str(body.get("text") or ""))
        if line.reply is not None:
            ack(**message(line.reply))
            return
        user_id, channel_id = str(body.get("user_id", "")), str(body.get("channel_id", ""))
        # The job may start before Bolt hands the acknowledgement back, but its answer is
        # a Slack round trip later; Slack has the acknowledgement by then.
        if not self.offer(line, user_id, channel_id, respond):
            ack(text=BUSY, response_type="ephemeral")
        elif line.slow:
            ack(text=WORKING)
        else:
            ack()

    def offer(self, line: Prepared, user_id: str, channel_id: str, respond: Respond) -> bool:
        """Queue `line` to run as `user_id` typed it in `channel_id`; False when the work
        queue is full (nothing will run)."""
        if self.work.offer(partial(self.run, line, user_id, channel_id, respond)):
            return True
        log.warning("busy: /mlpulse %s turned away (%d waiting)", line.name, self.work.limit)
        return False

    def run(self, line: Prepared, user_id: str, channel_id: str, respond: Respond) -> None:
        try:
            ctx = self.context_for(user_id, channel_id)
            reply = execute(permit(line, ctx), ctx)  # a subcommand's own errors are answers
        except Exception:  # the permission check's audit could not be written
            log.exception("/mlpulse %s could not be run", line.name)
            reply = Reply(text=FAILED)
        try:
            self.answer(reply, channel_id, respond)
        finally:
            self.on_change()  # an `ack` or a `silence` queued what delivery must post

    def answer(self, reply: Reply, channel_id: str, respond: Respond) -> None:
        """Post the answer, with its charts (bot.ingress.slack.charts): inside a private
        answer, unshared; after a public one, to the channel."""
        fields = message(reply)
        if not reply.charts:
            _post(respond, fields)
        elif reply.public:
            _post(respond, fields)
            failed = charts.share(self.client, reply.charts, channel_id)
            if failed:
                _post(respond, {"text": charts.not_shown(failed, "posted")})
        else:
            images, failed = charts.upload_private(self.client, reply.charts)
            if images and charts.post_with_images(
                partial(_post, respond), fields, images, self.sleep
            ):
                return
            if images:  # uploaded, but the answer showing them was refused
                failed = [*failed, "invalid_blocks"]
            _post(respond, charts.with_note(fields, charts.not_shown(failed)))


def _post(respond: Respond, fields: dict[str, Any]) -> bool:
    """An answer through the command's response_url; True if Slack took it. One that
    fails is only logged."""
    if respond is None:  # no response_url in the payload: nobody to tell
        log.warning("a /mlpulse answer had no response_url to go to")
        return False
    try:
        answer = respond(**fields)
    except Exception as error:
        log.warning("could not answer through the response_url: %s", error)
        return False
    status = getattr(answer, "status_code", 200)
    if status != 200:
        body = getattr(answer, "body", "")
        log.warning("the response_url refused an answer: %s %s", status, body)
    return bool(status == 200)
