"""Times as Slack date tokens, so each reader sees their own time zone and clock:
`<!date^EPOCH^{date_short_pretty} {time}|2026-11-25 03:10 UTC>`. Slack draws the token in
the reader's zone and 12- or 24-hour preference; the text after `|` (UTC, as before) is what
a client that cannot draw it shows, and what the terminal demo prints.

Tokens work in mrkdwn only: never put one in plain_text (headers, button labels) or in a
field that is not mrkdwn. The token is markup, not data: it goes in after escaping.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum


class Style(Enum):
    """What a time shows: (Slack's tokens, the UTC fallback's strftime)."""

    TIME = ("{time}", "%H:%M UTC")
    TIME_SECS = ("{time_secs}", "%H:%M:%S UTC")
    DATETIME = ("{date_short_pretty} {time}", "%Y-%m-%d %H:%M UTC")
    DATETIME_SECS = ("{date_short_pretty} {time_secs}", "%Y-%m-%d %H:%M:%S UTC")


def local_time(moment: datetime, style: Style = Style.DATETIME) -> str:
    """`moment` for every reader in their own zone (mrkdwn)."""
    tokens, fallback = style.value
    utc = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return f"<!date^{int(utc.timestamp())}^{tokens}|{utc.strftime(fallback)}>"
