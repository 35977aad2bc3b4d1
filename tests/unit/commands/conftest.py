"""Fixtures for the AWS-backed command tests: a moto server seeded with a small platform,
the clients pointed at it through AWS_ENDPOINT_URL, and a command context on a fake clock."""

from __future__ import annotations

import pytest

from bot.config.models import Config
from bot.core.clock import FakeClock
from bot.store.sqlite.store import SqliteStore
from commands.base import Context
from tests.fakes.moto import moto_url  # noqa: F401 (fixture)
from tests.unit.commands.platform import (  # noqa: F401 (fixtures)
    Platform,
    PlatformAws,
    aws,
    moto_server,
    real_now,
    seed_platform,
)


@pytest.fixture
def platform(aws: PlatformAws) -> Platform:  # noqa: F811
    return seed_platform(aws, real_now())


@pytest.fixture
def ctx(aws: PlatformAws, platform: Platform, store: SqliteStore) -> Context:  # noqa: F811
    return Context(
        user_id="U1",
        channel_id="C1",
        config=Config(),
        store=store,
        clock=FakeClock(platform.now),
        aws=aws,
    )
