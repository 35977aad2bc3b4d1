"""Is the Slack token still good? Checked (auth.test) at start-up and every `every`
seconds after, so an invalid or revoked token, or a missing scope, is never silent: each
failed check is an ERROR log line, the `mlpulse_slack_auth_ok` gauge is 0, and `/readyz`
says what is wrong under `slack_auth`. A good check after a bad one is an INFO line.

The check itself is given (bot.app wires the notifier's `check`): it returns who the token
speaks for, or raises with a detail that names the error code, never the token.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from prometheus_client import Gauge

from bot.core.clock import Clock
from bot.ops.health import Health

log = logging.getLogger(__name__)
COMPONENT = "slack_auth"
EVERY_S = 300.0


class SlackAuthWatch:
    def __init__(
        self,
        check: Callable[[], str],
        health: Health,
        gauge: Gauge,
        clock: Clock,
        every: float = EVERY_S,
    ) -> None:
        self._check, self.health, self.gauge, self.clock = check, health, gauge, clock
        self.every = every
        self.ok: bool | None = None  # None until the first check

    def check_once(self) -> bool:
        try:
            who = self._check()
        except Exception as error:  # whatever the notifier raises, said and retried
            detail = getattr(error, "detail", None) or str(error)
            log.error(
                "Slack token check failed: %s. Alerts are kept until it passes; check"
                " SLACK_BOT_TOKEN and the app's scopes (deploy/slack-app-manifest.yaml)",
                detail,
            )
            self.health.set(COMPONENT, False, f"auth.test failed: {detail}", self.clock.now())
            self.gauge.set(0)
            self.ok = False
            return False
        if self.ok is False:
            log.info("Slack token check passes again")
        self.health.set(
            COMPONENT, True, "authenticated", self.clock.now(), private={"identity": who}
        )
        self.gauge.set(1)
        self.ok = True
        return True

    def run(self, stop: threading.Event) -> None:
        while not stop.wait(self.every):
            self.check_once()
