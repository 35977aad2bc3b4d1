"""The SQLite store's tables, created when missing each time a store opens the file.

    seen       every dedup id of every accepted event (bot.store.sqlite.store)
    roots      each resource's root message and the state it shows (roots.py, digests.py)
    outbox     accepted alerts and notices on their way to Slack (outbox.py)
    incidents  at most one unresolved per series (incidents.py)
    audit      transitions, silences and refused commands (audit.py)
    silences   patterns that hold matching alerts back, and what they held (silences.py)
    digests    one message standing for many resources of a burst (digests.py)

Times are float Unix timestamps (UTC), as the DynamoDB store keeps them too.
"""

from __future__ import annotations

SCHEMA = """
CREATE TABLE IF NOT EXISTS seen (
    dedup_id TEXT PRIMARY KEY,
    seen_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS roots (
    key TEXT PRIMARY KEY,
    channel TEXT NOT NULL,
    ts TEXT NOT NULL,
    state_time REAL NOT NULL,
    state_rank INTEGER NOT NULL,
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
    since REAL  -- the time of the event that opened it: an older recovery is no recovery
);
CREATE UNIQUE INDEX IF NOT EXISTS incidents_one_unresolved
    ON incidents (series) WHERE state != 'resolved';
CREATE INDEX IF NOT EXISTS incidents_by_key ON incidents (key, id);
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
    in_flight INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS roots_by_digest ON roots (digest_id);
"""
