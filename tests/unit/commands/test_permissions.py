"""Who may run which subcommand (config `permissions`)."""

from __future__ import annotations

import pytest

from bot.config.models import Config
from bot.core.clock import FakeClock
from bot.core.incident import Source
from bot.store.sqlite.store import SqliteStore
from commands.base import Context
from commands.permissions import allowed, is_admin, refusal, refused


def config(**permissions: object) -> Config:
    return Config.model_validate({"permissions": permissions})


@pytest.mark.parametrize(
    ("permissions", "user", "command", "expected"),
    [
        ({}, "U1", "incidents", True),
        ({}, "U1", "ack", True),
        ({}, "U1", "silence", False),  # the default: silences are for admins
        ({"admins": ["UADMIN"]}, "UADMIN", "silence", True),
        ({"admins": ["UADMIN"]}, "uadmin", "silence", False),  # ids are exact
        ({"admins": ["UADMIN"]}, "", "silence", False),
        ({"admins": "UADMIN"}, "UADMIN", "silence", True),  # one admin, not a list
        ({"commands": {"silence": "everyone"}}, "U1", "silence", True),
        ({"commands": {"resolve": "admins"}}, "U1", "resolve", False),
        ({"commands": {"resolve": "admins"}}, "U1", "silence", True),  # the default replaced
        ({"commands": {"resolve": ["U1", "U2"]}}, "U2", "resolve", True),
        ({"commands": {"resolve": ["U1", "U2"]}}, "U3", "resolve", False),
        ({"admins": ["U9"], "commands": {"resolve": ["U1"]}}, "U9", "resolve", True),
        ({"commands": {"resolve": "U1"}}, "U1", "resolve", True),
        ({"commands": {"resolve": "U1"}}, "U11", "resolve", False),
    ],
)
def test_allowed(permissions: dict[str, object], user: str, command: str, expected: bool) -> None:
    assert allowed(config(**permissions), user, command) is expected


def test_is_admin() -> None:
    assert is_admin(config(admins=["UADMIN"]), "UADMIN")
    assert not is_admin(config(), "UADMIN")


def test_a_refusal_says_who_may() -> None:
    text = refusal(config(admins=[f"U{n}" for n in range(8)]), "silence")
    assert text.startswith(
        "You may not run `silence`: it is for admins (config `permissions.commands.silence`)."
    )
    assert text.endswith("Admins: <@U0>, <@U1>, <@U2>, <@U3>, <@U4>.")
    listed = refusal(config(commands={"resolve": ["U1"]}), "resolve")
    assert "it is for the users listed for it" in listed
    assert listed.endswith("Admins: none are set.")


def test_a_config_with_a_bad_audience_is_refused() -> None:
    with pytest.raises(ValueError):
        config(commands={"silence": 3})


# --- the one check every way in calls


def context(store: SqliteStore, clock: FakeClock, user: str, **permissions: object) -> Context:
    return Context(user, "C1", config(**permissions), store, clock)


def refused_rows(store: SqliteStore) -> list[tuple[object, ...]]:
    rows = store._db.execute(
        "SELECT at, actor, source, note FROM audit WHERE action = 'refused' ORDER BY id"
    ).fetchall()
    return [tuple(row) for row in rows]


def test_refused_lets_through_and_records_nothing(store: SqliteStore, clock: FakeClock) -> None:
    ctx = context(store, clock, "UADMIN", admins=["UADMIN"], commands={"ack": "admins"})
    assert refused(ctx, "ack") is None
    assert refused(ctx, "ack", way=Source.BUTTON, what="ack incident #1") is None
    assert refused(context(store, clock, "U1"), "incidents") is None
    assert refused_rows(store) == []


def test_refused_audits_the_way_and_what_was_tried(store: SqliteStore, clock: FakeClock) -> None:
    ctx = context(store, clock, "U1", admins=["UADMIN"], commands={"snooze": "admins"})
    words = refused(ctx, "snooze")
    assert words == refusal(ctx.config, "snooze")
    clock.advance(5)
    assert refused(ctx, "snooze", way=Source.BUTTON, what="snooze incident #4") == words
    assert refused_rows(store) == [
        (clock.now().timestamp() - 5, "U1", "command", "/mlpulse snooze"),
        (clock.now().timestamp(), "U1", "button", "snooze incident #4"),
    ]
