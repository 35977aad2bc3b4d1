"""bot.ingress.slack.buttons in process: what a click payload is read as (pure). What a click
does over real HTTP: tests/scenarios/test_incidents.py and test_incident_permissions.py."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot.core.incident import Action
from bot.ingress.slack.buttons import Click, parse_value, read_click

# --- the values incident buttons carry


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12", (12, None)),
        ("12:3600", (12, timedelta(hours=1))),
        ("12:60", (12, timedelta(minutes=1))),
        ("12:2592000", (12, timedelta(days=30))),
        ("0", (0, None)),  # no such incident: the service says so
        ("999999999999999999", (999999999999999999, None)),
        ("12:59", (None, None)),
        ("12:2592001", (None, None)),
        ("12:", (12, None)),
        ("", (None, None)),
        (":3600", (None, None)),
        ("abc", (None, None)),
        ("-1", (None, None)),
        ("1.5", (None, None)),
        ("12:1h", (None, None)),
        ("12:3600:1", (None, None)),
        ("²", (None, None)),
        ("1:²", (None, None)),
        ("١٢", (None, None)),
        ("9" * 19, (None, None)),
        ("9" * 5000, (None, None)),
        ("1:" + "9" * 30, (None, None)),
        (" 12", (None, None)),
    ],
)
def testparse_value(value: str, expected: tuple[int | None, timedelta | None]) -> None:
    assert parse_value(value) == expected


def payload(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": "U1"},
        "channel": {"id": "C1"},
        "container": {"message_ts": "1.000100"},
        "actions": [{"action_id": "incident_ack", "value": "12"}],
    }
    body.update(changes)
    return body


def test_a_click_is_read() -> None:
    assert read_click(payload()) == Click(Action.ACK, 12, "U1", "C1", "1.000100")
    menu = payload(
        actions=[{"action_id": "incident_snooze", "selected_option": {"value": "3:3600"}}]
    )
    assert read_click(menu) == Click(Action.SNOOZE, 3, "U1", "C1", "1.000100", timedelta(hours=1))


@pytest.mark.parametrize(
    "changes",
    [
        {"actions": "nope"},
        {"actions": []},
        {"actions": ["incident_ack"]},
        {"actions": [{"action_id": "incident_ack", "value": 12}]},
        {"actions": [{"action_id": "incident_ack", "value": "12:3600"}]},
        {"actions": [{"action_id": "incident_snooze", "value": "12"}]},
        {"actions": [{"action_id": "incident_snooze", "selected_option": "12:3600"}]},
        {"actions": [{"action_id": "link-1", "value": "12"}]},
        {"actions": [{"value": "12"}]},
    ],
)
def test_what_is_not_a_valid_click(changes: dict[str, Any]) -> None:
    assert read_click(payload(**changes)) is None


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"user": "U1"}, ("", "C1", "1.000100")),
        ({"channel": None}, ("U1", "", "1.000100")),
        ({"container": {"message_ts": 5}}, ("U1", "C1", None)),
        ({"container": []}, ("U1", "C1", None)),
    ],
)
def test_odd_parts_are_read_as_missing(changes: dict[str, Any], expected: tuple[Any, ...]) -> None:
    """The service then refuses the click: no user may act, no message owns it."""
    click = read_click(payload(**changes))
    assert click is not None
    assert (click.user_id, click.channel_id, click.message_ts) == expected
