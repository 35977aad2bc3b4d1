"""Slack date tokens: each reader's own zone in Slack, UTC where a client cannot draw them."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest

from notifiers.console import plain
from notifiers.times import Style, local_time

AT = datetime(2026, 11, 25, 3, 10, 42, tzinfo=UTC)
TOKEN = re.compile(r"^<!date\^(\d+)\^([^|]+)\|([^>]+)>$")


@pytest.mark.parametrize(
    ("style", "tokens", "fallback"),
    [
        (Style.TIME, "{time}", "03:10 UTC"),
        (Style.TIME_SECS, "{time_secs}", "03:10:42 UTC"),
        (Style.DATETIME, "{date_short_pretty} {time}", "2026-11-25 03:10 UTC"),
        (Style.DATETIME_SECS, "{date_short_pretty} {time_secs}", "2026-11-25 03:10:42 UTC"),
    ],
)
def test_a_time_is_a_token_with_its_utc_fallback(style: Style, tokens: str, fallback: str) -> None:
    match = TOKEN.match(local_time(AT, style))
    assert match is not None
    assert (int(match[1]), match[2], match[3]) == (int(AT.timestamp()), tokens, fallback)


def test_any_zone_in_is_the_same_instant_out() -> None:
    tokyo = AT.astimezone(timezone(timedelta(hours=9)))
    assert local_time(tokyo) == local_time(AT)
    assert local_time(AT.replace(tzinfo=None)) == local_time(AT)  # naive means UTC


def test_the_terminal_shows_the_fallback() -> None:
    assert plain(f"open since {local_time(AT, Style.TIME)}") == "open since 03:10 UTC"
