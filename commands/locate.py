"""Where a named job or endpoint is: looked up in every place the command's flags choose
(commands.spread), the one match with its place's clients, or the reply a person needs
instead (several matches listed, or not found with close names). `job`, `metrics`,
`endpoint` and `drift` find what they answer about through here."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from bot.aws.accounts import Place
from bot.aws.calls import clients_of
from bot.aws.clients import AwsClients
from bot.aws.endpoints import Endpoint, describe_endpoint, endpoint_names
from bot.aws.sagemaker_jobs import find_job, job_names
from bot.kinds.jobs import Job, JobKind
from commands.base import Args, Context, Reply
from commands.display import Block, badge, name
from commands.spread import Spread, found_in, only, shown_account, spread, where_to_look

T = TypeVar("T")


@dataclass(frozen=True)
class Located(Generic[T]):
    place: Place
    aws: AwsClients  # the clients of that place
    found: T
    looked: Spread[T]

    @property
    def where(self) -> list[Block]:
        """`Found in prod · eu-west-1` (and what could not be checked) when it could have
        been in several places; nothing when there was one to look in."""
        return found_in(self.place, self.looked)

    @property
    def account(self) -> str | None:
        """The account a link's label names (`Console · prod`), when several could be meant."""
        return shown_account(self.looked, self.place)


def _locate(
    ctx: Context,
    args: Args,
    lookup: Callable[[AwsClients], T],
    *,
    what: str,
    names: Callable[[AwsClients], list[str]],
    wanted: str,
    line: Callable[[T], str],
) -> Located[T] | Reply:
    accounts, places = where_to_look(ctx, args)
    looked = spread(accounts, places, lookup)
    picked = only(accounts, looked, what=what, names=names, wanted=wanted, line=line)
    if isinstance(picked, Reply):
        return picked
    place, aws, found = picked
    return Located(place, aws, found, looked)


def locate_job(
    ctx: Context, args: Args, wanted: str, kinds: Sequence[JobKind], what: str
) -> Located[Job] | Reply:
    """The job named `wanted` of one of `kinds` (`what`: `a training job named X`)."""
    return _locate(
        ctx,
        args,
        lambda aws: find_job(aws.sagemaker, wanted, kinds),
        what=what,
        names=lambda aws: job_names(aws.sagemaker, kinds),
        wanted=wanted,
        line=lambda found: f"{found.kind.title} {name(found.name)} {badge(found.status)}",
    )


def locate_endpoint(ctx: Context, args: Args, wanted: str) -> Located[Endpoint] | Reply:
    return _locate(
        ctx,
        args,
        lambda aws: describe_endpoint(aws.sagemaker, wanted),
        what=f"endpoint {wanted}",
        names=lambda aws: endpoint_names(aws.sagemaker),
        wanted=wanted,
        line=lambda found: f"endpoint {name(found.name)} {badge(found.status)}",
    )


def under_header(blocks: list[Block], where: list[Block]) -> list[Block]:
    """An answer's blocks with where it was found (`Located.where`) right under its header."""
    return [*blocks[:1], *where, *blocks[1:]]


def endpoint_clients(
    ctx: Context, args: Args, endpoint: str
) -> tuple[AwsClients, list[Block]] | Reply:
    """The clients of the place that has `endpoint`, and where that is (no line with one
    place to look, which is then asked directly, as before accounts); a reply listing the
    places when several have an endpoint of that name."""
    accounts, places = where_to_look(ctx, args)
    if len(places) == 1:
        return clients_of(accounts.clients(places[0])), []
    located = locate_endpoint(ctx, args, endpoint)
    return located if isinstance(located, Reply) else (located.aws, located.where)
