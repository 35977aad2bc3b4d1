"""Who may run which subcommand (config `permissions`)."""

from __future__ import annotations

import pytest

from bot.config.models import Config
from commands.permissions import allowed, is_admin, refusal


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
