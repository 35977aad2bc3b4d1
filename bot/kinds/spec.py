"""What mlpulse knows of one kind of event, as data: where its name, status, times and
reasons live, which figures matter, and its links (built with bot.kinds.links)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.core.approvals import ApprovalAsk
from bot.core.events import Fact, Kind, Link
from bot.kinds.paths import Getter, Raw, nothing, text

FactsFn = Callable[[Raw], list[Fact]]
LinksFn = Callable[[Raw, str | None], list[Link]]
# (status, previous status) -> how a person says it in a headline (`firing`), or None for
# the status itself.
PhraseFn = Callable[[str, str | None], str | None]
# The decision the event asks for, if any (bot.kinds.approvals).
AskFn = Callable[[Raw], ApprovalAsk | None]


def labelled(*pairs: tuple[str, Any]) -> list[Fact]:
    """Facts for the pairs whose value is present, as display text."""
    return [Fact(label=label, value=shown) for label, value in pairs if (shown := text(value))]


def no_facts(event: Raw) -> list[Fact]:
    return []


def no_links(event: Raw, region: str | None) -> list[Link]:
    return []


def no_ask(event: Raw) -> ApprovalAsk | None:
    return None


@dataclass(frozen=True)
class KindSpec:
    kind: Kind
    title: str
    name: Getter
    status: Getter
    key: Getter | None = None  # the resource a root message stands for; default: name
    key_scope: Kind | None = None  # whose keys those are, when not its kind's (a trial's)
    series: Getter | None = None  # what a later successful run recovers; default: key
    subject: Getter = nothing
    previous_status: Getter = nothing
    reason: Getter = nothing
    # What `reason` is called when the event is no failure (a commit message, an exit
    # message): a success has no reason. None: `Details`.
    reason_label: Getter = nothing
    started: Getter = nothing
    ended: Getter = nothing
    time: Getter = nothing  # a better event time than the envelope's, when the kind has one
    instance_type: Getter = nothing
    instance_count: Getter = nothing
    facts: FactsFn = no_facts
    links: LinksFn = no_links
    detail_types: tuple[str, ...] = field(default=())
    phrase: PhraseFn | None = None
    approval: AskFn = no_ask
