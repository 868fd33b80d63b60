-- Outgoing email: one row per message, written in the same transaction as the
-- change that caused it. Workers claim due rows with a lease.
-- Instants are RFC 3339 UTC text with microseconds, so they compare as text.
CREATE TABLE outbox (
    id           TEXT PRIMARY KEY NOT NULL,
    dedupe_key   TEXT NOT NULL UNIQUE,
    template     TEXT NOT NULL,
    recipient    TEXT NOT NULL,
    payload      TEXT NOT NULL,
    state        TEXT NOT NULL DEFAULT 'queued'
                 CHECK (state IN ('queued', 'running', 'sent', 'dead')),
    run_at       TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    last_error   TEXT,
    lease_owner  TEXT,
    lease_until  TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    sent_at      TEXT
);

CREATE INDEX outbox_due ON outbox (run_at) WHERE state = 'queued';
CREATE INDEX outbox_leased ON outbox (lease_until) WHERE state = 'running';
