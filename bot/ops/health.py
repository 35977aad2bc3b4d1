"""What `/healthz` (liveness) and `/readyz` (readiness) report.

Liveness asks one thing: does the process still work? Each of its parts (the HTTP loop,
the delivery worker, the SQS consumer, the incident scheduler) is a thread that must be
running; a part that died is the one fault a restart cures. Slack, AWS or the store
failing is none: restarting every replica during a Slack outage cures nothing, so
liveness stays 200 through them (the container HEALTHCHECK asks liveness).

Readiness is the per-dependency detail (the store, the queue consumer, Slack's token and
Slack delivery): 503 while any is unusable, with what is wrong. Components report in;
readers get a consistent snapshot. Details never hold secrets (they are built from error
codes and resource names), but they may hold identifiers: a queue URL carries the AWS
account id, a store path or table name, the workspace and bot names. Those are shown only
where `detail` is asked for (the metrics port, or MLPULSE_HEALTH_DETAIL=1); elsewhere each
identifier the app registered (`conceal`) and every 12-digit account id are replaced by
what they stand for, and private fields are left out.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

_ACCOUNT_ID = re.compile(r"(?<!\d)\d{12}(?!\d)")


@dataclass
class ComponentState:
    ok: bool = True
    detail: str = "ok"
    since: datetime | None = None
    private: dict[str, str] = field(default_factory=dict)  # identifiers, shown on request


class Health:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._components: dict[str, ComponentState] = {}
        self._hidden: dict[str, str] = {}  # identifier -> what is shown instead

    def set(
        self,
        component: str,
        ok: bool,
        detail: str,
        at: datetime | None = None,
        private: Mapping[str, str] | None = None,
    ) -> None:
        with self._lock:
            current = self._components.get(component)
            since = current.since if current is not None and current.ok == ok else at
            self._components[component] = ComponentState(ok, detail, since, dict(private or {}))

    def conceal(self, identifier: str, shown_as: str) -> None:
        """Show `shown_as` instead of `identifier` wherever detail is not asked for."""
        if identifier:
            with self._lock:
                self._hidden[identifier] = shown_as

    def snapshot(self, detail: bool = True) -> tuple[bool, dict[str, Any]]:
        """Ready or not, and the report `/readyz` answers with."""
        with self._lock:
            components = {
                name: self._entry(state, detail) for name, state in sorted(self._components.items())
            }
        ready = all(item["ok"] for item in components.values())
        return ready, {"status": "ok" if ready else "degraded", "components": components}

    def _entry(self, state: ComponentState, detail: bool) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "ok": state.ok,
            "detail": state.detail if detail else self._hide(state.detail),
        }
        if state.since:
            entry["since"] = state.since.isoformat()
        if detail:
            entry.update(state.private)
        return entry

    def _hide(self, text: str) -> str:
        # Longest first: a queue URL is hidden whole before the account id inside it.
        for identifier in sorted(self._hidden, key=len, reverse=True):
            text = text.replace(identifier, self._hidden[identifier])
        return _ACCOUNT_ID.sub("<account>", text)


def liveness(parts: Mapping[str, bool]) -> tuple[bool, dict[str, Any]]:
    """Alive unless a part of the process stopped; the report `/healthz` answers with."""
    stopped = sorted(name for name, running in parts.items() if not running)
    report: dict[str, Any] = {"status": "ok" if not stopped else "broken"}
    if stopped:
        report["stopped"] = stopped
    return not stopped, report
