"""The incident lifecycle: every action from every state, as the store applies it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.config.models import Config
from bot.core.clock import FakeClock
from bot.core.incident import (
    ALLOWED,
    TARGET,
    Action,
    Incident,
    Source,
    State,
    due,
    failed_again,
    recovered_by,
)
from bot.store.sqlite.store import SqliteStore
from notifiers.wording import refusal
from tests.goldens import readable
from tests.unit.incidents.conftest import accept, event

OP, A, S, R = State.OPEN, State.ACKNOWLEDGED, State.SNOOZED, State.RESOLVED
# Written out again, independently of bot.core.incident: action -> state -> where it
# leads, or None when it is refused there.
EXPECTED: dict[Action, dict[State, State | None]] = {
    Action.ACK: {OP: A, A: None, S: A, R: None},
    Action.RESOLVE: {OP: R, A: R, S: R, R: None},
    Action.SNOOZE: {OP: S, A: S, S: S, R: None},
    Action.UNSNOOZE: {OP: None, A: None, S: OP, R: None},
    Action.RENOTIFY: {OP: OP, A: None, S: None, R: None},
    Action.AUTO_RESOLVE: {OP: R, A: R, S: R, R: None},
}
CASES = [(action, state) for action in Action for state in State]


Reach = Callable[[State], Incident]


@pytest.fixture
def reach(store: SqliteStore, clock: FakeClock) -> Reach:
    """`reach(state)`: a fresh incident brought to `state` by ordinary transitions."""
    config = Config()
    made = [0]

    def make(state: State) -> Incident:
        made[0] += 1
        accept(store, config, clock, event(f"job-{made[0]}", clock=clock))
        incident = store.unresolved_incidents()[-1]
        steps = {
            State.OPEN: [],
            State.ACKNOWLEDGED: [Action.ACK],
            State.SNOOZED: [Action.SNOOZE],
            State.RESOLVED: [Action.RESOLVE],
        }[state]
        for step in steps:
            until = clock.now() + timedelta(hours=1) if step == Action.SNOOZE else None
            assert store.transition(
                incident.id, step, "U0", Source.BUTTON, clock.now(), until=until
            ).ok
        found = store.incident(incident.id)
        assert found is not None and found.state == state
        return found

    return make


def test_the_table_covers_every_action_and_state() -> None:
    assert set(EXPECTED) == set(Action) == set(ALLOWED) == set(TARGET)
    for action, row in EXPECTED.items():
        assert set(row) == set(State)
        assert ALLOWED[action] == {state for state, to in row.items() if to is not None}
        assert {TARGET[action]} == {to for to in row.values() if to is not None}


@pytest.mark.parametrize(("action", "state"), CASES, ids=lambda v: str(v))
def test_each_action_from_each_state(
    store: SqliteStore, clock: FakeClock, reach: Reach, action: Action, state: State
) -> None:
    incident = reach(state)
    audit_before = store.audit(incident.id)
    clock.advance(2 * 3600)  # a snooze of 1h is over, a 30-minute reminder is due
    until = clock.now() + timedelta(hours=4) if action == Action.SNOOZE else None
    renotify_at = clock.now() + timedelta(minutes=30) if action == Action.RENOTIFY else None

    result = store.transition(
        incident.id,
        action,
        "U9",
        Source.BUTTON,
        clock.now(),
        until=until,
        renotify_at=renotify_at,
    )

    expected = EXPECTED[action][state]
    after = store.incident(incident.id)
    assert after is not None
    if expected is None:
        assert not result.ok
        assert result.incident == incident == after
        assert result.explanation == ""  # the words are the service's (notifiers.wording)
        assert store.audit(incident.id) == audit_before
        return
    assert result.ok and result.incident == after
    assert (after.state, after.actor, after.last_action) == (expected, "U9", action)
    assert after.updated_at == clock.now()
    assert after.snoozed_until == (until if expected == State.SNOOZED else None)
    assert after.renotify_count == incident.renotify_count + (action == Action.RENOTIFY)
    assert after.next_renotify_at == renotify_at
    (row,) = store.audit(incident.id)[len(audit_before) :]
    assert (row["actor"], row["source"], row["action"]) == ("U9", "button", action.value)
    assert (row["from_state"], row["to_state"]) == (state.value, expected.value)


@pytest.mark.parametrize("action", [Action.RENOTIFY, Action.UNSNOOZE])
def test_scheduled_actions_happen_only_when_due(
    store: SqliteStore, clock: FakeClock, reach: Reach, action: Action
) -> None:
    incident = reach(State.OPEN if action == Action.RENOTIFY else State.SNOOZED)
    when = incident.next_renotify_at if action == Action.RENOTIFY else incident.snoozed_until
    assert when is not None
    early = store.transition(
        incident.id, action, "mlpulse", Source.SCHEDULE, when - timedelta(seconds=1)
    )
    assert not early.ok and store.incident(incident.id) == incident
    assert store.transition(incident.id, action, "mlpulse", Source.SCHEDULE, when).ok
    again = store.transition(incident.id, action, "mlpulse", Source.SCHEDULE, when)
    assert not again.ok  # the same due work, found twice, is done once


def test_an_unknown_incident(store: SqliteStore, clock: FakeClock) -> None:
    result = store.transition(404, Action.ACK, "U1", Source.BUTTON, clock.now())
    assert (result.ok, result.incident) == (False, None)


AT = datetime(2026, 11, 25, 3, 4, tzinfo=UTC)
BASE = Incident(
    id=7,
    series="s",
    key="k",
    title="churn-xgb-1",
    state=State.OPEN,
    opened_at=AT,
    updated_at=AT,
)


@pytest.mark.parametrize(
    ("incident", "action", "expected"),
    [
        (
            replace(BASE, state=R, actor="U1"),
            Action.ACK,
            "Incident #7 is already resolved by <@U1> at 03:04 UTC; nothing to do.",
        ),
        (
            replace(BASE, state=R, actor="mlpulse", note="recovered: a is OK"),
            Action.RESOLVE,
            "Incident #7 is already resolved by mlpulse at 03:04 UTC (recovered: a is OK);"
            " nothing to do.",
        ),
        (
            replace(BASE, state=R, actor="U1", note="a user's note is not shown"),
            Action.SNOOZE,
            "Incident #7 is already resolved by <@U1> at 03:04 UTC; nothing to do.",
        ),
        (replace(BASE, state=R), Action.ACK, "Incident #7 is already resolved; nothing to do."),
        (
            replace(BASE, state=A, actor="U2"),
            Action.ACK,
            "Incident #7 was already acknowledged by <@U2> at 03:04 UTC.",
        ),
        (
            replace(BASE, state=A, actor="U2"),
            Action.RENOTIFY,
            "Incident #7 is acknowledged; it cannot be re-notified.",
        ),
        (BASE, Action.UNSNOOZE, "Incident #7 is open; it cannot be reopened."),
        (
            replace(BASE, state=R, actor="mlpulse", note="<!channel> & <b>"),
            Action.ACK,
            "Incident #7 is already resolved by mlpulse at 03:04 UTC"
            " (&lt;!channel&gt; &amp; &lt;b&gt;); nothing to do.",
        ),
        (
            replace(BASE, state=A, actor="U1><!channel"),
            Action.ACK,
            "Incident #7 was already acknowledged by <@U1&gt;&lt;!channel> at 03:04 UTC.",
        ),
    ],
    ids=[
        "resolved-by-user",
        "auto-resolved",
        "user-note-hidden",
        "no-actor",
        "acknowledged",
        "renotify-acknowledged",
        "unsnooze-open",
        "note-escaped",
        "actor-escaped",
    ],
)
def test_refusals_say_why_and_who(incident: Incident, action: Action, expected: str) -> None:
    assert readable(refusal(incident, action)) == expected


def test_due() -> None:
    later = AT + timedelta(minutes=30)
    assert not due(BASE, Action.RENOTIFY, later)  # no reminder scheduled
    scheduled = replace(BASE, next_renotify_at=later)
    assert not due(scheduled, Action.RENOTIFY, later - timedelta(microseconds=1))
    assert due(scheduled, Action.RENOTIFY, later)
    snoozed = replace(BASE, state=S, snoozed_until=later)
    assert not due(snoozed, Action.UNSNOOZE, AT)
    assert due(snoozed, Action.UNSNOOZE, later)
    assert not due(replace(snoozed, snoozed_until=None), Action.UNSNOOZE, later)
    for action in (Action.ACK, Action.RESOLVE, Action.SNOOZE, Action.AUTO_RESOLVE):
        assert due(BASE, action, AT)


MINUTE = timedelta(minutes=1)


@pytest.mark.parametrize(
    ("state", "count", "reminds"),
    [
        (OP, 0, True),
        (OP, 2, True),  # the last reminder there may be
        (OP, 3, False),  # none left: counted, quietly
        (A, 0, False),  # someone is on it
        (S, 0, False),  # someone asked for quiet
    ],
)
def test_a_repeat_failure_is_a_reminder_while_nobody_holds_the_incident(
    state: State, count: int, reminds: bool
) -> None:
    held = replace(
        BASE, state=state, renotify_count=count, since=AT, next_renotify_at=AT + 30 * MINUTE
    )
    ahead = AT + 40 * MINUTE

    repeat = failed_again(held, AT + 10 * MINUTE, ahead, most=3)

    assert repeat.reminder is reminds
    joined = repeat.incident
    assert (joined.failures, joined.since, joined.last_failure_at) == (2, AT, AT + 10 * MINUTE)
    assert joined.renotify_count == count + reminds
    if not reminds:
        assert joined.next_renotify_at == held.next_renotify_at
    elif count + 1 < 3:
        assert joined.next_renotify_at == ahead  # the next one moves after this one
    else:
        assert joined.next_renotify_at is None  # that was the last
    assert (joined.state, joined.actor, joined.updated_at) == (state, held.actor, held.updated_at)


def test_repeat_failures_keep_the_first_and_the_last_whatever_their_order() -> None:
    opened = replace(BASE, since=AT)
    late = failed_again(opened, AT - 20 * MINUTE, None, 0).incident  # an earlier run, told late
    assert (late.since, late.last_failure_at, late.failures) == (AT - 20 * MINUTE, AT, 2)
    again = failed_again(late, AT + 5 * MINUTE, None, 0).incident
    assert (again.since, again.last_failure_at, again.failures) == (
        AT - 20 * MINUTE,
        AT + 5 * MINUTE,
        3,
    )


def test_a_success_older_than_the_latest_failure_recovers_nothing() -> None:
    opened = replace(BASE, since=AT)
    assert recovered_by(opened, AT)
    assert not recovered_by(opened, AT - MINUTE)  # an OK sent before the ALARM
    repeated = failed_again(opened, AT + 10 * MINUTE, None, 0).incident
    assert not recovered_by(repeated, AT + 5 * MINUTE)  # before another run's failure
    assert recovered_by(repeated, AT + 10 * MINUTE)
    assert not recovered_by(replace(repeated, state=R), AT + 20 * MINUTE)
