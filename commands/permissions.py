"""Who may run which subcommand (config `permissions`): everyone reads; what mutes alerts
for everybody (`silence`) is for admins unless the config says otherwise."""

from __future__ import annotations

from bot.config.models import Config


def is_admin(config: Config, user_id: str) -> bool:
    return user_id in config.permissions.admins


def allowed(config: Config, user_id: str, command: str) -> bool:
    rule = config.permissions.commands.get(command, "everyone")
    if rule == "everyone":
        return True
    if rule == "admins":
        return is_admin(config, user_id)
    return user_id in rule or is_admin(config, user_id)


def refusal(config: Config, command: str) -> str:
    rule = config.permissions.commands.get(command, "everyone")
    who = "admins" if rule == "admins" else "the users listed for it"
    admins = ", ".join(f"<@{a}>" for a in config.permissions.admins[:5]) or "none are set"
    return (
        f"You may not run `{command}`: it is for {who} (config `permissions.commands.{command}`)."
        f" Admins: {admins}."
    )
