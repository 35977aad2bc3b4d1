"""Fixtures for the AWS-backed command tests: the demo's platform on a moto server
(tests.unit.commands.platform), and a command context on a fake clock at the time the
demo's people start typing."""

from __future__ import annotations

import pytest

from bot.config.models import Config
from bot.core.clock import FakeClock
from bot.store.sqlite.store import SqliteStore
from commands.base import Context
from tests.fakes.moto import moto_url  # noqa: F401 (fixture)
from tests.unit.commands.platform import (  # noqa: F401 (fixtures)
    NOW,
    PlatformAws,
    aws,
    moto_server,
    platform,
)


@pytest.fixture
def ctx(platform: PlatformAws, store: SqliteStore) -> Context:  # noqa: F811
    return Context(
        user_id="U1",
        channel_id="C1",
        config=Config(),
        store=store,
        clock=FakeClock(NOW),
        aws=platform,
    )
