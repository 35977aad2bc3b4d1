"""Fixtures for the SNS endpoint's unit tests: a signer on the shared fake clock."""

from __future__ import annotations

import pytest

from bot.core.clock import FakeClock
from tests.fakes.sns_signing import SnsSigner


@pytest.fixture
def signer(clock: FakeClock) -> SnsSigner:
    return SnsSigner(clock.now())
