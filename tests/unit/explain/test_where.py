"""`--where`: a table of conditions and what they match; anything else is refused."""

from __future__ import annotations

import pytest

from bot.core.errors import InputError
from bot.explain.model import Prediction
from bot.explain.where import parse_where

FRAUD = Prediction(
    "e", "e", None, None, (), "0.93", {"prediction": "fraud", "score": 0.93, "amount": 1840.0}
)


@pytest.mark.parametrize(
    ("text", "matches"),
    [
        ("score>0.9", True),
        ("score > 0.95", False),
        ("score&gt;=0.93", True),  # as Slack sends it
        ("'score<=0.5'", False),
        ("“score>0.5”", True),
        ("prediction==fraud", True),
        ("prediction = FRAUD", True),
        ("prediction!=fraud", False),
        ("prediction>fraud", False),  # words only compare for equality
        ("score>0.9 and amount<1000", False),
        ("score>0.9 AND amount>1000", True),
        ("missing>1", False),
    ],
)
def test_conditions(text: str, matches: bool) -> None:
    assert parse_where(text)(FRAUD) is matches


@pytest.mark.parametrize(
    "text", ["", "score", "score >", "__import__('os')", "a ~ 1", "x>1 or y<2"]
)
def test_anything_else_is_a_clear_refusal(text: str) -> None:
    with pytest.raises(InputError, match="--where"):
        parse_where(text)
