-- Outgoing email: one row per message, written in the same transaction as the
-- change that caused it. Workers claim due rows with a lease.
CREATE TABLE outbox (
    id           uuid PRIMARY KEY,
    dedupe_key   text NOT NULL UNIQUE,
    template     text NOT NULL,
    recipient    text NOT NULL,
    payload      text NOT NULL,
    state        text NOT NULL DEFAULT 'queued'
                 CHECK (state IN ('queued', 'running', 'sent', 'dead')),
    run_at       timestamptz NOT NULL,
    attempts     integer NOT NULL DEFAULT 0,
    max_attempts integer NOT NULL,
    last_error   text,
    lease_owner  text,
    lease_until  timestamptz,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    sent_at      timestamptz
);

CREATE INDEX outbox_due ON outbox (run_at) WHERE state = 'queued';
CREATE INDEX outbox_leased ON outbox (lease_until) WHERE state = 'running';
