"""Who may do what (config `permissions`): everyone reads; what mutes alerts for everybody
(`silence`) is for admins unless the config says otherwise.

`refused` is the one check behind every way in: a slash command (commands.runner), an
incident button or the snooze menu (bot.ingress.slack.buttons), and whatever a modal or a
later feature lets people do. It is asked about an action by name (`ack`, `resolve`,
`snooze`, `silence`, ...: the subcommand that does the same), so a button obeys the rule of
the command it stands for.
"""

from __future__ import annotations

import logging

from bot.config.models import Config
from bot.core.incident import Source
from commands.base import Context

log = logging.getLogger(__name__)


def is_admin(config: Config, user_id: str) -> bool:
    return user_id in config.permissions.admins


def allowed(config: Config, user_id: str, command: str) -> bool:
    rule = config.permissions.commands.get(command, "everyone")
    if rule == "everyone":
        return True
    if rule == "admins":
        return is_admin(config, user_id)
    return user_id in rule or is_admin(config, user_id)


def refused(
    ctx: Context, action: str, *, way: Source = Source.COMMAND, what: str | None = None
) -> str | None:
    """None when `ctx.user_id` may do `action`. Otherwise the refusal is audited (`what`
    they tried, `/mlpulse ACTION` unless told, and the `way` they tried it) and its words
    returned, for the person who tried only."""
    if allowed(ctx.config, ctx.user_id, action):
        return None
    tried = what or f"/mlpulse {action}"
    ctx.store.record_refusal(ctx.user_id, tried, ctx.clock.now(), source=way)
    log.warning("refused %s (%s) for %s", tried, way, ctx.user_id)
    return refusal(ctx.config, action)


def refusal(config: Config, command: str) -> str:
    rule = config.permissions.commands.get(command, "everyone")
    who = "admins" if rule == "admins" else "the users listed for it"
    admins = ", ".join(f"<@{a}>" for a in config.permissions.admins[:5]) or "none are set"
    return (
        f"You may not run `{command}`: it is for {who} (config `permissions.commands.{command}`)."
        f" Admins: {admins}."
    )
