-- A stored answer to a retried create names what it created, so deleting
-- that deletes the copy too.
ALTER TABLE idempotency_keys ADD COLUMN resource_id TEXT;
UPDATE idempotency_keys SET resource_id = json_extract(body, '$.id')
 WHERE json_valid(body) AND length(json_extract(body, '$.id')) = 36;
CREATE INDEX idempotency_keys_by_resource ON idempotency_keys (user_id, resource_id);

-- Rate-limit counters shared by every instance: one fixed window per
-- bucket and client address.
CREATE TABLE rate_limits (
    bucket        TEXT NOT NULL,
    key           TEXT NOT NULL,
    window_start  TEXT NOT NULL,
    hits          INTEGER NOT NULL,
    PRIMARY KEY (bucket, key)
);
CREATE INDEX rate_limits_by_window ON rate_limits (window_start);
