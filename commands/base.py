"""What every `/mlpulse` subcommand gets and gives.

A subcommand is a module in `commands/` with `handle(ctx, args) -> Reply`; the first line
of `handle`'s docstring is its help line (`NAME ARGS — what it does`), the rest an example.
A module sets `SLOW = True` when it calls AWS: the Slack side then acknowledges at once and
delivers the reply through `response_url`. Errors meant for the user are `UserError`s
(bot.core.errors); their text is shown as is, ephemerally.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from bot.config.models import Config
from bot.core.clock import Clock
from bot.store import CommandStore

if TYPE_CHECKING:  # the services a command may be given; imported for their types only
    from bot.approvals.service import ApprovalService
    from bot.aws.accounts import Accounts
    from bot.aws.clients import AwsClients
    from bot.incidents.service import IncidentService


@dataclass(frozen=True)
class Chart:
    """A picture to upload with the reply (files_upload_v2)."""

    filename: str
    title: str
    png: bytes


@dataclass
class Reply:
    text: str  # mrkdwn, already escaped (bot.core.text)
    blocks: list[dict[str, Any]] | None = None
    charts: list[Chart] = field(default_factory=list)
    public: bool = False  # posted in the channel for everyone, not only to the asker


@dataclass(frozen=True)
class Args:
    """The words after the subcommand, with the flags every subcommand understands."""

    words: tuple[str, ...]
    public: bool = False  # `--public`
    options: dict[str, str] = field(
        default_factory=dict
    )  # `--status Failed` -> {"status": "Failed"}


@dataclass
class Context:
    user_id: str
    channel_id: str
    config: Config
    store: CommandStore
    clock: Clock
    # Optional services, present when the running app has them; a command that needs one
    # that is missing says so instead of failing.
    aws: AwsClients | None = None
    # Every (account, region) to answer about (bot.aws.accounts); None: ctx.aws's alone.
    accounts: Accounts | None = None
    incidents: IncidentService | None = None
    is_admin: bool = False
    approvals: ApprovalService | None = None


class Command(Protocol):
    """A subcommand module, as the registry (commands/__init__.py) holds it."""

    SLOW: bool

    def handle(self, ctx: Context, args: Args) -> Reply: ...
