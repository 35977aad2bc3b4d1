"""Where an endpoint is, for subcommands that read more about it than the endpoint
command does (`drift`): the clients of the one place that has it, and the line saying
where that is when there were several to look in (commands.spread)."""

from __future__ import annotations

from bot.aws.calls import clients_of
from bot.aws.clients import AwsClients
from bot.aws.endpoints import describe_endpoint, endpoint_names
from commands.base import Args, Context, Reply
from commands.display import Block, badge, name
from commands.spread import found_in, only, spread, where_to_look


def endpoint_clients(
    ctx: Context, args: Args, endpoint: str
) -> tuple[AwsClients, list[Block]] | Reply:
    """The clients of the place that has `endpoint`, and where that is (no line with one
    place to look, which is then asked directly, as before accounts); a reply listing the
    places when several have an endpoint of that name."""
    accounts, places = where_to_look(ctx, args)
    if len(places) == 1:
        return clients_of(accounts.clients(places[0])), []
    looked = spread(accounts, places, lambda aws: describe_endpoint(aws.sagemaker, endpoint))
    picked = only(
        accounts,
        looked,
        what=f"endpoint {endpoint}",
        names=lambda aws: endpoint_names(aws.sagemaker),
        wanted=endpoint,
        line=lambda found: f"endpoint {name(found.name)} {badge(found.status)}",
    )
    if isinstance(picked, Reply):
        return picked
    place, aws, _ = picked
    return aws, found_in(place, looked)
