"""bot.core.errors draws the whole error tree: every error mlpulse raises on purpose is in it,
under its real parent."""

from __future__ import annotations

import re

import bot.aws.errors
import bot.ingress.sns.errors
import notifiers.base
from bot.core import errors

FAMILIES = (bot.aws.errors, bot.ingress.sns.errors, notifiers.base)  # defined beside their use


def subclasses(root: type) -> list[type]:
    found = []
    for child in root.__subclasses__():
        found += [child, *subclasses(child)]
    return found


def drawn_parents() -> dict[str, str]:
    """Each class name in the docstring's tree -> the name it hangs under."""
    doc = errors.__doc__ or ""
    lines = [line for line in doc.splitlines() if re.search(r"\+-- \w|^\s+MlpulseError", line)]
    parents: dict[str, str] = {}
    stack: list[tuple[int, str]] = []
    for line in lines:
        match = re.search(r"(\w+)", line.split("+--")[-1])
        assert match
        name, depth = match.group(1), line.find("+--")
        while stack and stack[-1][0] >= depth:
            stack.pop()
        if stack:
            parents[name] = stack[-1][1]
        stack.append((depth, name))
    return parents


def test_every_error_class_is_drawn_under_its_parent() -> None:
    assert FAMILIES  # imported, so their classes are subclasses by now
    parents = drawn_parents()
    for error in subclasses(errors.MlpulseError):
        assert error.__name__ in parents, f"{error.__name__} is missing from bot.core.errors"
        assert parents[error.__name__] == error.__mro__[1].__name__, error.__name__
