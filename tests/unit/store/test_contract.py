"""The Store contract, part one: dedup, the outbox's order and timing, delivery progress,
notices and root messages. Every test runs against SQLite and DynamoDB (conftest.py);
incidents, silences, audit and digests are in test_contract_incidents.py, concurrent
writers in test_contract_races.py (RELIABILITY B2, B3, D3, D5)."""

from __future__ import annotations

import pytest

from bot.core.decision import Decision
from bot.core.errors import StoreError
from bot.core.events import Event, FailedPart, Severity
from bot.store import STAGE_ROOT_DONE, Notice, Store
from tests.unit.store.conftest import KEY, QUIET, ROUTED, T0, event, later


def knowing(shown: Event, subject: str, depth: int) -> Event:
    """`shown` once it knows that its part `subject`, `depth` levels down, failed."""
    part = FailedPart(subject=subject, depth=depth, time=T0, reason="JobFailed")
    return shown.model_copy(update={"failed_part": part})


# --- dedup ----------------------------------------------------------------------------------


def test_accept_queues_new_events(store: Store) -> None:
    flags = store.accept([(event("a"), ROUTED), (event("b", name="other"), ROUTED)], T0)

    assert flags == [True, True]
    assert store.pending_count() == 2


def test_the_same_delivery_twice_in_one_batch_is_one_item(store: Store) -> None:
    same = event("a")

    assert store.accept([(same, ROUTED), (same, ROUTED)], T0) == [True, False]
    assert store.pending_count() == 1


def test_the_same_delivery_in_a_later_batch_is_dropped(store: Store) -> None:
    assert store.accept([(event("a"), ROUTED)], T0) == [True]

    assert store.accept([(event("a"), ROUTED)], later(60)) == [False]
    assert store.pending_count() == 1


def test_one_state_change_under_two_ids_is_one_item(store: Store) -> None:
    """SageMaker may send one state change twice with two ids: the state key catches it."""
    first, second = event("id-1"), event("id-2")
    assert set(first.dedup_ids) & set(second.dedup_ids)

    assert store.accept([(first, ROUTED), (second, ROUTED)], T0) == [True, False]
    assert store.accept([(event("id-3"), ROUTED)], later(1)) == [False]
    assert store.pending_count() == 1


def test_a_reused_id_for_a_different_event_is_not_a_duplicate(store: Store) -> None:
    """AWS's own samples reuse ids: an id names a delivery only with its content."""
    flags = store.accept(
        [(event("same-id", status="InProgress"), ROUTED), (event("same-id"), ROUTED)], T0
    )

    assert flags == [True, True]


def test_events_of_unknown_time_dedup_only_by_id(store: Store) -> None:
    """Without a time of its own an event's content is no identity: two text messages
    that say the same thing at different moments are two alerts."""
    first, second = event("m-1", time_known=False), event("m-2", time_known=False)
    assert len(first.dedup_ids) == 1

    assert store.accept([(first, ROUTED), (second, ROUTED)], T0) == [True, True]
    assert store.accept([(event("m-1", time_known=False), ROUTED)], later(5)) == [False]


def test_a_new_state_of_the_same_resource_is_accepted(store: Store) -> None:
    store.accept([(event("a", status="InProgress"), ROUTED)], T0)

    assert store.accept([(event("b", status="Failed", at=later(30)), ROUTED)], later(30)) == [True]
    assert store.pending_count() == 2


def test_a_batch_mixing_new_and_seen_events(store: Store) -> None:
    store.accept([(event("a"), ROUTED), (event("c", name="n3"), ROUTED)], T0)

    flags = store.accept(
        [(event("a"), ROUTED), (event("b", name="n2"), ROUTED), (event("c", name="n3"), ROUTED)],
        later(1),
    )

    assert flags == [False, True, False]
    assert store.pending_count() == 3


