"""Arguments the incident subcommands share: an incident id and a duration."""

from __future__ import annotations

from datetime import timedelta

from bot.core.durations import parse_duration
from bot.core.errors import InputError
from bot.core.incident import Action, Source, Transition
from bot.core.text import ascii_digits
from bot.incidents.service import IncidentService
from commands.base import Args, Context, Reply

MAX_LENGTH = timedelta(days=30)


def incident_id(args: Args, usage: str) -> int:
    if not args.words:
        raise InputError(f"which incident? Usage: `{usage}`")
    word = args.words[0].removeprefix("#")
    if not ascii_digits(word, 4000):  # out of range ids are "no such incident", not this
        raise InputError(f"`{word[:20]}` is not an incident number. Usage: `{usage}`")
    return int(word)


def duration(word: str | None, usage: str) -> timedelta:
    if word is None:
        raise InputError(f"for how long? Usage: `{usage}`")
    try:
        length = parse_duration(word)
    except ValueError:
        raise InputError(
            f"`{word[:20]}` is not a duration like 30m, 4h or 2d. Usage: `{usage}`"
        ) from None
    except OverflowError:  # more days than a timedelta holds
        length = MAX_LENGTH * 2
    if not timedelta(minutes=1) <= length <= MAX_LENGTH:
        raise InputError("a duration must be between 1m and 30d")
    return length


def service(ctx: Context) -> IncidentService:
    if ctx.incidents is None:
        raise InputError("incidents are not available in this mlpulse")
    return ctx.incidents


def outcome(result: Transition, done: str) -> Reply:
    """The answer to the person who acted: what happened, or why nothing did."""
    if result.ok:
        return Reply(text=done)
    return Reply(text=result.explanation)


def act(ctx: Context, args: Args, action: Action, usage: str, done: str) -> Reply:
    """`ack`, `resolve`: one incident id, one action; `done` takes `{number}`."""
    number = incident_id(args, usage)
    result = service(ctx).act(number, action, ctx.user_id, Source.COMMAND)
    return outcome(result, done.format(number=number))
