DROP TABLE idempotency_keys;
DROP TABLE journal_replies;
DROP TABLE journal_shares;
DROP TABLE journal_entry_tags;
DROP TABLE journal_entries;
