-- A client's journal, private by default.
CREATE TABLE journal_entries (
    id             uuid PRIMARY KEY,
    client_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind           text NOT NULL CHECK (kind IN ('free', 'session_takeaway', 'trigger', 'question_for_session')),
    title          text,
    body           text NOT NULL,
    mood           integer CHECK (mood BETWEEN 1 AND 5),
    -- Normalised tags as a JSON array, for display; journal_entry_tags is for filtering.
    tags           text NOT NULL DEFAULT '[]',
    assignment_id  uuid,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    version        integer NOT NULL DEFAULT 1
);
CREATE INDEX journal_entries_by_client ON journal_entries (client_id, id DESC);
CREATE INDEX journal_entries_search ON journal_entries
    USING gin (to_tsvector('simple', coalesce(title, '') || ' ' || body));

CREATE TABLE journal_entry_tags (
    entry_id  uuid NOT NULL REFERENCES journal_entries (id) ON DELETE CASCADE,
    tag       text NOT NULL,
    PRIMARY KEY (entry_id, tag)
);
CREATE INDEX journal_entry_tags_by_tag ON journal_entry_tags (tag, entry_id);

-- An entry shared with the client's therapist of the time. Revoking keeps the
-- row (read state, history); at most one live share per entry.
CREATE TABLE journal_shares (
    id            uuid PRIMARY KEY,
    entry_id      uuid NOT NULL REFERENCES journal_entries (id) ON DELETE CASCADE,
    client_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    therapist_id  uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    shared_at     timestamptz NOT NULL,
    expires_at    timestamptz,
    revoked_at    timestamptz,
    read_at       timestamptz,
    discussed_at  timestamptz
);
CREATE UNIQUE INDEX journal_shares_one_live_per_entry ON journal_shares (entry_id) WHERE revoked_at IS NULL;
CREATE INDEX journal_shares_inbox ON journal_shares (therapist_id, client_id, id DESC) WHERE revoked_at IS NULL;

CREATE TABLE journal_replies (
    id            uuid PRIMARY KEY,
    entry_id      uuid NOT NULL REFERENCES journal_entries (id) ON DELETE CASCADE,
    therapist_id  uuid REFERENCES users (id) ON DELETE SET NULL,
    body          text NOT NULL,
    created_at    timestamptz NOT NULL
);
CREATE INDEX journal_replies_by_entry ON journal_replies (entry_id, id);

-- Creating requests retried with the same Idempotency-Key get the first answer.
CREATE TABLE idempotency_keys (
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key           text NOT NULL,
    request_hash  text NOT NULL,
    status        integer NOT NULL,
    body          text NOT NULL,
    created_at    timestamptz NOT NULL,
    PRIMARY KEY (user_id, key)
);
