"""Small getters over raw event dicts, so per-kind tables can name fields as data."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Raw = Mapping[str, Any]
Getter = Callable[[Raw], Any]


def dig(obj: Any, path: str) -> Any:
    """`dig(d, "a.b.0.c")`: None as soon as a step is missing or of the wrong type."""
    current = obj
    for step in path.split("."):
        if isinstance(current, Mapping):
            current = current.get(step)
        elif isinstance(current, list) and step.isdigit() and int(step) < len(current):
            current = current[int(step)]
        else:
            return None
        if current is None:
            return None
    return current


def present(value: Any) -> bool:
    return value is not None and value != "" and value != [] and value != {}


def detail(*paths: str) -> Getter:
    """The first present value among `paths` inside the event's `detail`."""

    def get(event: Raw) -> Any:
        body = event.get("detail")
        for path in paths:
            value = dig(body, path)
            if present(value):
                return value
        return None

    return get


def nothing(event: Raw) -> None:
    return None


def arn_tail(arn: Any) -> str | None:
    """The resource id at the end of an ARN: `...:training-job/kmeans-1` -> `kmeans-1`."""
    if not isinstance(arn, str) or not arn:
        return None
    tail = arn.rsplit(":", 1)[-1] if arn.startswith("arn:") else arn
    return tail.rsplit("/", 1)[-1] or None


def first_resource_tail(event: Raw) -> str | None:
    resources = event.get("resources")
    if isinstance(resources, list) and resources:
        return arn_tail(resources[0])
    return None


def either(*getters: Getter) -> Getter:
    def get(event: Raw) -> Any:
        for getter in getters:
            value = getter(event)
            if present(value):
                return value
        return None

    return get


def text(value: Any) -> str | None:
    """A value as display text: numbers without a spurious `.0`, containers as JSON-ish."""
    if not present(value):
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None
