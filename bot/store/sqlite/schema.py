"""The SQLite store's tables, created when missing each time a store opens the file.

    seen_digests  every dedup id of every accepted event, as a digest (dedup.py)
    roots      each resource's root message and the state it shows (roots.py, digests.py)
    outbox     accepted alerts and notices on their way to Slack (outbox.py)
    incidents  at most one unresolved per series (incidents.py)
    audit      transitions, silences and refused commands (audit.py)
    silences   patterns that hold matching alerts back, and what they held (silences.py)
    digests    one message standing for many resources of a burst (digests.py)

    incident_keys  the resources whose failures an incident stands for (incidents.py)

Times are float Unix timestamps (UTC), as the DynamoDB store keeps them too.

A file made by an older mlpulse keeps its tables as they were (CREATE TABLE IF NOT EXISTS
changes nothing that exists): `upgrade` adds the columns they lack (ADDED_COLUMNS), with
defaults that say what the older rows meant. No migration step is needed: its `seen`
table (dedup ids as text, before `seen_digests`) is read beside the new one until pruning
has emptied it (dedup.py).
"""

from __future__ import annotations

import sqlite3

SCHEMA = """
CREATE TABLE IF NOT EXISTS seen_digests (
    at INTEGER NOT NULL,  -- the event's own time, whole seconds (0: none)
    digest BLOB NOT NULL,  -- BLAKE2b, 16 bytes, of the dedup id
    seen_at INTEGER NOT NULL,  -- whole seconds: pruning needs no finer
    PRIMARY KEY (at, digest)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS roots (
    key TEXT PRIMARY KEY,
    channel TEXT NOT NULL,
    ts TEXT NOT NULL,
    state_time REAL NOT NULL,
    state_rank INTEGER NOT NULL,
    state_depth INTEGER NOT NULL DEFAULT 0,  -- how deep its failed part (ordering.order)
    event TEXT NOT NULL,
    decision TEXT,
    digest_id INTEGER
);
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL,
    event TEXT,
    decision TEXT,
    notice TEXT,
    created REAL NOT NULL,
    next_attempt REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    stage INTEGER NOT NULL DEFAULT 0,
    in_flight INTEGER NOT NULL DEFAULT 0,
    lease_owner TEXT,
    lease_until REAL,
    state TEXT NOT NULL DEFAULT 'pending',
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (state, key, id);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (state, next_attempt);

CREATE TABLE IF NOT EXISTS incidents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    series TEXT NOT NULL,
    key TEXT NOT NULL,
    title TEXT NOT NULL,
    state TEXT NOT NULL,
    opened_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    actor TEXT,
    last_action TEXT,
    snoozed_until REAL,
    renotify_count INTEGER NOT NULL DEFAULT 0,
    next_renotify_at REAL,
    note TEXT,
    since REAL,  -- the first failure it stands for
    failures INTEGER NOT NULL DEFAULT 1,  -- failing runs of the series it stands for
    last_failure_at REAL  -- the latest, once another run failed: an older recovery is none
);
CREATE UNIQUE INDEX IF NOT EXISTS incidents_one_unresolved
    ON incidents (series) WHERE state != 'resolved';
CREATE INDEX IF NOT EXISTS incidents_by_key ON incidents (key, id);
CREATE TABLE IF NOT EXISTS incident_keys (
    key TEXT NOT NULL,
    incident_id INTEGER NOT NULL,
    PRIMARY KEY (key, incident_id)
);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id INTEGER,
    at REAL NOT NULL,
    actor TEXT NOT NULL,
    source TEXT NOT NULL,
    action TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT,
    note TEXT
);
CREATE TABLE IF NOT EXISTS silences (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    pattern TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    channel TEXT NOT NULL,
    held INTEGER NOT NULL DEFAULT 0,
    announced INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS digests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel TEXT NOT NULL,
    posted_channel TEXT,
    ts TEXT,
    opened REAL NOT NULL,
    refreshed REAL,
    dirty INTEGER NOT NULL DEFAULT 1,
    in_flight INTEGER NOT NULL DEFAULT 0,
    sender TEXT,  -- who marked it in flight, until when (digest_sending)
    sending_until REAL
);
-- Only digest lines: a root of its own (most of them) writes no page of it. A file made
-- before keeps its index of every root, and works the same.
CREATE INDEX IF NOT EXISTS roots_by_digest ON roots (digest_id) WHERE digest_id IS NOT NULL;

-- What pruning looks for (bot.store.sqlite.retention); `audit` is pruned from its
-- oldest rows, in rowid order, and `seen_digests` swept in key order (dedup.py): no index.
CREATE INDEX IF NOT EXISTS roots_by_time ON roots (state_time);
CREATE INDEX IF NOT EXISTS incidents_resolved ON incidents (updated_at)
    WHERE state = 'resolved';
CREATE INDEX IF NOT EXISTS incident_keys_by_incident ON incident_keys (incident_id);

-- What each delivery pass reads of the digests, however many a month of bursts left.
CREATE INDEX IF NOT EXISTS digests_dirty ON digests (id) WHERE dirty = 1;
CREATE INDEX IF NOT EXISTS digests_by_channel ON digests (channel, opened);
"""

# Columns added to tables after their first release: (table, column, definition).
ADDED_COLUMNS = (
    # A digest marked in flight by an older version has no lease: it is looked up, as then.
    ("digests", "sender", "TEXT"),
    ("digests", "sending_until", "REAL"),
    ("roots", "state_depth", "INTEGER NOT NULL DEFAULT 0"),
    ("incidents", "failures", "INTEGER NOT NULL DEFAULT 1"),
    ("incidents", "last_failure_at", "REAL"),
)


def upgrade(db: sqlite3.Connection) -> None:
    """Add the columns an older file's tables lack, in one write transaction: of two
    processes opening the same old file at once, the second finds them added."""
    db.execute("BEGIN IMMEDIATE")
    try:
        for table, column, definition in ADDED_COLUMNS:
            present = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
            if column not in present:
                db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {definition}")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
