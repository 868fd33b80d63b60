DROP INDEX idempotency_keys_by_time;
DROP INDEX access_log_by_time;

CREATE TABLE journal_shares_old (
    id            TEXT PRIMARY KEY NOT NULL,
    entry_id      TEXT NOT NULL REFERENCES journal_entries (id) ON DELETE CASCADE,
    client_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    therapist_id  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    shared_at     TEXT NOT NULL,
    expires_at    TEXT,
    revoked_at    TEXT,
    read_at       TEXT,
    discussed_at  TEXT
);
INSERT INTO journal_shares_old
SELECT id, entry_id, client_id, therapist_id, shared_at, expires_at, revoked_at, read_at, discussed_at
  FROM journal_shares;
DROP TABLE journal_shares;
ALTER TABLE journal_shares_old RENAME TO journal_shares;
CREATE UNIQUE INDEX journal_shares_one_live_per_entry ON journal_shares (entry_id) WHERE revoked_at IS NULL;
CREATE INDEX journal_shares_inbox ON journal_shares (therapist_id, client_id, id DESC) WHERE revoked_at IS NULL;

CREATE TABLE outbox_old (
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
INSERT INTO outbox_old
SELECT id, dedupe_key, kind, recipient, payload, state, run_at, attempts, max_attempts,
       last_error, lease_owner, lease_until, created_at, updated_at, sent_at
  FROM outbox
 WHERE superseded_at IS NULL AND state IN ('queued', 'running', 'sent', 'dead');
DROP TABLE outbox;
ALTER TABLE outbox_old RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (run_at) WHERE state = 'queued';
CREATE INDEX outbox_leased ON outbox (lease_until) WHERE state = 'running';
