"""A chat backend in process that takes everything, for tests and benchmarks that count
store writes rather than what Slack shows: each post and edit is one Slack call."""

from __future__ import annotations

from typing import Any

from notifiers.base import Posted


class CountingChat:
    def __init__(self, min_interval: float = 0.0) -> None:
        self.min_interval = min_interval
        self.calls = 0

    def post(
        self, channel: str, payload: dict[str, Any], thread_ts: str | None, marker: str
    ) -> Posted:
        self.calls += 1
        return Posted("C1", f"{self.calls}.0")

    def update(self, channel: str, ts: str, payload: dict[str, Any]) -> None:
        self.calls += 1

    def find_posted(self, channel: str, marker: str, thread_ts: str | None, oldest: float) -> None:
        return None
