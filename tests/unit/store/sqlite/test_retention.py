"""Pruning the SQLite store (bot.store.sqlite.retention): each kind of record goes once it
outlived its lifetime, in batches, and nothing still needed goes; the file is made with
incremental auto-vacuum and gives pages back once pruning freed many."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from bot.config.models import Retention
from bot.core.approvals import ApprovalState
from bot.core.incident import Action, Source
from bot.incidents.policy import recovery_note, resolving
from bot.store import IncidentChange, Notice
from bot.store.sqlite.store import SqliteStore
from tests.unit.store.conftest import QUIET, ROUTED, T0, alarm, event, later
from tests.unit.store.test_contract_approvals import asked

DAY = 86400.0
SHORT = Retention.model_validate(
    {
        "dedup": "1d",
        "roots": "2d",
        "incidents": "3d",
        "audit": "4d",
        "silences": "5d",
        "outbox": "6d",
    }
)


def count(store: SqliteStore, table: str) -> int:
    return int(store._db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


def counts(store: SqliteStore) -> dict[str, int]:
    tables = ("seen_digests", "roots", "incidents", "incident_keys", "audit", "silences", "outbox")
    return {table: count(store, table) for table in (*tables, "digests")}


def test_each_kind_goes_after_its_lifetime(tmp_path: Path) -> None:
    store = SqliteStore(str(tmp_path / "s.db"), SHORT)
    failed = alarm("CpuHigh")
    store.accept([(failed, ROUTED)], T0, [IncidentChange(open=True, note="cpu")])
    store.set_root(failed.key, "C1", "1.0", failed, ROUTED)
    ok = alarm("CpuHigh", ok=True, minute=1)
    store.accept([(ok, QUIET)], later(60), [resolving(recovery_note(ok))])
    store.record_refusal("U1", "silence *", T0)
    silence = store.add_silence("train-*", later(60), "U1", "#ops", T0)
    store.expire_silences(later(120))
    store.accept([(event("held", name="muted"), ROUTED)], T0, held=[silence.id])
    store.accept([(event("parked", name="bad"), ROUTED)], T0)
    parked = next(i for i in store.due(later(1), 10) if i.key == event(name="bad").key)
    store.give_up(parked.id, "invalid_blocks")
    while items := store.due(later(3600), 10):
        for item in items:
            store.complete(item.id)
    before = counts(store)

    expected_after = {  # day: tables emptied by then
        1: {"seen_digests"},
        2: {"seen_digests", "roots"},
        3: {"seen_digests", "roots", "incidents", "incident_keys"},
        4: {"seen_digests", "roots", "incidents", "incident_keys", "audit"},
        5: {"seen_digests", "roots", "incidents", "incident_keys", "audit", "silences"},
        6: {"seen_digests", "roots", "incidents", "incident_keys", "audit", "silences", "outbox"},
    }
    for day, empty in expected_after.items():
        store.prune(later(day * DAY + 600))
        now = counts(store)
        assert {t for t, n in now.items() if n == 0 and before[t]} == empty, (day, now)
    store.close()


def test_what_is_still_needed_stays(tmp_path: Path) -> None:
    """A pending alert, an unresolved incident, and the roots of their resources."""
    store = SqliteStore(str(tmp_path / "s.db"), SHORT)
    failed = alarm("CpuHigh")
    store.accept([(failed, ROUTED)], T0, [IncidentChange(open=True, note="cpu")])
    store.set_root(failed.key, "C1", "1.0", failed, ROUTED)
    waiting = event("w", name="waiting")
    store.accept([(waiting, ROUTED)], T0)
    store.set_root(waiting.key, "C1", "2.0", waiting, ROUTED)
    (incident,) = store.unresolved_incidents()
    store.transition(incident.id, Action.ACK, "U1", Source.BUTTON, later(5))

    store.prune(later(100 * DAY))

    assert count(store, "seen_digests") == 0 and count(store, "audit") == 0
    assert store.root(failed.key) is not None and store.root(waiting.key) is not None
    assert [i.id for i in store.unresolved_incidents()] == [incident.id]
    assert store.pending_count() == 2
    store.close()


def test_a_store_prunes_in_batches_it_can_be_called_again_for(tmp_path: Path) -> None:
    store = SqliteStore(str(tmp_path / "s.db"), SHORT)
    store.accept([(event(f"e{n}", name=f"job-{n}"), QUIET) for n in range(60)], T0)

    assert count(store, "seen_digests") == 60  # one an event (bot.store.sqlite.dedup)
    assert [store.prune(later(2 * DAY), limit=25) for _ in range(4)] == [25, 25, 10, 0]
    store.close()


def test_a_digest_goes_once_its_members_roots_went(tmp_path: Path) -> None:
    store = SqliteStore(str(tmp_path / "s.db"), SHORT)
    store.accept([(event("d1", name="hpo-1"), QUIET)], T0)
    (item,) = store.due(T0, 1)
    digest = store.open_digest("#ml", T0, 900, 200)
    store.join_digest(digest, item)
    store.digest_posted(digest.id, "C1", "9.0", T0)

    store.prune(later(DAY))
    assert count(store, "digests") == 1
    store.prune(later(3 * DAY))
    assert (count(store, "digests"), count(store, "roots")) == (0, 0)
    store.close()


def test_a_new_file_gives_freed_pages_back(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    store = SqliteStore(str(path), SHORT)
    big = "x" * 2000
    batch = [(event(f"e{n}", name=f"job-{n}", reason=big), QUIET) for n in range(400)]
    store.accept(batch, T0)
    store._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    full = path.stat().st_size
    while items := store.due(T0, 100):
        for item in items:
            store.complete(item.id)

    while store.prune(later(3 * DAY)):
        pass
    store._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    assert store._db.execute("PRAGMA auto_vacuum").fetchone()[0] == 2  # incremental
    assert path.stat().st_size < full * 0.6, (path.stat().st_size, full)
    store.close()


def test_an_older_file_without_auto_vacuum_still_opens_and_prunes(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE seen (dedup_id TEXT PRIMARY KEY, seen_at REAL NOT NULL)")
        db.execute("INSERT INTO seen VALUES ('old', ?)", (T0.timestamp(),))

    store = SqliteStore(str(path), SHORT)

    assert store._db.execute("PRAGMA auto_vacuum").fetchone()[0] == 0
    assert store.prune(later(2 * DAY)) == 1
    store.close()


def test_lifetimes_are_at_least_a_day() -> None:
    import pydantic
    import pytest

    with pytest.raises(pydantic.ValidationError, match="at least a day"):
        Retention.model_validate({"dedup": "1h"})
    assert Retention().dedup == timedelta(days=7)
    assert Retention().audit == timedelta(days=400)


def test_notices_are_kept_while_pending(tmp_path: Path) -> None:
    store = SqliteStore(str(tmp_path / "s.db"), SHORT)
    store.enqueue_notice("silence:1", Notice(text="ended"), T0)

    store.prune(later(100 * DAY))

    assert store.pending_count() == 1
    store.close()


def test_settled_approvals_go_by_their_own_date_and_pending_ones_stay(tmp_path: Path) -> None:
    store = SqliteStore(str(tmp_path / "s.db"), SHORT)
    assert store.prune(later(1)) == 0  # a file without the approval tables yet
    store.open_approval(asked("a-pending"))
    store.open_approval(replace(asked("a-closed"), state=ApprovalState.CLOSED))
    long_after = T0 + timedelta(days=400)
    store.prune(long_after)
    assert [a.id for a in store.pending_approvals()] == ["a-pending"]
    assert store.approval("a-closed") is None
    assert store.approval("a-pending") is not None
