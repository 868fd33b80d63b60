-- Instants are RFC 3339 UTC text with microseconds; ids are hyphenated UUID text.
-- A client's journal, private by default.
CREATE TABLE journal_entries (
    id             TEXT PRIMARY KEY NOT NULL,
    client_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind           TEXT NOT NULL CHECK (kind IN ('free', 'session_takeaway', 'trigger', 'question_for_session')),
    title          TEXT,
    body           TEXT NOT NULL,
    mood           INTEGER CHECK (mood BETWEEN 1 AND 5),
    -- Normalised tags as a JSON array, for display; journal_entry_tags is for filtering.
    tags           TEXT NOT NULL DEFAULT '[]',
    assignment_id  TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX journal_entries_by_client ON journal_entries (client_id, id DESC);

-- Full-text search (FTS5), kept in step by triggers.
CREATE VIRTUAL TABLE journal_entries_fts USING fts5(entry_id UNINDEXED, title, body, tokenize = 'unicode61');
CREATE TRIGGER journal_entries_fts_insert AFTER INSERT ON journal_entries BEGIN
    INSERT INTO journal_entries_fts (entry_id, title, body) VALUES (new.id, coalesce(new.title, ''), new.body);
END;
CREATE TRIGGER journal_entries_fts_update AFTER UPDATE OF title, body ON journal_entries BEGIN
    DELETE FROM journal_entries_fts WHERE entry_id = old.id;
    INSERT INTO journal_entries_fts (entry_id, title, body) VALUES (new.id, coalesce(new.title, ''), new.body);
END;
CREATE TRIGGER journal_entries_fts_delete AFTER DELETE ON journal_entries BEGIN
    DELETE FROM journal_entries_fts WHERE entry_id = old.id;
END;

CREATE TABLE journal_entry_tags (
    entry_id  TEXT NOT NULL REFERENCES journal_entries (id) ON DELETE CASCADE,
    tag       TEXT NOT NULL,
    PRIMARY KEY (entry_id, tag)
);
CREATE INDEX journal_entry_tags_by_tag ON journal_entry_tags (tag, entry_id);

-- An entry shared with the client's therapist of the time. Revoking keeps the
-- row (read state, history); at most one live share per entry.
CREATE TABLE journal_shares (
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
CREATE UNIQUE INDEX journal_shares_one_live_per_entry ON journal_shares (entry_id) WHERE revoked_at IS NULL;
CREATE INDEX journal_shares_inbox ON journal_shares (therapist_id, client_id, id DESC) WHERE revoked_at IS NULL;

CREATE TABLE journal_replies (
    id            TEXT PRIMARY KEY NOT NULL,
    entry_id      TEXT NOT NULL REFERENCES journal_entries (id) ON DELETE CASCADE,
    therapist_id  TEXT REFERENCES users (id) ON DELETE SET NULL,
    body          TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX journal_replies_by_entry ON journal_replies (entry_id, id);

-- Creating requests retried with the same Idempotency-Key get the first answer.
CREATE TABLE idempotency_keys (
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key           TEXT NOT NULL,
    request_hash  TEXT NOT NULL,
    status        INTEGER NOT NULL,
    body          TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    PRIMARY KEY (user_id, key)
);
