"""bot.core.timeparse: the timestamp spellings AWS events use, and durations as people read them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from bot.core.durations import format_duration
from bot.core.timeparse import parse_time

T = datetime(2020, 3, 10, 9, 18, 9, 50000, tzinfo=UTC)  # 1583831889050 ms


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2019-10-02T17:04:40Z", datetime(2019, 10, 2, 17, 4, 40, tzinfo=UTC)),
        ("2019-10-02T17:04:40.123Z", datetime(2019, 10, 2, 17, 4, 40, 123000, tzinfo=UTC)),
        # CloudWatch alarms: an offset without a colon.
        ("2015-06-03T17:43:27.123+0000", datetime(2015, 6, 3, 17, 43, 27, 123000, tzinfo=UTC)),
        ("2019-02-12T15:45:24.006+0000", datetime(2019, 2, 12, 15, 45, 24, 6000, tzinfo=UTC)),
        ("2020-01-01T01:00:00+0100", datetime(2020, 1, 1, 0, 0, tzinfo=UTC)),
        ("2020-01-01T00:00:00-0800", datetime(2020, 1, 1, 8, 0, tzinfo=UTC)),
        ("2020-01-01T05:30:00+05:30", datetime(2020, 1, 1, 0, 0, tzinfo=UTC)),
        ("2020-01-01T00:00:00+00:00", datetime(2020, 1, 1, tzinfo=UTC)),
        ("2020-01-01 00:00:00", datetime(2020, 1, 1, tzinfo=UTC)),  # naive: taken as UTC
        ("2020-01-01T00:00:00", datetime(2020, 1, 1, tzinfo=UTC)),
        ("2020-01-01", datetime(2020, 1, 1, tzinfo=UTC)),
        ("  2019-10-02T17:04:40Z\n", datetime(2019, 10, 2, 17, 4, 40, tzinfo=UTC)),
        # Epoch milliseconds, as numbers and as strings (SageMaker samples).
        (1583831889050, T),
        (1583831889050.0, T),
        ("1583831889050", T),
        (" 1583831889050 ", T),
        ("1583831889050.0", T),
        # Epoch seconds.
        (1583831889, T.replace(microsecond=0)),
        (1583831889.05, T),
        ("1583831889", T.replace(microsecond=0)),
        (0, datetime(1970, 1, 1, tzinfo=UTC)),
        # CodeBuild, and the alarm reason's own datapoint format.
        ("Sep 1, 2017 4:12:29 PM", datetime(2017, 9, 1, 16, 12, 29, tzinfo=UTC)),
        ("Sep 1, 2017 4:12:29 AM", datetime(2017, 9, 1, 4, 12, 29, tzinfo=UTC)),
        ("Dec 31, 2017 12:00:00 AM", datetime(2017, 12, 31, 0, 0, tzinfo=UTC)),
        ("17/02/24 11:51:00", datetime(2024, 2, 17, 11, 51, tzinfo=UTC)),
    ],
)
def test_readable_times(value: Any, expected: datetime) -> None:
    parsed = parse_time(value)
    assert parsed == expected
    assert parsed is not None and parsed.tzinfo is not None
    assert parsed.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        False,
        "",
        "   ",
        "yesterday",
        "Timestamp",
        "2019-13-45T00:00:00Z",
        "2019-10-02T25:00:00Z",
        "Z",
        "Sep 31, 2017 4:12:29 PM",
        "nan",
        "inf",
        "-inf",
        "1e400",
        float("nan"),
        float("inf"),
        float("-inf"),
        10**30,
        -(10**30),
        [],
        {},
        [1583831889050],
        {"time": 1583831889050},
        object(),
        b"2019-10-02T17:04:40Z",
    ],
)
def test_unreadable_times_are_none_never_an_error(value: Any) -> None:
    assert parse_time(value) is None


def test_aware_datetimes_come_back_in_utc() -> None:
    parsed = parse_time("2020-06-01T12:00:00+02:00")
    assert parsed == datetime(2020, 6, 1, 10, 0, tzinfo=UTC)
    assert parsed is not None and parsed.tzinfo == UTC
    assert parsed.astimezone(timezone(timedelta(hours=2))).hour == 12


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (0, "0s"),
        (0.4, "0s"),
        (12, "12s"),
        (12.6, "13s"),
        (59.6, "1m 00s"),
        (245, "4m 05s"),
        (3599, "59m 59s"),
        (3600, "1h 00m"),
        (10_920, "3h 02m"),
        (90_061, "25h 01m"),
        (47 * 3600 + 59 * 60, "47h 59m"),
        (48 * 3600, "2d 00h"),
        (30 * 86_400 + 5 * 3600, "30d 05h"),
        (-5, "0s"),
    ],
)
def test_format_duration(seconds: float, shown: str) -> None:
    assert format_duration(seconds) == shown
