"""The Store contract for delivery's gathered writes (bot.store.writes, OutboxStore.write)
and for a claim that marks the first post in flight or carries writes of its own
(bot.delivery.journal). Every test runs against SQLite and DynamoDB (conftest.py)."""

from __future__ import annotations

from bot.store import STAGE_ROOT_DONE, Store
from bot.store.writes import (
    AdvanceState,
    Claim,
    Complete,
    MarkInFlight,
    Progress,
    RetryLater,
    SetRoot,
)
from tests.unit.store.conftest import KEY, ROUTED, T0, event, later

OWNER, OTHER = "replica-a", "replica-b"


def queued(store: Store, *names: str) -> list[int]:
    store.accept([(event(f"e-{n}", name=n), ROUTED) for n in names], T0)
    return [item.id for item in store.due(T0, 100)]


def test_a_root_and_the_item_s_end_in_one_write(store: Store) -> None:
    (item_id,) = queued(store, "churn-xgb-7")
    shown = event("e-churn-xgb-7")

    store.write([SetRoot(KEY, "C1", "1.0", shown, ROUTED), Complete(item_id)])

    root = store.root(KEY)
    assert root is not None and (root.channel, root.ts, root.event) == ("C1", "1.0", shown)
    assert store.pending_count() == 0


def test_writes_of_one_item_apply_in_order(store: Store) -> None:
    (item_id,) = queued(store, "a")

    store.write([MarkInFlight(item_id), Progress(item_id, STAGE_ROOT_DONE), MarkInFlight(item_id)])
    (item,) = store.due(T0, 1)
    assert (item.stage, item.in_flight) == (STAGE_ROOT_DONE, True)

    store.write([Progress(item_id, 2), RetryLater(item_id, later(5), "tail", count=False)])
    assert store.due(T0, 1) == []
    (item,) = store.due(later(5), 1)
    assert (item.stage, item.in_flight, item.attempts) == (2, False, 0)


def test_the_writes_of_several_items_interleaved_each_apply_in_order(store: Store) -> None:
    done, retried, marked = queued(store, "a", "b", "c")

    store.write(
        [
            Progress(done, STAGE_ROOT_DONE),
            MarkInFlight(retried),
            MarkInFlight(done),
            RetryLater(retried, later(5), "slow"),
            Progress(marked, STAGE_ROOT_DONE),
            Complete(done),
            MarkInFlight(marked),
            RetryLater(retried, later(9), "slower"),
        ]
    )

    items = {item.id: item for item in store.due(later(9), 10)}
    assert set(items) == {retried, marked}
    assert (items[retried].attempts, items[retried].next_attempt) == (2, later(9))
    assert items[retried].in_flight
    assert (items[marked].stage, items[marked].in_flight) == (STAGE_ROOT_DONE, True)
    assert store.due(later(8), 10) == [items[marked]]


def test_a_batch_s_records_past_one_dynamodb_transaction(store: Store) -> None:
    """A claim of 64 items carries their records: a root and an item's end each, which on
    DynamoDB is 3 items of a transaction (TransactWriteItems takes at most 100)."""
    names = [f"job-{n}" for n in range(70)]
    ids = queued(store, *names)
    roots = [
        SetRoot(f"training_job:123456789012:eu-west-1:{name}", "C1", f"{n}.0", event(name=name))
        for n, name in enumerate(names)
    ]

    store.write([*roots, *(Complete(item_id) for item_id in ids)])

    assert store.pending_count() == 0
    found = store.roots([root.key for root in roots])
    assert sorted(root.ts for root in found.values()) == sorted(f"{n}.0" for n in range(70))


def test_an_advance_after_a_root_set_in_the_same_write(store: Store) -> None:
    first, newer, older = (
        event(status="InProgress", at=later(10)),
        event(status="Completed", at=later(20)),
        event(status="InProgress"),
    )

    store.write([SetRoot(KEY, "C1", "1.0", first), AdvanceState(KEY, newer, ROUTED)])
    root = store.root(KEY)
    assert root is not None and (root.event, root.decision) == (newer, ROUTED)

    store.write([AdvanceState(KEY, older)])  # older than shown: nothing moves
    root = store.root(KEY)
    assert root is not None and root.event == newer


def test_writes_of_finished_items_change_nothing_and_the_rest_still_apply(store: Store) -> None:
    done, pending = queued(store, "a", "b")
    store.complete(done)

    store.write(
        [
            Progress(done, STAGE_ROOT_DONE),
            MarkInFlight(done),
            Complete(done),
            AdvanceState("no-root", event()),
            MarkInFlight(pending),
        ]
    )

    (item,) = store.due(T0, 10)
    assert (item.id, item.in_flight) == (pending, True)


def test_an_empty_write(store: Store) -> None:
    store.write([])
    assert store.pending_count() == 0


def test_a_claim_marks_the_first_post_in_flight(store: Store) -> None:
    (item_id,) = queued(store, "a")

    item = store.claim(item_id, OWNER, later(60), T0, sending=0)

    assert item is not None and (item.marked, item.in_flight) == (True, False)
    (listed,) = store.due(T0, 1)
    assert listed.in_flight is True  # a crash now: whoever takes it over looks it up


def test_a_claim_marks_nothing_when_the_item_is_not_as_listed(store: Store) -> None:
    first, second = queued(store, "a", "b")
    store.progress(first, STAGE_ROOT_DONE)
    store.mark_in_flight(second)

    moved = store.claim(first, OWNER, later(60), T0, sending=0)
    in_flight = store.claim(second, OWNER, later(60), T0, sending=0)

    assert moved is not None and (moved.stage, moved.marked, moved.in_flight) == (1, False, False)
    assert in_flight is not None and (in_flight.marked, in_flight.in_flight) == (False, True)
    assert [i.in_flight for i in store.due(T0, 10)] == [False, True]


def test_a_refused_claim_marks_nothing_but_its_writes_apply(store: Store) -> None:
    held, other = queued(store, "a", "b")
    assert store.claim(held, OTHER, later(60), T0) is not None

    refused = store.claim(
        held,
        OWNER,
        later(60),
        T0,
        sending=0,
        before=[Complete(other), SetRoot(KEY, "C", "1", event())],
    )

    assert refused is None
    (item,) = store.due(T0, 10)
    assert (item.id, item.in_flight) == (held, False)
    assert store.root(KEY) is not None


def test_a_batched_claim_answers_each_item_as_a_claim_would(store: Store) -> None:
    marked, plain, held, moved = queued(store, "a", "b", "c", "d")
    assert store.claim(held, OTHER, later(60), T0) is not None
    store.progress(moved, STAGE_ROOT_DONE)

    items = store.claim_batch(
        [Claim(marked, 0), Claim(plain), Claim(held, 0), Claim(moved, 0)],
        OWNER,
        later(60),
        T0,
        before=[SetRoot(KEY, "C", "1", event())],
    )

    first, second, refused, progressed = items
    assert first is not None and (first.id, first.marked, first.in_flight) == (marked, True, False)
    assert second is not None and (second.marked, second.in_flight) == (False, False)
    assert refused is None  # another replica holds it
    assert progressed is not None and (progressed.stage, progressed.marked) == (1, False)
    assert store.root(KEY) is not None
    flights = {i.id: i.in_flight for i in store.due(T0, 10)}
    assert flights == {marked: True, plain: False, held: False, moved: False}
    # Leased to OWNER: another replica gets none of them until the lease runs out.
    assert store.claim_batch([Claim(marked), Claim(plain)], OTHER, later(60), T0) == [None] * 2
    assert store.claim_batch([], OWNER, later(60), T0) == []
