"""Opening the store MLPULSE_STORE names (bot.store.opening), and what importing the
store's records and protocols (bot.store) must not do: load a backend or its SDK."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.core.errors import ConfigError
from bot.store.opening import open_store


@pytest.mark.parametrize(
    "url",
    [
        "",
        "mlpulse.db",
        "sqlite://relative.db",
        "postgres://db/mlpulse",
        "SQLITE:///x.db",
        "sqlite:///",
    ],
)
def test_open_store_with_a_bad_url_is_a_config_error(url: str) -> None:
    """A URL that names no store is a configuration mistake (exit 2), not a store outage."""
    with pytest.raises(ConfigError) as raised:
        open_store(url)

    assert "MLPULSE_STORE" in str(raised.value)
    assert "sqlite:///" in str(raised.value)


def test_importing_the_store_loads_no_backend() -> None:
    """Pure stages type against bot.store; only opening a store may load boto3."""
    probe = (
        "import sys, bot.store, bot.store.opening;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore', 'sqlite3')"
        " or m.startswith(('bot.store.sqlite', 'bot.store.dynamodb'))))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )

    assert loaded.stdout.strip() == "[]"
