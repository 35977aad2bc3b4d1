"""Running one `/mlpulse` line, for Slack and for the demo's prompt alike: parse it, look
it up, check who may run it, run it; never an exception for the person who typed it.

`read_line` is pure (no store, no AWS), so the Slack side can do it before acknowledging;
`permit` (which audits a refusal) and `execute` are the work behind the acknowledgement."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from bot.core.errors import UserError
from bot.core.text import escape
from commands import REGISTRY
from commands.base import Args, Command, Context, Reply
from commands.parse import parse
from commands.permissions import refused

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Prepared:
    """A line ready to run, or the answer it gets without running (`reply`)."""

    name: str
    module: Command | None
    args: Args | None
    reply: Reply | None = None

    @property
    def slow(self) -> bool:
        return self.module is not None and self.module.SLOW


def prepare(text: str, ctx: Context) -> Prepared:
    return permit(read_line(text), ctx)


def read_line(text: str) -> Prepared:
    """The subcommand and its arguments, or the short help a malformed line gets."""
    try:
        name, args = parse(text)
    except UserError as error:
        return Prepared("", None, None, Reply(text=f"{escape(str(error))}\n{short_help()}"))
    module = REGISTRY.get(name)
    if module is None:
        problem = f"`{escape(name[:40])}` is not an mlpulse subcommand."
        return Prepared(name, None, None, Reply(text=f"{problem}\n{short_help()}"))
    return Prepared(name, module, args)


def permit(prepared: Prepared, ctx: Context) -> Prepared:
    """The line as it was, or its refusal (audited) when ctx.user_id may not run it."""
    if prepared.reply is not None or prepared.module is None:
        return prepared
    refusal = refused(ctx, prepared.name)
    if refusal is None:
        return prepared
    return Prepared(prepared.name, prepared.module, prepared.args, Reply(text=refusal))


def execute(prepared: Prepared, ctx: Context) -> Reply:
    if prepared.reply is not None or prepared.module is None or prepared.args is None:
        return prepared.reply or Reply(text=short_help())
    try:
        reply: Reply = prepared.module.handle(ctx, prepared.args)
    except UserError as error:
        return Reply(text=f"{escape(str(error))}\nTry `/mlpulse help`.")
    except Exception:
        reference = uuid.uuid4().hex[:8]
        log.exception("/mlpulse %s failed (reference %s)", prepared.name, reference)
        return Reply(text=f"Sorry, that went wrong on our side (reference `{reference}`).")
    if prepared.args.public:
        reply.public = True
    return reply


def short_help() -> str:
    names = ", ".join(f"`{name}`" for name in REGISTRY)
    return f"Subcommands: {names}. `/mlpulse help` explains each."
