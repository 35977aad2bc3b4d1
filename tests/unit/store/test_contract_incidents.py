"""The Store contract, part two: incidents (one unresolved per series, recovery, the
transitions of bot.core.incident and their due-ness), audit, silences and held counts,
burst digests. Every test runs against SQLite and DynamoDB (conftest.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.core.incident import Action, Source, State
from bot.incidents.policy import recovery_note, resolving
from bot.store import IncidentChange, Notice, OutboxItem, Sending, Silence, Store
from bot.store.dynamodb.audit import audit_entry
from bot.store.dynamodb.store import DynamoDBStore
from bot.store.sqlite.store import SqliteStore
from notifiers.wording import refusal
from tests.goldens import readable
from tests.unit.store.conftest import QUIET, ROUTED, T0, alarm, event, later

SOON = later(3600)


def fail(store: Store, name: str = "ServerCpuTooHigh", minute: float = 0) -> list[bool]:
    failed = alarm(name, minute=minute)
    change = IncidentChange(open=True, renotify_at=SOON, note=failed.name)
    return store.accept([(failed, ROUTED)], later(60 * minute), [change])


def recover(store: Store, name: str = "ServerCpuTooHigh", minute: float = 10) -> list[bool]:
    ok = alarm(name, ok=True, minute=minute)
    change = resolving(recovery_note(ok))
    return store.accept([(ok, QUIET)], later(60 * minute), [change])


def drain(store: Store) -> list[OutboxItem]:
    """Every queued item in delivery order, each completed as a deliverer would."""
    delivered: list[OutboxItem] = []
    while batch := store.due(later(10**6), 100):
        for item in batch:
            store.complete(item.id)
        delivered += batch
    return delivered


def notices(store: Store) -> list[Notice]:
    return [item.notice for item in drain(store) if item.notice is not None]


def general_audit(store: Store) -> list[tuple[object, ...]]:
    """Audit records of no incident (refusals, silences): not in the protocol, read raw."""
    if isinstance(store, SqliteStore):
        rows = store._db.execute(
            "SELECT at, actor, source, action, note FROM audit WHERE incident_id IS NULL"
            " ORDER BY id"
        ).fetchall()
        return [tuple(row) for row in rows]
    assert isinstance(store, DynamoDBStore)
    entries = [audit_entry(item) for item in store._partition("audit")]
    return [(e["at"], e["actor"], e["source"], e["action"], e["note"]) for e in entries]


# --- opening and recovering -----------------------------------------------------------------


def test_one_unresolved_incident_per_series(store: Store) -> None:
    one, two, three = alarm(minute=0), alarm(minute=5), alarm(minute=9)
    change = IncidentChange(open=True, renotify_at=SOON, note=one.name)

    assert store.accept([(e, ROUTED) for e in (one, two, three)], T0, [change] * 3) == [True] * 3
    assert fail(store, minute=12) == [True]

    (incident,) = store.unresolved_incidents()
    assert (incident.id, incident.state, incident.title, incident.key) == (
        1,
        State.OPEN,
        "ServerCpuTooHigh",
        one.key,
    )
    assert (incident.series, incident.opened_at, incident.updated_at) == (one.key, T0, T0)
    assert (incident.actor, incident.last_action, incident.renotify_count) == ("mlpulse", None, 0)
    assert (incident.next_renotify_at, incident.snoozed_until, incident.note) == (SOON, None, None)
    assert [a["action"] for a in store.audit(1)] == ["open"]


def test_a_recovery_resolves_and_queues_its_notice_in_one_go(store: Store) -> None:
    fail(store)
    recover(store, minute=10)

    incident = store.incident(1)
    assert incident is not None
    assert (incident.state, incident.actor, incident.last_action) == (
        State.RESOLVED,
        "mlpulse",
        Action.AUTO_RESOLVE,
    )
    assert (incident.next_renotify_at, incident.snoozed_until) == (None, None)
    assert incident.note == "recovered: ServerCpuTooHigh is OK"
    assert incident.updated_at == later(600)
    (notice,) = notices(store)
    assert notice == Notice(
        text=":white_check_mark: Resolved automatically: recovered: ServerCpuTooHigh is OK.",
        refresh=True,
    )
    assert [(a["action"], a["source"], a["from_state"], a["to_state"]) for a in store.audit(1)] == [
        ("open", "auto", None, "open"),
        ("auto_resolve", "auto", "open", "resolved"),
    ]
    assert store.unresolved_incidents() == []

    # Recovered twice is resolved once; failing again opens a new one.
    recover(store, minute=12)
    assert notices(store) == []
    fail(store, minute=20)
    assert [i.id for i in store.unresolved_incidents()] == [2]
    assert store.incident_for_key(incident.key).id == 2  # type: ignore[union-attr]


@pytest.mark.parametrize("action", [Action.ACK, Action.SNOOZE])
def test_a_recovery_resolves_whoever_holds_it(store: Store, action: Action) -> None:
    fail(store)
    assert store.transition(1, action, "U1", Source.BUTTON, T0, until=later(3600)).ok

    recover(store)

    assert store.incident(1).state == State.RESOLVED  # type: ignore[union-attr]
    assert store.due_incident_work(later(10**6)) == []


def test_a_recovery_older_than_the_failure_resolves_nothing(store: Store) -> None:
    fail(store, minute=10)
    recover(store, minute=5)
    assert store.incident(1).state == State.OPEN  # type: ignore[union-attr]
    assert notices(store) == []

    recover(store, minute=10)  # the same instant counts
    assert store.incident(1).state == State.RESOLVED  # type: ignore[union-attr]


def test_the_series_recovers_not_the_key(store: Store) -> None:
    """A later run (another key) of the same pipeline (series) resolves the failed run."""
    run_1 = event("r1", name="run-1", series="pipeline:p")
    run_2 = event("r2", name="run-2", series="pipeline:p", status="Completed", at=later(5))
    other = event("o", name="other", series="pipeline:q", status="Completed", at=later(6))
    opened = IncidentChange(open=True, note="run-1")
    store.accept([(run_1, ROUTED), (other, QUIET)], T0, [opened, resolving("")])
    assert store.incident(1).state == State.OPEN  # type: ignore[union-attr]

    store.accept([(run_2, QUIET)], later(5), [resolving("")])

    incident = store.incident(1)
    assert incident is not None and incident.state == State.RESOLVED
    assert (incident.key, incident.series) == (run_1.key, "pipeline:p")
    assert store.incident_for_key(run_2.key) is None
    (item,) = [i for i in drain(store) if i.notice is not None]
    assert item.key == run_1.key  # the notice goes to the incident's own message


def test_incident_for_key_is_the_latest_resolved_or_not(store: Store) -> None:
    assert store.incident_for_key(alarm().key) is None
    fail(store)
    assert store.transition(1, Action.RESOLVE, "U1", Source.BUTTON, T0).ok
    assert store.incident_for_key(alarm().key).state == State.RESOLVED  # type: ignore[union-attr]
    fail(store, minute=1)
    assert store.incident_for_key(alarm().key).id == 2  # type: ignore[union-attr]
    assert store.incidents_for_keys([alarm().key])[alarm().key].id == 2
    assert [i.id for i in store.unresolved_incidents()] == [2]


# --- transitions ----------------------------------------------------------------------------


def test_transitions_follow_the_model(store: Store) -> None:
    fail(store)
    now = later(30)

    acked = store.transition(1, Action.ACK, "U1", Source.BUTTON, now, note="on it")
    assert acked.ok and acked.incident is not None
    assert (acked.incident.state, acked.incident.actor, acked.incident.last_action) == (
        State.ACKNOWLEDGED,
        "U1",
        Action.ACK,
    )
    assert (acked.incident.updated_at, acked.incident.note) == (now, "on it")
    assert acked.incident.next_renotify_at is None  # acknowledged: no more reminders
    assert store.incident(1) == acked.incident

    again = store.transition(1, Action.ACK, "U2", Source.COMMAND, later(40))
    assert not again.ok and again.incident == acked.incident
    # The store refuses; the words (notifiers.wording) come from the incident it returns.
    assert readable(refusal(again.incident, Action.ACK)) == (
        "Incident #1 was already acknowledged by <@U1> at 03:00 UTC."
    )

    snoozed = store.transition(1, Action.SNOOZE, "U2", Source.COMMAND, now, until=later(600))
    assert snoozed.ok and snoozed.incident is not None
    assert (snoozed.incident.state, snoozed.incident.snoozed_until) == (State.SNOOZED, later(600))
    resolved = store.transition(1, Action.RESOLVE, "U3", Source.COMMAND, later(50))
    assert resolved.ok and resolved.incident is not None
    assert (resolved.incident.state, resolved.incident.snoozed_until) == (State.RESOLVED, None)

    late = store.transition(1, Action.ACK, "U1", Source.BUTTON, later(60))
    assert not late.ok and late.incident is not None
    assert (
        readable(refusal(late.incident, Action.ACK))
        == "Incident #1 is already resolved by <@U3> at 03:00 UTC; nothing to do."
    )
    assert [(a["action"], a["actor"], a["from_state"], a["to_state"]) for a in store.audit(1)] == [
        ("open", "mlpulse", None, "open"),
        ("ack", "U1", "open", "acknowledged"),
        ("snooze", "U2", "acknowledged", "snoozed"),
        ("resolve", "U3", "snoozed", "resolved"),
    ]
    assert store.unresolved_incidents() == []
    fail(store, minute=30)  # resolved by hand: the series is free again
    assert [i.id for i in store.unresolved_incidents()] == [2]


def test_a_transition_on_no_incident(store: Store) -> None:
    refused = store.transition(7, Action.ACK, "U1", Source.BUTTON, T0)

    assert (refused.ok, refused.incident) == (False, None)


def test_a_transition_queues_its_notice_and_a_refused_one_does_not(store: Store) -> None:
    fail(store)
    drain(store)
    said = Notice(text=":eyes: Acknowledged by <@U1>.", refresh=True)

    assert store.transition(1, Action.ACK, "U1", Source.BUTTON, T0, notice=said).ok
    assert not store.transition(1, Action.ACK, "U2", Source.BUTTON, T0, notice=said).ok

    (item,) = drain(store)
    assert (item.key, item.notice, item.created) == (alarm().key, said, T0)


def test_renotify_only_when_due(store: Store) -> None:
    fail(store)  # the first reminder is due at SOON
    ahead = SOON + timedelta(hours=1)

    early = store.transition(1, Action.RENOTIFY, "mlpulse", Source.SCHEDULE, SOON - timedelta(1))
    assert not early.ok

    first = store.transition(
        1, Action.RENOTIFY, "mlpulse", Source.SCHEDULE, SOON, renotify_at=ahead
    )
    assert first.ok and first.incident is not None
    assert (first.incident.state, first.incident.renotify_count) == (State.OPEN, 1)
    assert first.incident.next_renotify_at == ahead
    # Found due at the same moment by another replica: no longer due, not sent again.
    assert not store.transition(1, Action.RENOTIFY, "mlpulse", Source.SCHEDULE, SOON).ok
    assert store.due_incident_work(SOON) == []
    assert [i.id for i in store.due_incident_work(ahead)] == [1]

    last = store.transition(1, Action.RENOTIFY, "mlpulse", Source.SCHEDULE, ahead)
    assert last.ok and last.incident is not None and last.incident.renotify_count == 2
    assert store.due_incident_work(later(10**6)) == []  # no reminder left


def test_unsnooze_only_when_the_snooze_ran_out(store: Store) -> None:
    fail(store)
    until = later(600)
    assert store.transition(1, Action.SNOOZE, "U1", Source.BUTTON, T0, until=until).ok

    assert not store.transition(1, Action.UNSNOOZE, "mlpulse", Source.SCHEDULE, later(599)).ok
    woken = store.transition(
        1, Action.UNSNOOZE, "mlpulse", Source.SCHEDULE, until, renotify_at=SOON
    )
    assert woken.ok and woken.incident is not None
    assert (woken.incident.state, woken.incident.snoozed_until) == (State.OPEN, None)
    assert woken.incident.next_renotify_at == SOON
    assert not store.transition(1, Action.UNSNOOZE, "mlpulse", Source.SCHEDULE, until).ok
    assert not store.transition(1, Action.RENOTIFY, "mlpulse", Source.SCHEDULE, until).ok


def test_due_incident_work(store: Store) -> None:
    for name in ("a", "b", "c"):
        fail(store, name)
    assert store.transition(2, Action.SNOOZE, "U1", Source.BUTTON, T0, until=later(600)).ok
    assert store.transition(3, Action.ACK, "U1", Source.BUTTON, T0).ok

    assert store.due_incident_work(later(599)) == []
    assert [i.id for i in store.due_incident_work(later(600))] == [2]
    assert [i.id for i in store.due_incident_work(SOON)] == [1, 2]
    assert [i.id for i in store.unresolved_incidents()] == [1, 2, 3]


# --- audit ----------------------------------------------------------------------------------


def test_the_audit_of_an_incident(store: Store) -> None:
    fail(store)
    store.transition(1, Action.SNOOZE, "U1", Source.COMMAND, later(5), until=later(60), note="n")

    assert store.audit(1) == [
        {
            "at": T0.timestamp(),
            "actor": "mlpulse",
            "source": "auto",
            "action": "open",
            "from_state": None,
            "to_state": "open",
            "note": "ServerCpuTooHigh",
        },
        {
            "at": later(5).timestamp(),
            "actor": "U1",
            "source": "command",
            "action": "snooze",
            "from_state": "open",
            "to_state": "snoozed",
            "note": "n",
        },
    ]
    assert store.audit(2) == []


def test_refusals_are_audited(store: Store) -> None:
    store.record_refusal("U2", "/mlpulse silence", T0)
    store.record_refusal("U3", "/mlpulse resolve 1", later(1))

    assert general_audit(store) == [
        (T0.timestamp(), "U2", "command", "refused", "/mlpulse silence"),
        (later(1).timestamp(), "U3", "command", "refused", "/mlpulse resolve 1"),
    ]


# --- silences -------------------------------------------------------------------------------


def announce(silence: Silence) -> Notice:
    return Notice(text=f"silence {silence.id} on {silence.pattern}: {silence.held}", channel="C1")


def test_a_silenced_failure_opens_nothing_and_is_counted(store: Store) -> None:
    silence = store.add_silence("Server*", later(3600), "UA", "C1", T0)
    one = alarm()
    change = IncidentChange(open=True, note=one.name)

    assert store.accept([(one, ROUTED)], T0, [change], [silence.id]) == [True]

    assert store.unresolved_incidents() == []
    (active,) = store.active_silences(T0)
    assert active.held == 1
    assert store.due(T0, 10) == []  # held: stored, not queued
    assert store.pending_count() == 0
    assert store.accept([(one, ROUTED)], T0, [change], [silence.id]) == [False]
    assert store.active_silences(T0)[0].held == 1


def test_a_silenced_recovery_still_resolves(store: Store) -> None:
    fail(store)
    silence = store.add_silence("Server*", later(3600), "UA", "C1", T0)
    ok = alarm(ok=True, minute=10)

    assert store.accept([(ok, QUIET)], T0, [resolving("")], [silence.id]) == [True]

    assert store.incident(1).state == State.RESOLVED  # type: ignore[union-attr]
    assert store.active_silences(T0)[0].held == 1


def test_held_counts_add_up_within_one_batch(store: Store) -> None:
    jobs = store.add_silence("job-*", later(3600), "UA", "C1", T0)
    alarms = store.add_silence("kind:alarm", later(3600), "UA", "C1", T0)
    batch = [(event(f"j{i}", name=f"job-{i}"), QUIET) for i in range(40)]
    batch += [(alarm(f"A{i}"), ROUTED) for i in range(3)]
    batch.append((event("free", name="free"), QUIET))
    held = [*[jobs.id] * 40, *[alarms.id] * 3, None]

    assert store.accept(batch, T0, None, held) == [True] * 44

    assert [(s.id, s.held) for s in store.active_silences(T0)] == [(jobs.id, 40), (alarms.id, 3)]
    assert store.pending_count() == 1


def test_a_hold_by_a_silence_that_is_gone_is_still_a_hold(store: Store) -> None:
    assert store.accept([(event("a"), QUIET)], T0, None, [41]) == [True]

    assert store.pending_count() == 0
    assert store.active_silences(T0) == []


def test_a_silence_is_announced_with_it(store: Store) -> None:
    made = store.add_silence("churn-*", later(7200), "UADMIN", "C0ALERTS", T0, announce)

    assert (made.pattern, made.created_by, made.created_at, made.expires_at) == (
        "churn-*",
        "UADMIN",
        T0,
        later(7200),
    )
    assert (made.channel, made.held) == ("C0ALERTS", 0)
    (item,) = drain(store)
    assert (item.key, item.notice) == (f"silence:{made.id}", announce(made))
    assert general_audit(store) == [
        (T0.timestamp(), "UADMIN", "command", "silence", "churn-* until 2026-11-25 05:00 UTC")
    ]


def test_silences_expire_once_and_say_what_they_held(store: Store) -> None:
    short = store.add_silence("a-*", later(300), "UA", "C1", T0)
    long = store.add_silence("b-*", later(3600), "UA", "C1", T0)
    store.accept([(event("x", name="a-1"), QUIET)], T0, None, [short.id])
    assert [s.id for s in store.active_silences(T0)] == [short.id, long.id]

    at_end = later(300)
    assert [s.id for s in store.active_silences(at_end)] == [long.id]  # over at its end
    (ended,) = store.expire_silences(at_end, announce)
    assert (ended.id, ended.held) == (short.id, 1)
    assert store.expire_silences(at_end, announce) == []
    assert [s.id for s in store.expire_silences(later(10**5))] == [long.id]  # no announce
    assert notices(store) == [announce(ended)]


# --- burst digests --------------------------------------------------------------------------


def test_a_digest_takes_members_within_its_window_and_capacity(store: Store) -> None:
    first = store.open_digest("#bursts", T0, 900, 2)
    assert (first.channel, first.opened, first.ts, first.dirty, first.in_flight) == (
        "#bursts",
        T0,
        None,
        True,
        False,
    )
    assert store.open_digest("#bursts", later(899), 900, 2).id == first.id
    assert store.open_digest("#other", T0, 900, 2).id != first.id

    store.accept([(event(f"j{i}", name=f"job-{i}"), QUIET) for i in range(3)], T0)
    items = store.due(T0, 10)
    for item in items[:2]:
        store.join_digest(first, item)
    full = store.open_digest("#bursts", later(1), 900, 2)
    assert full.id not in (first.id,)
    assert store.open_digest("#bursts", later(2), 900, 2).id == full.id
    assert store.open_digest("#bursts", later(902), 900, 2).id not in (first.id, full.id)


def test_digest_members_and_refreshes(store: Store) -> None:
    digest = store.open_digest("#bursts", T0, 900, 200)
    events = [event(f"j{i}", name=f"job-{i}", status="InProgress", at=later(i)) for i in range(3)]
    store.accept([(e, QUIET) for e in events], T0)
    for item in store.due(T0, 10):
        store.join_digest(digest, item)

    assert store.pending_count() == 0  # joining finishes the item
    assert store.digest_members(digest.id) == events[::-1]  # newest first
    root = store.root(events[0].key)
    assert root is not None and (root.digest_id, root.channel, root.ts) == (
        digest.id,
        "#bursts",
        "",
    )
    assert [d.id for d in store.dirty_digests()] == [digest.id]

    assert store.digest_sending(digest.id, "replica-a", later(60), T0) is Sending.FIRST
    assert store.dirty_digests()[0].in_flight
    store.digest_posted(digest.id, "C0BURST", "17.5", later(5))
    assert store.dirty_digests() == []
    root = store.root(events[0].key)
    assert root is not None and (root.channel, root.ts) == ("C0BURST", "17.5")

    done = event("j0-done", name="job-0", status="Completed", at=later(20))
    assert store.advance_state(done.key, done, QUIET)
    store.touch_digest(digest.id)
    (dirty,) = store.dirty_digests()
    assert (dirty.posted_channel, dirty.ts, dirty.refreshed, dirty.in_flight) == (
        "C0BURST",
        "17.5",
        later(5),
        False,
    )
    assert store.digest_members(digest.id)[0] == done

    store.set_root(done.key, "C0BURST", "18.1", done)  # it got a message of its own
    store.digest_refreshed(digest.id, later(30))
    assert store.dirty_digests() == []
    assert store.digest_members(digest.id) == events[:0:-1]
    assert store.root(done.key).digest_id is None  # type: ignore[union-attr]


def test_a_digest_s_first_post_is_marked_for_one_replica_at_a_time(store: Store) -> None:
    digest = store.open_digest("#bursts", T0, 900, 200)
    events = [event("j0", name="job-0", status="InProgress")]
    store.accept([(e, QUIET) for e in events], T0)
    for item in store.due(T0, 10):
        store.join_digest(digest, item)

    assert store.digest_sending(digest.id, "replica-a", later(60), T0) is Sending.FIRST
    # Another replica keeps off while the mark is live; the marker's own retry looks first.
    assert store.digest_sending(digest.id, "replica-b", later(90), later(30)) is Sending.BUSY
    assert store.digest_sending(digest.id, "replica-a", later(90), later(30)) is Sending.AGAIN
    # Once the mark has run out (its replica died), another takes it over and looks first.
    assert store.digest_sending(digest.id, "replica-b", later(150), later(90)) is Sending.AGAIN
    assert store.digest_sending(digest.id, "replica-a", later(160), later(100)) is Sending.BUSY

    store.digest_posted(digest.id, "C0BURST", "17.5", later(100))
    assert store.digest_sending(digest.id, "replica-b", later(300), later(200)) is Sending.BUSY


def test_digest_writes_on_no_digest_change_nothing(store: Store) -> None:
    store.touch_digest(99)
    assert store.digest_sending(99, "replica-a", later(60), T0) is Sending.BUSY
    store.digest_refreshed(99, T0)
    store.digest_posted(99, "C1", "1.0", T0)

    assert store.dirty_digests() == []
    assert store.digest_members(99) == []
