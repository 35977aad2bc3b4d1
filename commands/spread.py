"""Asking every account and region at once, for the AWS-backed subcommands.

`--account ALIAS|ID` and `--region R` choose where to look (bot.aws.accounts); without
them a name is looked up in every configured (account, region), concurrently, on a small
thread pool (these answers already run behind Slack's acknowledgement, commands.runner).
Each place answers on its own: found, not there, or could not be asked (a refused role,
a missing permission, AWS down). `only` turns that into what a person wants: the one
match and where it is; several matches listed, not guessed; or "not found" with close
names and the places that could not be checked.

With one place (no `aws.accounts`, or a flag narrowing to one), answers are the single
account's as they always were: its errors are the answer and nothing says where.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from bot.aws.accounts import Accounts, Place
from bot.aws.calls import clients_of
from bot.aws.clients import AwsClients
from bot.aws.errors import AwsError, NotFound, translate
from bot.config.accounts import AwsConfig
from bot.core.text import clip
from commands.base import Args, Context, Reply
from commands.display import Block, context, header, reply, section
from commands.suggest import close_names

T = TypeVar("T")
MAX_PARALLEL = 8  # per command; the commands themselves run on a bounded queue


@dataclass
class Spread(Generic[T]):
    several: bool  # whether answers say where things are
    found: list[tuple[Place, AwsClients, T]] = field(default_factory=list)
    absent: list[tuple[Place, NotFound]] = field(default_factory=list)
    failed: list[tuple[Place, AwsError]] = field(default_factory=list)

    def unchecked(self) -> list[str]:
        """What could not be looked at, and why: places, and kinds within places."""
        notes = [f"{place.label}: {error}" for place, error in self.failed]
        for place, absent in self.absent:
            notes += [
                f"{place.label}: {note}" if self.several else note for note in absent.unchecked
            ]
        return notes


def where_to_look(ctx: Context, args: Args) -> tuple[Accounts, list[Place]]:
    """The command's accounts, and the places its flags choose."""
    accounts = ctx.accounts or Accounts(AwsConfig(), clients_of(ctx.aws))
    return accounts, accounts.select(args.options.get("account"), args.options.get("region"))


def spread(
    accounts: Accounts, places: Sequence[Place], lookup: Callable[[AwsClients], T]
) -> Spread[T]:
    """`lookup` run in every place at once, each place's answer kept apart."""
    result: Spread[T] = Spread(several=accounts.several)

    def ask(place: Place) -> tuple[Place, AwsClients | None, T | AwsError]:
        try:
            aws = clients_of(accounts.clients(place))
            return place, aws, lookup(aws)
        except AwsError as error:
            return place, None, error
        except (ClientError, BotoCoreError) as error:  # an answer no translation knows
            translated = translate(error, "aws")
            return (
                place,
                None,
                translated
                if isinstance(translated, AwsError)
                else AwsError(f"AWS answered {type(error).__name__}: {clip(str(error), 300)}"),
            )

    if len(places) == 1:
        answers = [ask(places[0])]
    else:
        with ThreadPoolExecutor(min(MAX_PARALLEL, len(places)), "mlpulse-spread") as pool:
            answers = list(pool.map(ask, places))
    for place, aws, answer in answers:
        if isinstance(answer, NotFound):
            result.absent.append((place, answer))
        elif isinstance(answer, AwsError):
            result.failed.append((place, answer))
        elif aws is not None:
            result.found.append((place, aws, answer))
    return result


def only(
    accounts: Accounts,
    looked: Spread[T],
    *,
    what: str,
    names: Callable[[AwsClients], list[str]],
    wanted: str,
    line: Callable[[T], str],
) -> tuple[Place, AwsClients, T] | Reply:
    """The one match; or, for several, a reply listing them (mrkdwn `line` each); else
    NotFound (`what`: `a job named X`) with close names from `names` in each place that
    answered, and what could not be checked. With one place, its own error is the answer."""
    if len(looked.found) == 1:
        return looked.found[0]
    if looked.found:
        return _several(looked, what, line)
    if len(looked.failed) == 1 and not looked.absent:  # one place asked: its error says it
        raise looked.failed[0][1]
    if not looked.absent:  # nowhere could be asked
        raise AwsError(f"could not look for {what} anywhere: " + "; ".join(looked.unchecked()))
    places = [place for place, _ in looked.absent]
    suggestions = _suggestions(accounts, places, names, wanted, looked.several)
    raise NotFound(what, looked.unchecked(), suggestions)


def found_in(place: Place, looked: Spread[T]) -> list[Block]:
    """`Found in prod · eu-west-1`, and what could not be checked: for answers that could
    have come from several places."""
    if not looked.several:
        return []
    told = f"Found in *{place.label}*"
    if unchecked := looked.unchecked():
        told += ". Not checked: " + "; ".join(clip(note, 300) for note in unchecked[:5])
    return [context(told)]


def shown_account(looked: Spread[T], place: Place) -> str | None:
    """The account name a link's label carries (`Console · prod`) when several could be
    meant (bot.kinds.links.naming_account)."""
    return place.account.label if looked.several and place.account else None


def _several(looked: Spread[T], what: str, line: Callable[[T], str]) -> Reply:
    lines = [f"• *{place.label}*: {line(found)}" for place, _, found in looked.found]
    count = len(looked.found)
    blocks = [
        header(f"{count} matches for {what}"),
        section("\n".join(lines)),
        context("Name one with `--account ALIAS` or `--region REGION`."),
    ]
    if unchecked := looked.unchecked():
        blocks.append(context("Not checked: " + "; ".join(clip(n, 300) for n in unchecked[:5])))
    return reply(
        f"{what}: {count} matches, in " + ", ".join(p.label for p, _, _ in looked.found), blocks
    )


def _suggestions(
    accounts: Accounts,
    places: Sequence[Place],
    names: Callable[[AwsClients], list[str]],
    wanted: str,
    several: bool,
) -> list[str]:
    listed = spread(accounts, places, names)
    where: dict[str, list[str]] = {}
    for place, _, found in listed.found:
        for each in found:
            where.setdefault(each, []).append(place.label)
    shown = []
    for close in close_names(wanted, where):
        labels = f" ({', '.join(where[close])})" if several else ""
        shown.append(f"`{close[:120].replace('`', 'ˋ')}`{labels}")  # raw: errors are escaped
    return shown