def test_a_batch_bigger_than_one_transaction(store: Store) -> None:
    """80 events (160 dedup ids, 320 items to write): more than one DynamoDB transaction
    holds (100 items), every event kept exactly once."""
    batch = [(event(f"e{i}", name=f"job-{i}"), QUIET) for i in range(80)]

    assert store.accept(batch[:30], T0) == [True] * 30
    assert store.accept(batch + batch[-5:], T0) == [False] * 30 + [True] * 50 + [False] * 5

    assert store.pending_count() == 80
    due = store.due(T0, 1000)
    assert [item.event.id for item in due if item.event] == [f"e{i}" for i in range(80)]
    assert len({item.id for item in due}) == 80


def test_accept_is_all_or_nothing(store: Store) -> None:
    """An event that cannot be stored fails its batch before anything is recorded."""
    unstorable = Decision(channel="#x", severity=object(), incident=True)  # type: ignore[arg-type]
    store.accept([(event("ok-1"), ROUTED)], T0)

    with pytest.raises(TypeError):
        store.accept([(event("ok-2", name="n2"), ROUTED), (event("x", name="n3"), unstorable)], T0)

    assert store.pending_count() == 1
    assert store.accept([(event("ok-2", name="n2"), ROUTED)], T0) == [True]


def test_an_empty_batch(store: Store) -> None:
    assert store.accept([], T0) == []
    assert store.pending_count() == 0


# --- due ------------------------------------------------------------------------------------


def test_due_gives_only_the_oldest_pending_item_per_resource(store: Store) -> None:
    store.accept(
        [
            (event("a1", status="InProgress"), ROUTED),
            (event("b1", name="other", status="InProgress"), ROUTED),
            (event("a2", status="Failed", at=later(10)), ROUTED),
        ],
        T0,
    )

    due = store.due(T0, 100)

    assert [item.event.id for item in due if item.event] == ["a1", "b1"]
    first = due[0]
    assert (first.attempts, first.stage, first.created, first.next_attempt) == (0, 0, T0, T0)
    assert (first.decision, first.event, first.in_flight, first.notice) == (
        ROUTED,
        event("a1", status="InProgress"),
        False,
        None,
    )
    assert first.kind_label == "training_job"

    store.complete(first.id)
    assert [item.event.id for item in store.due(T0, 100) if item.event] == ["b1", "a2"]


def test_due_respects_next_attempt_and_keeps_the_order_of_a_resource(store: Store) -> None:
    store.accept(
        [(event("a1", status="InProgress"), ROUTED), (event("a2", at=later(10)), ROUTED)], T0
    )
    (first,) = store.due(T0, 100)

    store.retry_later(first.id, later(60), "HTTP 503")

    assert store.due(later(59), 100) == []  # the later item waits behind the first
    (again,) = store.due(later(60), 100)
    assert (again.id, again.attempts, again.next_attempt) == (first.id, 1, later(60))


def test_due_orders_resources_by_next_attempt_then_creation(store: Store) -> None:
    store.accept([(event(f"e{i}", name=f"job-{i}"), ROUTED) for i in range(4)], T0)
    e0, e1, e2, e3 = store.due(T0, 10)

    store.retry_later(e0.id, later(20), "later", count=False)
    store.retry_later(e2.id, later(10), "later", count=False)

    assert [i.id for i in store.due(later(30), 10)] == [e1.id, e3.id, e2.id, e0.id]
    assert [i.id for i in store.due(later(15), 10)] == [e1.id, e3.id, e2.id]


def test_due_honours_the_limit_oldest_first(store: Store) -> None:
    store.accept([(event(f"e{i}", name=f"job-{i}"), ROUTED) for i in range(5)], T0)
    store.retry_later(store.due(T0, 1)[0].id, later(5), "later", count=False)

    assert [item.event.id for item in store.due(later(10), 2) if item.event] == ["e1", "e2"]
    assert len(store.due(later(10), 100)) == 5


def test_items_accepted_later_are_not_due_earlier(store: Store) -> None:
    store.accept([(event("a"), ROUTED)], later(100))

    assert store.due(T0, 10) == []
    assert len(store.due(later(100), 10)) == 1


