"""What `/healthz` reports: each component's state and its last problem, if any."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass
class ComponentState:
    ok: bool = True
    detail: str = "ok"
    since: datetime | None = None


class Health:
    """Components report in; readers get a consistent snapshot. Messages never hold secrets:
    they are built from error codes and resource names only."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._components: dict[str, ComponentState] = {}

    def set(self, component: str, ok: bool, detail: str, at: datetime | None = None) -> None:
        with self._lock:
            current = self._components.get(component)
            since = current.since if current is not None and current.ok == ok else at
            self._components[component] = ComponentState(ok=ok, detail=detail, since=since)

    def snapshot(self) -> tuple[bool, dict[str, Any]]:
        with self._lock:
            components = {
                name: {
                    "ok": state.ok,
                    "detail": state.detail,
                    **({"since": state.since.isoformat()} if state.since else {}),
                }
                for name, state in sorted(self._components.items())
            }
        healthy = all(item["ok"] for item in components.values())
        return healthy, {"status": "ok" if healthy else "degraded", "components": components}
