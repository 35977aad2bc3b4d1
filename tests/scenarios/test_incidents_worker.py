"""What a second mlpulse process does in the race scenarios (this module holds no tests).

It is started with multiprocessing's `spawn`, so it imports only what it needs: the
SQLite store, the incident model and its wording, not the app or the test fixtures.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.core.incident import Action, Source
from bot.store.sqlite.store import SqliteStore
from notifiers.wording import refusal
from tests.goldens import readable


def act_at_once(
    path: str, incident_id: int, action: str, user: str, at: float, barrier: Any, results: Any
) -> None:
    """Open the store, wait for every other process at the barrier, then act at once."""
    store = SqliteStore(path)
    try:
        barrier.wait(timeout=30)
        result = store.transition(
            incident_id, Action(action), user, Source.BUTTON, datetime.fromtimestamp(at, UTC)
        )
        # The words a refused person reads (the service adds them; the store only refuses).
        words = readable(refusal(result.incident, Action(action))) if result.incident else ""
        results.put((user, result.ok, "" if result.ok else words))
    except Exception as error:  # reported, so the test fails with the reason
        results.put((user, None, repr(error)))
    finally:
        store.close()
