"""`--where 'score>0.9'`: a small, safe filter on a prediction's output fields.

`FIELD OP VALUE`, joined by `and`: OP is one of `> >= < <= == !=` (`=` reads as `==`);
FIELD is `prediction`, `score`, a label's name or a JSON output's key (see
bot.explain.predictions); VALUE a number or a word. Numbers compare as numbers, words only
with `==` and `!=`. A prediction without the field does not match. Parsed by hand, never
evaluated. Slack sends `>` as `&gt;`, and clients may wrap the text in curly quotes: both
are undone first.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.core.errors import InputError
from bot.drift.parse import number
from bot.explain.model import Prediction, Value

_OPERATORS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    "<": operator.lt,
}
_CONDITION = re.compile(
    r"^\s*([A-Za-z_][\w.\- ]{0,63}?)\s*(>=|<=|==|!=|=|>|<)\s*([^<>=!]{1,100}?)\s*$"
)
_QUOTES = "'\"‘’“”"
_EXAMPLE = "write it like `score>0.9`, `prediction==fraud` or `score>=0.5 and amount<100`"


@dataclass(frozen=True)
class Condition:
    field: str
    op: str
    value: Value

    def holds(self, prediction: Prediction) -> bool:
        found = prediction.fields.get(self.field)
        if found is None:
            return False
        mine, theirs = number(found), number(self.value)
        if mine is not None and theirs is not None:
            return _OPERATORS[self.op](mine, theirs)
        if self.op not in ("==", "!="):
            return False
        same = str(found).strip().lower() == str(self.value).strip().lower()
        return same if self.op == "==" else not same

    def __str__(self) -> str:
        return f"{self.field} {self.op} {self.value}"


@dataclass(frozen=True)
class Where:
    conditions: tuple[Condition, ...]

    def __call__(self, prediction: Prediction) -> bool:
        return all(condition.holds(prediction) for condition in self.conditions)

    def __str__(self) -> str:
        return " and ".join(str(c) for c in self.conditions)


def parse_where(text: str) -> Where:
    plain = text.replace("&gt;", ">").replace("&lt;", "<").replace("&amp;", "&").strip()
    plain = plain.strip(_QUOTES)
    if not plain:
        raise InputError(f"`--where` needs a condition; {_EXAMPLE}")
    parts = re.split(r"\s+and\s+|\s*&&\s*", plain, flags=re.IGNORECASE)
    return Where(tuple(_condition(part) for part in parts))


def _condition(part: str) -> Condition:
    match = _CONDITION.match(part.strip(_QUOTES))
    if not match:
        raise InputError(f"`--where {part[:60]}` is not a comparison; {_EXAMPLE}")
    field, op, raw = match.groups()
    raw = raw.strip(_QUOTES)
    value: Value = found if (found := number(raw)) is not None else raw
    return Condition(field.strip(), "==" if op == "=" else op, value)
