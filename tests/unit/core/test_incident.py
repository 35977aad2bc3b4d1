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
)
from bot.store.sqlite.store import SqliteStore
from notifiers.wording import refusal
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
    assert refusal(incident, action) == expected


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
