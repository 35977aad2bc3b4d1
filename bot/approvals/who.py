"""Who may decide an approval: config `permissions.approvers` maps globs on the pipeline
name or model package group to Slack user ids (`U...`, `W...`) and user group ids
(`S...`). Every matching glob counts. Nobody is the default: deciding from Slack is opt-in.
A group's members come from Slack (bot.ingress.slack.usergroups), passed in as `members`."""

from __future__ import annotations

from collections.abc import Callable
from fnmatch import fnmatchcase

from bot.config.models import Config

Members = Callable[[str], frozenset[str]]  # a user group id -> its members' user ids


def no_members(group: str) -> frozenset[str]:
    return frozenset()


def is_group(slack_id: str) -> bool:
    return slack_id.startswith("S")


def approvers_for(config: Config, subject: str) -> tuple[str, ...]:
    """Every user and group id a glob matching `subject` lists, in the config's order."""
    found: dict[str, None] = {}
    for glob, ids in config.permissions.approvers.items():
        if fnmatchcase(subject, glob):
            found.update(dict.fromkeys(ids))
    return tuple(found)


def may_decide(deciders: tuple[str, ...], user: str, members: Members) -> bool:
    if user in deciders:
        return True
    return any(is_group(one) and user in members(one) for one in deciders)
