DROP INDEX idempotency_keys_by_time;
DROP INDEX access_log_by_time;

DROP INDEX journal_shares_by_link;
CREATE INDEX journal_shares_inbox ON journal_shares (therapist_id, client_id, id DESC) WHERE revoked_at IS NULL;
ALTER TABLE journal_shares DROP COLUMN link_id;

DROP INDEX outbox_finished;
DELETE FROM outbox WHERE superseded_at IS NOT NULL OR state IN ('skipped', 'cancelled');
ALTER TABLE outbox DROP CONSTRAINT outbox_state_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_state_check CHECK (state IN ('queued', 'running', 'sent', 'dead'));
DROP INDEX outbox_dedupe;
ALTER TABLE outbox ADD CONSTRAINT outbox_dedupe_key_key UNIQUE (dedupe_key);
ALTER TABLE outbox DROP COLUMN superseded_at;
ALTER TABLE outbox RENAME COLUMN kind TO template;
