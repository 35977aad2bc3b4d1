"""Every (account, region) mlpulse answers about, and the AWS clients for each.

`Accounts` is built from `aws.accounts` (bot.config.accounts) and the bot's own clients
(`home`). Without accounts configured there is one place: the bot's own account and
region, answered with `home` itself, as a single-account mlpulse always was.

Clients are made once per place and reused (AwsClients makes each service's client once,
under its lock). An account with a `role_arn` gets credentials from STS AssumeRole
(bot.aws.assume), one set per account shared by its regions. A role that cannot be
assumed is a `RoleRefused` for that account only: counted (`on_refused`, the
`mlpulse_aws_role_refused_total` metric), remembered for a minute so a fan-out over its
regions asks STS once, and never in the way of the other accounts.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import boto3
import botocore.loaders
import botocore.session
from botocore.exceptions import BotoCoreError, ClientError

from bot.aws.assume import refusal_reason, role_credentials, role_refused
from bot.aws.clients import AwsClients
from bot.aws.errors import RoleRefused
from bot.config.accounts import Account, AwsConfig
from bot.config.regions import known_regions
from bot.core.clock import Clock, SystemClock
from bot.core.errors import InputError

log = logging.getLogger(__name__)
REFUSAL_KEPT = timedelta(minutes=1)

# (region, credentials or None for the bot's own) -> clients in that region
MakeClients = Callable[[str | None, Any], AwsClients]


@dataclass(frozen=True)
class Place:
    """One account in one region."""

    account: Account | None  # None: the bot's own account, not configured by name
    region: str | None

    @property
    def label(self) -> str:
        """`prod · eu-west-1`: how answers say where something is."""
        who = self.account.label if self.account else "this account"
        return f"{who} · {self.region}" if self.region else who


@functools.cache
def _models() -> Any:
    """One loader of botocore's API models for every place's session: each would otherwise
    read and parse the same files again."""
    return botocore.loaders.create_loader()


def default_clients(region: str | None, credentials: Any) -> AwsClients:
    """Clients in `region`, with `credentials` (an assumed role's) or the bot's own."""
    core: Any = botocore.session.Session()
    core.register_component("data_loader", _models())
    if credentials is not None:
        # Where a botocore session keeps the credentials its clients sign with, once its
        # provider chain found them: set here, the chain is not asked.
        core._credentials = credentials
    return AwsClients(session=boto3.session.Session(botocore_session=core, region_name=region))


class Accounts:
    def __init__(
        self,
        config: AwsConfig,
        home: AwsClients,
        clock: Clock | None = None,
        *,
        make_clients: MakeClients = default_clients,
        on_refused: Callable[[Account], None] | None = None,
    ) -> None:
        self.config, self.home = config, home
        self.clock = clock or SystemClock()
        self._make, self._on_refused = make_clients, on_refused
        self._clients: dict[Place, AwsClients] = {}
        self._credentials: dict[str, Any] = {}  # account id -> its role's credentials
        self._refused: dict[str, tuple[datetime, RoleRefused]] = {}
        self._lock = threading.Lock()

    @property
    def several(self) -> bool:
        """Whether answers should say where things are: more than one place to look."""
        return len(self.places()) > 1

    def places(self) -> list[Place]:
        home = self._home_region()
        if not self.config.accounts:
            return [Place(None, home)]
        return [
            Place(account, region)
            for account in self.config.accounts
            for region in (account.regions or [home])
        ]

    def select(self, account: str | None = None, region: str | None = None) -> list[Place]:
        """The places `--account ALIAS|ID` and `--region R` name; InputError for a name
        the config does not know or a region AWS does not have. A region outside an
        account's configured ones is still asked there when named."""
        if region is not None and region not in known_regions():
            raise InputError(f"`{region[:40]}` is not an AWS region")
        places = self.places()
        if account is not None:
            found = self.config.named(account)
            if found is None:
                known = ", ".join(a.label for a in self.config.accounts) or "none configured"
                raise InputError(f"no account `{account[:40]}` in aws.accounts (known: {known})")
            places = [place for place in places if place.account == found]
        if region is not None:
            accounts = list(dict.fromkeys(place.account for place in places))
            places = [Place(each, region) for each in accounts]
        return places

    def member_clients(self, account: str | None, region: str | None) -> AwsClients | None:
        """The clients, in `region`, of the configured account `account` (id or alias) that
        has a role; None for any other account, which only the bot's own credentials can
        be tried on. RoleRefused when its role cannot be assumed."""
        member = self.config.named(account) if account else None
        if member is None or member.role_arn is None:
            return None
        return self.clients(Place(member, region))

    def clients(self, place: Place) -> AwsClients:
        """The clients for `place`; RoleRefused when its account's role cannot be assumed."""
        credentials = self._role(place.account) if place.account else None
        with self._lock:
            if place not in self._clients:
                self._clients[place] = (
                    self.home
                    if credentials is None and place.region == self._home_region()
                    else self._make(place.region, credentials)
                )
            return self._clients[place]

    def close(self) -> None:
        with self._lock:
            for made in self._clients.values():
                if made is not self.home:
                    made.close()
            self._clients.clear()

    def _home_region(self) -> str | None:
        """The region of the bot's own clients (None for clients that do not say: a
        test's stand-in, asked only as they are)."""
        region = getattr(self.home, "region", None)
        return region if isinstance(region, str) else None

    def _role(self, account: Account) -> Any:
        """The account's role credentials, assumed now when they have not been yet; None
        for an account read with the bot's own credentials."""
        if account.role_arn is None:
            return None
        with self._lock:
            refused = self._refused.get(account.id)
            if refused is not None and self.clock.now() < refused[0]:
                raise refused[1]
            if account.id not in self._credentials:
                self._credentials[account.id] = role_credentials(
                    self.home.client("sts"), account, self.clock.now
                )
            credentials = self._credentials[account.id]
        try:
            credentials.get_frozen_credentials()  # assumes (or refreshes) when due
        except (ClientError, BotoCoreError) as error:
            refusal = role_refused(account, refusal_reason(error))
            log.warning("%s", refusal)
            with self._lock:
                self._refused[account.id] = (self.clock.now() + REFUSAL_KEPT, refusal)
                self._credentials.pop(account.id, None)  # a fresh try after the pause
            if self._on_refused is not None:
                self._on_refused(account)
            raise refusal from None
        return credentials
