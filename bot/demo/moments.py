"""When things happen on the demo's platform: minutes from the script's start, the same
clock the scripted events and the demo's fake clock keep."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

START = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    """`minutes` after the script's start (negative: before it)."""
    return START + timedelta(minutes=minutes)


def naive(moment: datetime) -> datetime:
    """As moto keeps times on its backends: naive UTC."""
    return moment.astimezone(UTC).replace(tzinfo=None)


def ms(moment: datetime) -> int:
    """Epoch milliseconds, as CloudWatch Logs counts."""
    return int(moment.timestamp() * 1000)
