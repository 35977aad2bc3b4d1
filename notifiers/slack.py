"""Delivery to Slack through slack_sdk's WebClient, pointed at MLPULSE_SLACK_API_URL.

The client's own retries are turned off: a retried post whose first answer was lost
would post twice. Retries belong to the outbox, which looks for the first attempt first
(find_posted, reading channel history). Without the history scopes that lookup is
refused: it fails as Failure.UNVERIFIABLE, not as a bad token, and check() warns at start.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from notifiers.base import Failure, NotifyError, Posted, classify, lookup_failure

log = logging.getLogger(__name__)
METADATA_EVENT = "mlpulse_alert"
_TIMEOUT_S = 10
# What find_posted reads with: the history of public and private channels.
HISTORY_SCOPES = ("channels:history", "groups:history")
# Slack's error codes; slack_sdk puts a whole HTML page in `error` when a 5xx has no JSON.
_ERROR_CODE = re.compile(r"[a-z0-9_]{1,80}")
# Without it nothing is posted: check() fails as a bad token does.
REQUIRED_SCOPES = ("chat:write",)


def missing_history_scopes(headers: Mapping[str, Any]) -> list[str]:
    """The history scopes a Web API answer's `X-OAuth-Scopes` header does not list; none
    when the header is absent (nothing is known then)."""
    return missing_scopes(headers, HISTORY_SCOPES)


def missing_scopes(headers: Mapping[str, Any], wanted: tuple[str, ...]) -> list[str]:
    granted = next((v for k, v in headers.items() if k.lower() == "x-oauth-scopes"), None)
    if granted is None:
        return []
    scopes = {scope.strip() for scope in str(granted).split(",")}
    return [scope for scope in wanted if scope not in scopes]


class SlackNotifier:
    min_interval = 1.0  # chat.postMessage allows about one message a second per channel
    # Until check() finds the history scopes missing: delivery marks a batch's posts in
    # flight ahead only while an earlier attempt can be looked up (bot.delivery.batches).
    history_readable = True

    def __init__(self, token: str, base_url: str = "https://slack.com/api/") -> None:
        base = base_url if base_url.endswith("/") else base_url + "/"
        self.client = WebClient(token=token, base_url=base, timeout=_TIMEOUT_S, retry_handlers=[])
        self._channel_ids: dict[str, str] = {}

    def post(
        self, channel: str, payload: dict[str, Any], thread_ts: str | None, marker: str
    ) -> Posted:
        body = {k: v for k, v in payload.items() if k != "channel"}
        metadata = {"event_type": METADATA_EVENT, "event_payload": {"marker": marker}}
        response = self._call(
            "chat.postMessage",
            channel=channel,
            thread_ts=thread_ts,
            metadata=metadata,
            **body,
        )
        posted = Posted(channel=str(response["channel"]), ts=str(response["ts"]))
        self._channel_ids.setdefault(channel, posted.channel)
        return posted

    def update(self, channel: str, ts: str, payload: dict[str, Any]) -> None:
        body = {
            k: v for k, v in payload.items() if k not in ("channel", "unfurl_links", "unfurl_media")
        }
        self._call("chat.update", channel=channel, ts=ts, **body)

    def find_posted(
        self, channel: str, marker: str, thread_ts: str | None, oldest: float
    ) -> Posted | None:
        try:
            return self._find_posted(channel, marker, thread_ts, oldest)
        except NotifyError as error:
            raise lookup_failure(error) from None

    def _find_posted(
        self, channel: str, marker: str, thread_ts: str | None, oldest: float
    ) -> Posted | None:
        channel_id = self._channel_id(channel)
        if channel_id is None:
            return None
        if thread_ts:
            response = self._read(
                "conversations.replies",
                channel=channel_id,
                ts=thread_ts,
                oldest=f"{oldest:.6f}",
                include_all_metadata=True,
                limit=200,
            )
        else:
            response = self._read(
                "conversations.history",
                channel=channel_id,
                oldest=f"{oldest:.6f}",
                include_all_metadata=True,
                limit=200,
            )
        for message in response.get("messages") or []:
            payload = (message.get("metadata") or {}).get("event_payload") or {}
            if payload.get("marker") == marker:
                return Posted(channel=channel_id, ts=str(message["ts"]))
        return None

    def check(self) -> str:
        """Who the token speaks for; NotifyError (AUTH) for a refused token or a missing
        REQUIRED_SCOPES scope, which the caller reports (bot.ops.slack_auth)."""
        response = self._call("auth.test")
        lacking = missing_scopes(response.headers or {}, REQUIRED_SCOPES)
        if lacking:
            needed = ", ".join(lacking)
            raise NotifyError(Failure.AUTH, f"missing_scope (needs {needed})", code="missing_scope")
        missing = missing_history_scopes(response.headers or {})
        self.history_readable = not missing
        if missing:
            log.warning(
                "the Slack app lacks %s: a post whose answer was lost cannot be looked up, so"
                " it is not posted again (at most once); add the scopes and reinstall the app",
                ", ".join(missing),
            )
        return f"{response.get('user', '?')} in {response.get('team', '?')}"

    def _channel_id(self, channel: str) -> str | None:
        """Slack's history API wants ids; names seen in an answer or listed are cached."""
        if not channel.startswith("#"):
            return channel
        if channel not in self._channel_ids:
            cursor = None
            while True:
                response = self._read(
                    "conversations.list",
                    types="public_channel,private_channel",
                    exclude_archived=True,
                    limit=1000,
                    cursor=cursor,
                )
                for item in response.get("channels") or []:
                    self._channel_ids[f"#{item.get('name')}"] = item.get("id")
                cursor = (response.get("response_metadata") or {}).get("next_cursor")
                if not cursor or channel in self._channel_ids:
                    break
        return self._channel_ids.get(channel)

    def _read(self, method: str, **arguments: Any) -> Any:
        """Read methods take form arguments, not JSON bodies."""
        params = {
            k: ("true" if v else "false") if isinstance(v, bool) else str(v)
            for k, v in arguments.items()
            if v is not None
        }
        return self._call(method, form=params)

    def _call(self, method: str, form: dict[str, str] | None = None, **arguments: Any) -> Any:
        arguments = {k: v for k, v in arguments.items() if v is not None}
        try:
            if form is not None:
                return self.client.api_call(method, params=form)
            return self.client.api_call(method, json=arguments)
        except SlackApiError as error:
            response = error.response
            headers = response.headers or {}
            retry_after = headers.get("Retry-After") or headers.get("retry-after")
            code = response.get("error")
            if not isinstance(code, str) or not _ERROR_CODE.fullmatch(code):
                code = None  # not an answer of Slack's API: said as `http_<status>`
            needed = response.get("needed")
            raise classify(response.status_code, code, retry_after, needed) from None
        except (SlackClientError, OSError) as error:
            # Connection reset, timeout, DNS: the request may have been processed.
            raise NotifyError(Failure.RETRY, f"{method}: {error}", uncertain=True) from None
