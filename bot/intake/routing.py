"""Which channel an event goes to, how loud, and whether it opens an incident.

Rules are data (the config's `routes`), tried in order; the first whose `match` holds
decides, and fields it leaves unset keep the defaults, which come from what the status
means: failures are critical incidents, Model Monitor violations warning incidents,
everything else information. A rule matching on `severity` matches that default severity,
so a rule may both match `critical` and set `warning` without matching its own answer.
A rule's `account` names the account by id or by its alias in `aws.accounts`, and the
decision carries that alias so the alert can say it. A rule's mention is shown on incidents
only (and their reminders) unless its `mention_on` is `all`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fnmatch import fnmatchcase
from typing import TypeVar

from bot.config.models import Config, Match
from bot.core.decision import Decision, default_severity
from bot.core.events import Event
from bot.core.outcomes import status_word

T = TypeVar("T")


def route(event: Event, config: Config) -> Decision:
    alias = config.aws.alias_of(event.account)
    default = Decision.default(event, config.default_channel, account_alias=alias)
    for index, rule in enumerate(config.routes):
        if matches(rule.match, event, alias):
            return Decision(
                channel=rule.channel or default.channel,
                severity=rule.severity or default.severity,
                incident=default.incident if rule.incident is None else rule.incident,
                mention=rule.mention,
                mention_always=rule.mention_on == "all",
                digest=rule.routine == "digest",
                rule=index,
                account_alias=alias,
            )
    return default


def matches(match: Match, event: Event, alias: str | None = None) -> bool:
    """Whether `event` meets every condition of `match`; `account` globs match the
    account's id or its configured `alias`."""
    return (
        _any(match.kind, lambda kind: kind == event.kind)
        and _any(match.status, lambda status: _same_status(status, event.status))
        and _any(match.outcome, lambda outcome: outcome == event.outcome)
        and _any(match.severity, lambda severity: severity == default_severity(event))
        and _any(match.name, lambda glob: fnmatchcase(event.name, glob))
        and _any(match.account, lambda glob: _account_matches(glob, event.account, alias))
        and _any(match.region, lambda glob: fnmatchcase(event.region or "", glob))
        and all(
            fnmatchcase(event.tags.get(tag, ""), glob) and tag in event.tags
            for tag, glob in (match.tags or {}).items()
        )
    )


def _any(allowed: Sequence[T] | None, test: Callable[[T], bool]) -> bool:
    """No list means no condition; a list holds when any of its values does."""
    return allowed is None or any(test(value) for value in allowed)


def _account_matches(glob: str, account: str | None, alias: str | None) -> bool:
    return fnmatchcase(account or "", glob) or (alias is not None and fnmatchcase(alias, glob))


def _same_status(wanted: str, actual: str) -> bool:
    """`Failed`, `FAILED` and `failed` are one status; so are `IN_SERVICE` and `InService`."""
    return status_word(wanted) == status_word(actual)
