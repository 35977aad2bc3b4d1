"""Who is in a Slack user group (usergroups.users.list), for config `permissions.approvers`
naming groups (`S...`). Cached for a while: a click must not wait on Slack for every
check, and group changes take effect within `TTL_S`. A group Slack will not list (no
`usergroups:read` scope, a free workspace) has no members: nobody is let in by it."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

log = logging.getLogger(__name__)
TTL_S = 300.0


class UserGroups:
    def __init__(
        self, client: WebClient, ttl: float = TTL_S, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.client, self.ttl, self.clock = client, ttl, clock
        self._known: dict[str, tuple[float, frozenset[str]]] = {}
        self._lock = threading.Lock()

    def members(self, group: str) -> frozenset[str]:
        now = self.clock()
        with self._lock:
            cached = self._known.get(group)
        if cached is not None and now - cached[0] < self.ttl:
            return cached[1]
        try:
            answer = self.client.usergroups_users_list(usergroup=group)
            users = frozenset(str(user) for user in answer.get("users") or [])
        except (SlackApiError, SlackClientError) as error:
            log.warning("could not list user group %s: %s", group, error)
            users = cached[1] if cached is not None else frozenset()
        with self._lock:
            self._known[group] = (now, users)
        return users
