"""`POST /slack/events` before Bolt sees it: checks that never let a bad request become a
500, and nothing signed handled twice by any replica (bot.ingress.slack.replays).

  not UTF-8                                   -> 400
  missing/non-numeric timestamp or signature  -> 401 (slack_sdk's verifier would raise)
  stale timestamp (> 5 min) or bad signature  -> 401
  neither form-encoded nor JSON               -> 400
  a retry (X-Slack-Retry-Num) of a body seen  -> 200, X-Slack-No-Retry, not handled again
  any other body seen before (a replay)       -> 200, empty, not handled again
  signed, but a body Bolt cannot read         -> 400 (Bolt raises, or answers 500)

A replay is answered like a plain acknowledgement, not refused: should a proxy ever resend
a request of Slack's, the person who typed it sees no error for work that was done.
"""

from __future__ import annotations

import logging

from slack_sdk.signature import Clock as SdkClock
from slack_sdk.signature import SignatureVerifier

from bot.core.clock import Clock
from bot.core.text import ascii_digits
from bot.ingress.http import Request, Response
from bot.ingress.slack.interactions import SlackApp
from bot.ingress.slack.replays import SeenRequests
from bot.store import RequestStore

log = logging.getLogger(__name__)
_TIMESTAMP_DIGITS = 20  # `int()` refuses `²` and strings of over 4,300 digits
_CONTENT_TYPES = ("application/x-www-form-urlencoded", "application/json")


class SlackIngress:
    def __init__(
        self, signing_secret: str, clock: Clock, app: SlackApp, requests: RequestStore
    ) -> None:
        self._verifier = SignatureVerifier(signing_secret, clock=_SdkClock(clock))
        self.app = app
        self.seen = SeenRequests(requests, clock)

    def handle(self, request: Request) -> Response:
        try:
            body = request.body.decode("utf-8")
        except UnicodeDecodeError:
            return Response(400, b"body is not UTF-8\n")
        timestamp = request.headers.get("x-slack-request-timestamp", "")
        signature = request.headers.get("x-slack-signature", "")
        if not ascii_digits(timestamp, _TIMESTAMP_DIGITS) or not signature:
            return Response(401, b"missing or malformed Slack signature headers\n")
        if not self._verifier.is_valid(body, timestamp, signature):
            return Response(401, b"invalid or expired Slack signature\n")
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type not in _CONTENT_TYPES:
            return Response(400, b"expected form-encoded or JSON body\n")
        if not self.seen.first_time(body):
            if "x-slack-retry-num" in request.headers:
                return Response(200, b"", headers={"X-Slack-No-Retry": "1"})
            log.warning("a signed Slack request came again without a retry header: not handled")
            return Response(200, b"")
        try:
            response = self.app.dispatch(body, request.headers)
        except Exception:  # Bolt reads the body before any listener, and raises on junk
            log.exception("a signed Slack request Bolt could not read")
            return Response(400, b"not a Slack payload mlpulse can read\n")
        if response.status >= 500:  # a listener's own errors are caught and answered
            log.warning("Bolt could not handle a signed Slack request (%d)", response.status)
            return Response(400, b"not a Slack payload mlpulse can read\n")
        return response


class _SdkClock(SdkClock):
    """slack_sdk's verifier asks its clock for epoch seconds."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def now(self) -> float:
        return self._clock.now().timestamp()
