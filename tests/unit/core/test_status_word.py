"""Status spellings normalised once (bot/core/outcomes.py `status_word`), for what a status
means, for routing rules that name one, and for `/mlpulse jobs --status`."""

from __future__ import annotations

import pytest

from bot.core.events import Outcome
from bot.core.outcomes import outcome_of, status_word
from bot.intake.routing import _same_status
from bot.kinds.jobs import status_named


@pytest.mark.parametrize(
    ("spellings", "word"),
    [
        (("Failed", "FAILED", "failed"), "failed"),
        (("IN_SERVICE", "InService", "in service", "In-Service"), "inservice"),
        (("CompletedWithViolations", "COMPLETED_WITH_VIOLATIONS"), "completedwithviolations"),
        (("", "_ -"), ""),
    ],
)
def test_spellings_of_one_status_are_one_word(spellings: tuple[str, ...], word: str) -> None:
    assert {status_word(spelling) for spelling in spellings} == {word}


def test_the_three_readers_agree() -> None:
    assert outcome_of("IN_SERVICE") is outcome_of("InService") is Outcome.SUCCEEDED
    assert _same_status("in_progress", "InProgress")
    assert not _same_status("Stopped", "Stopping")
    assert status_named("IN-PROGRESS") == status_named("inprogress") == "InProgress"