# --- delivery progress ----------------------------------------------------------------------


def test_retry_later_counts_attempts_unless_told_not_to(store: Store) -> None:
    store.accept([(event("a"), ROUTED)], T0)
    (item,) = store.due(T0, 1)

    store.retry_later(item.id, later(1), "HTTP 500")
    store.retry_later(item.id, later(2), "429 Retry-After 1", count=False)
    store.retry_later(item.id, later(2), "x" * 100_000)  # a long error is kept bounded

    (again,) = store.due(later(2), 1)
    assert (again.attempts, again.next_attempt) == (2, later(2))


def test_reroute_sends_the_item_elsewhere_and_it_is_due_at_once(store: Store) -> None:
    store.accept([(event("a"), ROUTED)], T0)
    (item,) = store.due(T0, 1)
    store.retry_later(item.id, later(300), "channel_not_found")

    fallback = Decision(channel="#fallback", severity=Severity.CRITICAL, incident=True, rule=2)
    store.reroute(item.id, fallback)

    (again,) = store.due(T0, 1)
    assert (again.id, again.decision, again.attempts) == (item.id, fallback, 0)
    assert store.pending_count() == 1


def test_give_up_parks_the_item_but_keeps_it(store: Store) -> None:
    store.accept(
        [(event("a1", status="InProgress"), ROUTED), (event("a2", at=later(10)), ROUTED)], T0
    )
    (first,) = store.due(T0, 1)

    store.give_up(first.id, "invalid_blocks")

    assert store.pending_count() == 1
    assert [item.event.id for item in store.due(T0, 10) if item.event] == ["a2"]
    assert store.accept([(event("a1", status="InProgress"), ROUTED)], T0) == [False]


def test_progress_and_in_flight(store: Store) -> None:
    store.accept([(event("a"), ROUTED)], T0)
    (item,) = store.due(T0, 1)

    store.mark_in_flight(item.id)
    assert store.due(T0, 1)[0].in_flight is True

    store.progress(item.id, STAGE_ROOT_DONE)  # a new stage starts with nothing sent
    (again,) = store.due(T0, 1)
    assert (again.stage, again.in_flight) == (STAGE_ROOT_DONE, False)


def test_complete_removes_the_item_and_remembers_the_event(store: Store) -> None:
    store.accept([(event("a"), ROUTED)], T0)
    (item,) = store.due(T0, 1)

    store.complete(item.id)

    assert store.pending_count() == 0
    assert store.due(later(3600), 10) == []
    assert store.accept([(event("a"), ROUTED)], later(10)) == [False]


def test_progress_on_a_finished_item_changes_nothing(store: Store) -> None:
    store.accept([(event("a"), ROUTED)], T0)
    (item,) = store.due(T0, 1)
    store.complete(item.id)

    store.complete(item.id)
    store.progress(item.id, STAGE_ROOT_DONE)
    store.mark_in_flight(item.id)
    store.retry_later(item.id, later(5), "late answer")
    store.reroute(item.id, ROUTED)
    store.give_up(item.id, "late answer")
    store.progress(10**9, STAGE_ROOT_DONE)

    assert store.pending_count() == 0
    assert store.due(later(3600), 10) == []


# --- notices --------------------------------------------------------------------------------


def test_a_notice_is_queued_behind_the_resource_s_events(store: Store) -> None:
    store.accept([(event("a"), ROUTED)], T0)
    notice = Notice(text="Acknowledged by <@U1>.", channel="#ops", broadcast=True, refresh=True)

    store.enqueue_notice(KEY, notice, later(1))
    store.enqueue_notice("silence:1", Notice(text="silenced"), later(2))

    first, other = store.due(later(5), 10)
    assert first.event is not None and first.key == KEY
    assert (other.key, other.event, other.decision, other.notice) == (
        "silence:1",
        None,
        None,
        Notice(text="silenced"),
    )
    assert other.kind_label == "notice"
    store.complete(first.id)
    queued = store.due(later(5), 10)[0]
    assert (queued.key, queued.notice, queued.created) == (KEY, notice, later(1))


