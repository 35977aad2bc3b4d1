"""What delivery needs from a chat backend, and how a failure is classified.

Each failure says what to do about it (alertmanager's notifier does the same): retry later,
wait for the rate limit, fall back to another channel, post a new root, fix the payload,
or fix the credentials. Delivery decides; notifiers only classify.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from bot.core.errors import DeliveryError


class Failure(StrEnum):
    RETRY = "retry"  # 5xx, connection reset, timeout: try again with backoff
    RATE_LIMITED = "rate_limited"  # 429: wait Retry-After, then try again
    CHANNEL = "channel"  # channel_not_found, not_in_channel, is_archived: use the fallback
    AUTH = "auth"  # invalid_auth, token_revoked, missing_scope: keep, alert the operator
    GONE = "gone"  # the message to update no longer exists: post a new one
    INVALID = "invalid"  # Slack refused the payload: send a plainer one
    # The lookup for an earlier attempt's post is refused (missing_scope: the history
    # scopes are not granted): whether that attempt reached Slack cannot be known.
    UNVERIFIABLE = "unverifiable"


class NotifyError(DeliveryError):
    def __init__(
        self,
        failure: Failure,
        detail: str,
        retry_after: float | None = None,
        uncertain: bool = False,
        code: str | None = None,
    ) -> None:
        super().__init__(f"{failure.value}: {detail}")
        self.failure = failure
        self.detail = detail
        self.retry_after = retry_after
        self.code = code  # Slack's `error` code, when Slack gave one
        # True when the request may have reached Slack although no answer came back:
        # a retried post must look for its first attempt before posting again.
        self.uncertain = uncertain


@dataclass(frozen=True)
class Posted:
    channel: str  # the channel id Slack answered with (updates need the id, not the name)
    ts: str


class Notifier(Protocol):
    # Seconds between posts to one channel; 0 when the backend has no rate limit.
    min_interval: float

    def post(
        self, channel: str, payload: dict[str, Any], thread_ts: str | None, marker: str
    ) -> Posted:
        """Post a message (a reply when thread_ts is set), tagged with `marker`."""
        ...

    def update(self, channel: str, ts: str, payload: dict[str, Any]) -> None: ...

    def find_posted(
        self, channel: str, marker: str, thread_ts: str | None, oldest: float
    ) -> Posted | None:
        """The message an earlier, unanswered attempt posted with `marker`, if it exists."""
        ...

    def check(self) -> str:
        """Verify the credentials; return who we are, or raise NotifyError."""
        ...


_CHANNEL_ERRORS = {"channel_not_found", "not_in_channel", "is_archived", "restricted_action"}
_AUTH_ERRORS = {
    "invalid_auth",
    "not_authed",
    "token_revoked",
    "token_expired",
    "account_inactive",
    "missing_scope",
    "no_permission",
    "ekm_access_denied",
}
_GONE_ERRORS = {"message_not_found", "cant_update_message", "edit_window_closed"}
_INVALID_ERRORS = {
    "invalid_blocks",
    "invalid_blocks_format",
    "msg_blocks_too_long",
    "msg_too_long",
    "invalid_arguments",
    "invalid_attachments",
    "too_many_attachments",
    "no_text",
    "invalid_metadata_format",
    "invalid_metadata_schema",
    "metadata_too_large",
}


def classify(
    status: int | None, error: str | None, retry_after: str | None, needed: str | None = None
) -> NotifyError:
    """Turn Slack's answer (HTTP status, `error` code, Retry-After, and for missing_scope
    the scope it `needed`) into a NotifyError."""
    code = error or f"http_{status}"
    detail = f"{code} (needs {needed})" if needed and error == "missing_scope" else code
    if status == 429 or error == "ratelimited":
        return NotifyError(Failure.RATE_LIMITED, code, _seconds(retry_after), code=error)
    for failure, codes in _BY_CODE:
        if error in codes:
            return NotifyError(failure, detail, code=error)
    # 5xx and anything unexpected: Slack may or may not have acted on it.
    return NotifyError(Failure.RETRY, code, uncertain=status is None or status >= 500, code=error)


def lookup_failure(error: NotifyError) -> NotifyError:
    """`error` as the answer to a lookup for an earlier attempt's post: refused for want of
    a scope, the lookup cannot be made at all, which delivery must treat apart from a
    refused token (it would wait for ever)."""
    if error.code == "missing_scope":
        return NotifyError(Failure.UNVERIFIABLE, error.detail, code=error.code)
    return error


_BY_CODE = (
    (Failure.CHANNEL, _CHANNEL_ERRORS),
    (Failure.AUTH, _AUTH_ERRORS),
    (Failure.GONE, _GONE_ERRORS),
    (Failure.INVALID, _INVALID_ERRORS),
)


def _seconds(value: str | None) -> float:
    try:
        return max(0.0, float(value)) if value is not None else 1.0
    except ValueError:
        return 1.0
