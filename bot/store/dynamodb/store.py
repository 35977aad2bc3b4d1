"""The DynamoDB store (`MLPULSE_STORE=dynamodb://TABLE`): the Store protocol over one table
shared by every replica, with conditional writes where SQLite has a write lock.

Each part is a TableAccess (table.py: the calls, their errors, the waits for busy items)
and keeps its items: accept.py (built on outbox.py and incidents.py, whose transaction
items incident_writes.py makes), roots.py, audit.py, silences.py, digests.py.
provisioning.py creates the table; codec.py lays items out, record_items.py reads them as
the records the rest of mlpulse sees.

The table is created on first use (on-demand billing) and waited for. Single-table design,
string keys `pk` / `sk`, and one keys-only global secondary index `gsi1` (`gpk` / `gsk`):

    item                 pk               sk                 gpk         gsk
    dedup id seen        seen#<dedup id>  -
    id counters          counter          outbox, incident, silence (atomic ADD)
    outbox item pending  outbox#<key>     p#<id>             outbox      <next_attempt>#<id>
                held     outbox#<key>     h#<id>
                parked   outbox#<key>     x#<id>             (undeliverable)
    pending id -> key    item#<id>        -
    root message         root#<key>       -
    incident             incident#<id>    incident           timer       <when>#<id>
    its audit            incident#<id>    audit#<version>
    series lock          series#<series>  lock               unresolved  <id>
    incidents of a key   key#<key>        incident#<id>
    silence              silences         <id>
    Slack request taken  request#<digest> -   (expires_at: requests.py)
    burst digest         digest#<id>      digest             dirty       <id>
    its members          digest#<id>      member#<key>
    channel's digest     digests#<channel> current
    other audit          audit            <at>#<uuid>
    approval             approvals        <id>               (bot.store.dynamodb.approvals)
    its audit            approval-audit#<id>  <at>#<uuid>

Every item that may go away carries `expires_at`, the table's TTL attribute (expiry.py).

Ids are zero-padded to 20 digits and times (<next_attempt>, <when>: the re-notify or the
snooze end ahead, <at>) are microseconds zero-padded to 20 digits, so they sort as strings.

How each guarantee holds:
- dedup: each dedup id is put with attribute_not_exists(pk) in the transaction that queues
  the event (bot.store.dynamodb.accept): of two replicas, one records it, the other is told.
- order: a resource's pending items are one partition sorted by id; only its head (read
  consistently) is due; resources are ordered by the index's (next_attempt, id).
- roots: advance_state is an update on (state_time, state_rank, state_depth) < the event's order.
- incidents: a series lock put with attribute_not_exists; transitions are compare-and-set
  on the incident's version, with ReturnValuesOnConditionCheckFailure=ALL_OLD to judge the
  action again against the winner (bot.store.dynamodb.incidents). A repeat failure is
  compare-and-set too, with its resource's `key#` item put only if absent: counted once.
- silences and their notices, transitions and theirs, a digest's new member and the end
  of its outbox item: one TransactWriteItems each.

The index is eventually consistent: it only says where to look, and what it points at is
read again consistently before it is used, so a stale row can delay an item by one pass
but never deliver one twice or out of order.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from bot.config.models import Retention
from bot.core.errors import StoreError
from bot.store.dynamodb.accept import AcceptTable
from bot.store.dynamodb.approvals import ApprovalTable
from bot.store.dynamodb.audit import AuditTable
from bot.store.dynamodb.digests import DigestTable
from bot.store.dynamodb.provisioning import TableSetup, connect
from bot.store.dynamodb.requests import RequestTable
from bot.store.dynamodb.roots import RootTable
from bot.store.dynamodb.silences import SilenceTable

_TABLE_NAME = re.compile(r"[A-Za-z0-9_.-]{3,255}")


class DynamoDBStore(
    AcceptTable,
    RootTable,
    AuditTable,
    SilenceTable,
    DigestTable,
    RequestTable,
    ApprovalTable,
    TableSetup,
):
    """The store on the DynamoDB table `table`; `client` is a boto3 DynamoDB client, by
    default one from the environment (AWS_REGION, credentials, AWS_ENDPOINT_URL)."""

    def __init__(self, table: str, client: Any = None, retention: Retention | None = None) -> None:
        if not _TABLE_NAME.fullmatch(table):
            raise StoreError(
                f"MLPULSE_STORE=dynamodb://{table}: a DynamoDB table name is 3 to 255 letters,"
                " digits, '_', '-' or '.'"
            )
        super().__init__(table, client if client is not None else connect(table), retention)
        self._ensure_table()

    def prune(self, now: datetime, limit: int = 500) -> int:
        """Nothing to do: the table's TTL deletes what expired (bot.store.dynamodb.expiry)."""
        return 0


__all__ = ["DynamoDBStore"]
