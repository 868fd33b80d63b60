-- A stored answer to a retried create names what it created, so deleting
-- that deletes the copy too.
ALTER TABLE idempotency_keys ADD COLUMN resource_id uuid;
UPDATE idempotency_keys SET resource_id = (body::jsonb ->> 'id')::uuid
 WHERE body::jsonb ->> 'id' ~ '^[0-9a-f-]{36}$';
CREATE INDEX idempotency_keys_by_resource ON idempotency_keys (user_id, resource_id);

-- Rate-limit counters shared by every instance: one fixed window per
-- bucket and client address.
CREATE TABLE rate_limits (
    bucket        text NOT NULL,
    key           text NOT NULL,
    window_start  timestamptz NOT NULL,
    hits          integer NOT NULL,
    PRIMARY KEY (bucket, key)
);
CREATE INDEX rate_limits_by_window ON rate_limits (window_start);