# --- roots ----------------------------------------------------------------------------------


def test_root_round_trip(store: Store) -> None:
    assert store.root(KEY) is None
    shown = event("a", status="InProgress")

    store.set_root(KEY, "C0123ABCD", "1700000000.000100", shown, ROUTED)

    root = store.root(KEY)
    assert root is not None
    assert (root.key, root.channel, root.ts, root.event, root.decision, root.digest_id) == (
        KEY,
        "C0123ABCD",
        "1700000000.000100",
        shown,
        ROUTED,
        None,
    )


def test_roots_reads_many_in_one_go_and_leaves_out_keys_without_one(store: Store) -> None:
    # Past one BatchGetItem (100 keys) and one SQLite statement's variables (500).
    keys = [f"training_job:123456789012:us-east-1:job-{n}" for n in range(620)]
    for n, key in enumerate(keys[:600]):
        store.set_root(key, "C1", f"{n}.0", event(f"e-{n}", name=f"job-{n}"), ROUTED)

    found = store.roots([*keys, keys[3], keys[3]])  # asked twice: answered once

    assert set(found) == set(keys[:600])
    assert (found[keys[3]].ts, found[keys[3]].event.id) == ("3.0", "e-3")
    assert found[keys[3]] == store.root(keys[3])
    assert store.roots([]) == {}


@pytest.mark.parametrize(
    ("shown", "incoming", "moves"),
    [
        (event(status="InProgress"), event(status="Completed", at=later(60)), True),
        (event(status="Completed", at=later(60)), event(status="InProgress"), False),
        (event(status="Failed", at=later(60)), event(status="Completed", at=later(59)), False),
        (event(status="InProgress"), event(status="Completed"), True),  # same time, more final
        (event(status="InProgress"), event(status="Failed"), True),
        (event(status="Completed"), event(status="InProgress"), False),  # same time, less final
        (event(status="Completed"), event(status="Failed"), False),  # same time, as final
        (event(status="InProgress"), event(status="InProgress"), False),  # same state again
        (event(status="Stopping"), event(status="Stopped"), True),
        (event(status="Stopped"), event(status="Failed"), True),
        (event(status="Failed"), event(status="Failed", subject="stage"), False),  # a part
        # Of one state, the one knowing the deeper failed part (bot.core.ordering).
        (event(status="Failed"), knowing(event(status="Failed"), "stage Build", 1), True),
        (
            knowing(event(status="Failed"), "stage Build", 1),
            knowing(event(status="Failed"), "action Build › Build", 2),
            True,
        ),
        (
            knowing(event(status="Failed"), "action Build › Build", 2),
            knowing(event(status="Failed"), "stage Build", 1),
            False,
        ),
        (
            knowing(event(status="Failed"), "stage Build", 1),
            knowing(event(status="Failed"), "stage Test", 1),
            False,
        ),
        (knowing(event(status="Failed", at=later(1)), "stage Build", 1), event(), False),
        (knowing(event(status="Failed"), "stage Build", 1), event(at=later(1)), True),
    ],
)
def test_advance_state_only_moves_forward(
    store: Store, shown: Event, incoming: Event, moves: bool
) -> None:
    store.set_root(KEY, "#mlpulse", "1.0", shown)

    assert store.advance_state(KEY, incoming) is moves

    root = store.root(KEY)
    assert root is not None
    assert root.event == (incoming if moves else shown)
    assert (root.channel, root.ts) == ("#mlpulse", "1.0")


def test_advance_state_keeps_the_decision_unless_given_one(store: Store) -> None:
    store.set_root(KEY, "#mlpulse", "1.0", event(status="InProgress"), ROUTED)

    assert store.advance_state(KEY, event(status="Stopping", at=later(1)))
    assert store.root(KEY).decision == ROUTED  # type: ignore[union-attr]
    assert store.advance_state(KEY, event(status="Stopped", at=later(2)), QUIET)
    assert store.root(KEY).decision == QUIET  # type: ignore[union-attr]


