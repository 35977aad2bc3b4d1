"""Figures in command answers (commands/display.py)."""

from __future__ import annotations

import pytest

from commands import display


@pytest.mark.parametrize(
    ("value", "shown"),
    [(None, "—"), (64.49, "64%"), (2.449, "2.4%"), (0.07146, "0.071%"), (0.0, "0%")],
)
def test_a_share_has_the_digits_it_needs(value: float | None, shown: str) -> None:
    assert display.percent(value) == shown
