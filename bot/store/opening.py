"""The store named by MLPULSE_STORE. Its own module, so that importing the store's records
and protocols (bot.store) never loads a backend or its SDK."""

from __future__ import annotations

from bot.core.errors import StoreError
from bot.store import Store


def open_store(url: str) -> Store:
    """The store named by MLPULSE_STORE; StoreError with what to fix when it cannot open."""
    if url.startswith("sqlite:///"):
        from bot.store.sqlite.store import SqliteStore

        return SqliteStore(url.removeprefix("sqlite:///"))
    if url.startswith("dynamodb://"):
        from bot.store.dynamodb.store import DynamoDBStore

        return DynamoDBStore(url.removeprefix("dynamodb://"))
    raise StoreError(f"MLPULSE_STORE={url!r}: expected sqlite:///PATH or dynamodb://TABLE")
