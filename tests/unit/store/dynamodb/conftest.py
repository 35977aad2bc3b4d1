"""The DynamoDB store alone (the contract suite runs it beside SQLite one folder up): each
test names a fresh table on the module's moto server (`dynamo_url`)."""

from __future__ import annotations

import uuid


def table_name() -> str:
    return f"t-{uuid.uuid4().hex}"