def test_advance_state_without_a_root_changes_nothing(store: Store) -> None:
    assert store.advance_state(KEY, event()) is False
    assert store.root(KEY) is None


def test_set_root_replaces_the_message(store: Store) -> None:
    store.set_root(KEY, "#old", "1.0", event(status="Failed", at=later(60)))
    newer = event(status="InProgress")

    store.set_root(KEY, "#new", "2.0", newer)  # a repost: whatever it shows is now the root

    root = store.root(KEY)
    assert root is not None and (root.channel, root.ts, root.event) == ("#new", "2.0", newer)


def test_a_big_event_is_stored_whole(store: Store) -> None:
    """Events near the size normalization allows stay under DynamoDB's 400 KB an item."""
    from bot.core.events import Fact

    facts = tuple(Fact(label=f"f{i}", value="é" * 8000) for i in range(40))
    big = event("big", facts=facts, reason="<!channel> " * 700)

    assert store.accept([(big, ROUTED)], T0) == [True]
    store.set_root(KEY, "#c", "1.0", big)

    assert store.due(T0, 1)[0].event == big
    assert store.root(KEY).event == big  # type: ignore[union-attr]


# --- the store itself -----------------------------------------------------------------------


def test_a_second_store_on_the_same_data_sees_everything(store: Store, twin: Store) -> None:
    store.accept([(event("a"), ROUTED), (event("b", name="n2"), ROUTED)], T0)
    store.set_root(KEY, "#c", "9.0", event("a"))
    (item, _) = store.due(T0, 10)
    store.retry_later(item.id, later(30), "5xx")

    assert twin.pending_count() == 2
    assert twin.accept([(event("a"), ROUTED)], T0) == [False]
    assert twin.root(KEY).ts == "9.0"  # type: ignore[union-attr]
    assert [i.event.id for i in twin.due(T0, 10) if i.event] == ["b"]
    by_id = {i.event.id: i for i in twin.due(later(30), 10) if i.event}
    assert (by_id["a"].attempts, by_id["b"].attempts) == (1, 0)
    twin.complete(by_id["a"].id)  # an id from another replica's due()
    assert store.pending_count() == 1


def test_ping_and_close(store: Store) -> None:
    store.ping()
    store.close()

    with pytest.raises(StoreError):
        store.ping()


# --- leases: several replicas on one store ----------------------------------------------


def test_a_due_item_is_leased_to_one_replica_at_a_time(store: Store, twin: Store) -> None:
    store.accept([(event("a1"), ROUTED)], T0)
    (item,) = store.due(T0, 100)
    (same,) = twin.due(T0, 100)  # both replicas see it due...
    assert same.id == item.id

    assert store.claim(item.id, "replica-1", later(60), T0)
    assert not twin.claim(item.id, "replica-2", later(60), T0)  # ...only one delivers it
    assert store.claim(item.id, "replica-1", later(120), later(1))  # the holder renews


def test_a_lease_runs_out_when_its_holder_dies(store: Store, twin: Store) -> None:
    store.accept([(event("a1"), ROUTED)], T0)
    (item,) = store.due(T0, 100)
    assert store.claim(item.id, "replica-1", later(60), T0)
    store.mark_in_flight(item.id)  # it crashed while posting

    assert not twin.claim(item.id, "replica-2", later(60), later(59))
    assert twin.claim(item.id, "replica-2", later(120), later(60))
    (taken,) = twin.due(later(60), 100)
    assert taken.in_flight  # so the new holder looks for the post before posting again


def test_a_finished_item_cannot_be_claimed(store: Store) -> None:
    store.accept([(event("a1"), ROUTED)], T0)
    (item,) = store.due(T0, 100)
    store.complete(item.id)
    assert not store.claim(item.id, "replica-1", later(60), T0)
