DROP TABLE rate_limits;
DROP INDEX idempotency_keys_by_resource;
ALTER TABLE idempotency_keys DROP COLUMN resource_id;
