-- Typed, schedulable jobs: the template column names the email's kind; a job
-- can be cancelled or replaced by its dedupe key, which frees the key
-- (superseded_at) while the old row stays as history; a job nobody wants
-- any more ends 'skipped'. SQLite cannot drop a column constraint, so the
-- table is rebuilt.
CREATE TABLE outbox_new (
    id             TEXT PRIMARY KEY NOT NULL,
    dedupe_key     TEXT NOT NULL,
    kind           TEXT NOT NULL,
    recipient      TEXT NOT NULL,
    payload        TEXT NOT NULL,
    state          TEXT NOT NULL DEFAULT 'queued'
                   CHECK (state IN ('queued', 'running', 'sent', 'dead', 'skipped', 'cancelled')),
    run_at         TEXT NOT NULL,
    attempts       INTEGER NOT NULL DEFAULT 0,
    max_attempts   INTEGER NOT NULL,
    last_error     TEXT,
    lease_owner    TEXT,
    lease_until    TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    sent_at        TEXT,
    superseded_at  TEXT
);
INSERT INTO outbox_new (id, dedupe_key, kind, recipient, payload, state, run_at, attempts,
                        max_attempts, last_error, lease_owner, lease_until, created_at,
                        updated_at, sent_at)
SELECT id, dedupe_key, template, recipient, payload, state, run_at, attempts, max_attempts,
       last_error, lease_owner, lease_until, created_at, updated_at, sent_at
  FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE UNIQUE INDEX outbox_dedupe ON outbox (dedupe_key) WHERE superseded_at IS NULL;
CREATE INDEX outbox_due ON outbox (run_at) WHERE state = 'queued';
CREATE INDEX outbox_leased ON outbox (lease_until) WHERE state = 'running';
CREATE INDEX outbox_finished ON outbox (updated_at) WHERE state IN ('sent', 'dead', 'skipped', 'cancelled');

-- A share belongs to the care link it was made under: a therapist sees it
-- only while that link is live, so ending a link needs no cascade.
CREATE TABLE journal_shares_new (
    id            TEXT PRIMARY KEY NOT NULL,
    entry_id      TEXT NOT NULL REFERENCES journal_entries (id) ON DELETE CASCADE,
    client_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    therapist_id  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    shared_at     TEXT NOT NULL,
    expires_at    TEXT,
    revoked_at    TEXT,
    read_at       TEXT,
    discussed_at  TEXT,
    link_id       TEXT NOT NULL REFERENCES care_links (id) ON DELETE CASCADE
);
INSERT INTO journal_shares_new
SELECT s.id, s.entry_id, s.client_id, s.therapist_id, s.shared_at, s.expires_at, s.revoked_at,
       s.read_at, s.discussed_at,
       (SELECT l.id FROM care_links l
         WHERE l.therapist_id = s.therapist_id AND l.client_id = s.client_id
         ORDER BY l.started_at DESC LIMIT 1)
  FROM journal_shares s
 WHERE EXISTS (SELECT 1 FROM care_links l
                WHERE l.therapist_id = s.therapist_id AND l.client_id = s.client_id);
DROP TABLE journal_shares;
ALTER TABLE journal_shares_new RENAME TO journal_shares;
CREATE UNIQUE INDEX journal_shares_one_live_per_entry ON journal_shares (entry_id) WHERE revoked_at IS NULL;
CREATE INDEX journal_shares_by_link ON journal_shares (link_id, id DESC) WHERE revoked_at IS NULL;

-- Retention passes trim by time.
CREATE INDEX access_log_by_time ON access_log (at);
CREATE INDEX idempotency_keys_by_time ON idempotency_keys (created_at);
