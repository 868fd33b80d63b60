-- Typed, schedulable jobs: the template column names the email's kind; a job
-- can be cancelled or replaced by its dedupe key, which frees the key
-- (superseded_at) while the old row stays as history; a job nobody wants
-- any more ends 'skipped'.
ALTER TABLE outbox RENAME COLUMN template TO kind;
ALTER TABLE outbox ADD COLUMN superseded_at timestamptz;
ALTER TABLE outbox DROP CONSTRAINT outbox_dedupe_key_key;
CREATE UNIQUE INDEX outbox_dedupe ON outbox (dedupe_key) WHERE superseded_at IS NULL;
ALTER TABLE outbox DROP CONSTRAINT outbox_state_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_state_check
    CHECK (state IN ('queued', 'running', 'sent', 'dead', 'skipped', 'cancelled'));
CREATE INDEX outbox_finished ON outbox (updated_at) WHERE state IN ('sent', 'dead', 'skipped', 'cancelled');

-- A share belongs to the care link it was made under: a therapist sees it
-- only while that link is live, so ending a link needs no cascade.
ALTER TABLE journal_shares ADD COLUMN link_id uuid REFERENCES care_links (id) ON DELETE CASCADE;
UPDATE journal_shares s SET link_id = (
    SELECT l.id FROM care_links l
     WHERE l.therapist_id = s.therapist_id AND l.client_id = s.client_id
     ORDER BY l.started_at DESC LIMIT 1);
DELETE FROM journal_shares WHERE link_id IS NULL;
ALTER TABLE journal_shares ALTER COLUMN link_id SET NOT NULL;
DROP INDEX journal_shares_inbox;
CREATE INDEX journal_shares_by_link ON journal_shares (link_id, id DESC) WHERE revoked_at IS NULL;

-- Retention passes trim by time.
CREATE INDEX access_log_by_time ON access_log (at);
CREATE INDEX idempotency_keys_by_time ON idempotency_keys (created_at);
