"""Durable state behind small protocols: seen event ids, each resource's root message, the
outbox of alerts accepted but not yet delivered, incidents, silences and burst digests.

bot.store.records holds the records, bot.store.roles what each stage asks of the store
(IntakeStore, OutboxStore and DigestStore (DeliveryStore), IncidentStore, CommandStore) and
`Store`, their union. `sqlite:///PATH` (bot.store.sqlite) serves one process, `dynamodb://TABLE`
(bot.store.dynamodb) several replicas; both pass one contract suite
(tests/unit/store/test_contract*.py). bot.store.opening opens the one MLPULSE_STORE names:
importing this package loads no backend and no AWS SDK.
"""

from __future__ import annotations

from bot.store.records import (
    STAGE_NEW,
    STAGE_ROOT_DONE,
    Digest,
    IncidentChange,
    Notice,
    OutboxItem,
    RootMessage,
    Sending,
    Silence,
    decode_decision,
    encode_decision,
)
from bot.store.roles import (
    ApprovalStore,
    CommandStore,
    DeliveryStore,
    DigestStore,
    IncidentStore,
    IntakeStore,
    OutboxStore,
    RequestStore,
    Store,
)

__all__ = [
    "STAGE_NEW",
    "STAGE_ROOT_DONE",
    "ApprovalStore",
    "CommandStore",
    "DeliveryStore",
    "Digest",
    "DigestStore",
    "IncidentChange",
    "IncidentStore",
    "IntakeStore",
    "Notice",
    "OutboxItem",
    "OutboxStore",
    "RequestStore",
    "RootMessage",
    "Sending",
    "Silence",
    "Store",
    "decode_decision",
    "encode_decision",
]
