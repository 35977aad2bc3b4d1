"""The store named by MLPULSE_STORE. Its own module, so that importing the store's records
and protocols (bot.store) never loads a backend or its SDK."""

from __future__ import annotations

from bot.config.models import Retention
from bot.core.errors import StoreError
from bot.store import Store


def open_store(url: str, retention: Retention | None = None) -> Store:
    """The store named by MLPULSE_STORE, keeping records as long as `retention` says;
    StoreError with what to fix when it cannot open."""
    if url.startswith("sqlite:///"):
        from bot.store.sqlite.store import SqliteStore

        return SqliteStore(url.removeprefix("sqlite:///"), retention)
    if url.startswith("dynamodb://"):
        from bot.store.dynamodb.store import DynamoDBStore

        return DynamoDBStore(url.removeprefix("dynamodb://"), retention=retention)
    raise StoreError(f"MLPULSE_STORE={url!r}: expected sqlite:///PATH or dynamodb://TABLE")
