-- Instants are RFC 3339 UTC text with microseconds; ids are hyphenated UUID text.
-- People, how they prove who they are, who may see whom, and who saw what.
CREATE TABLE users (
    id                  TEXT PRIMARY KEY NOT NULL,
    email               TEXT NOT NULL UNIQUE,
    password_hash       TEXT NOT NULL,
    display_name        TEXT NOT NULL,
    role                TEXT NOT NULL CHECK (role IN ('therapist', 'client', 'admin')),
    time_zone           TEXT NOT NULL,
    email_verified_at   TEXT,
    disabled_at         TEXT,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);

-- A client has at most one active therapist; ended links are kept as history.
CREATE TABLE care_links (
    id            TEXT PRIMARY KEY NOT NULL,
    therapist_id  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    started_at    TEXT NOT NULL,
    ended_at      TEXT,
    ended_by      TEXT REFERENCES users (id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX care_links_one_active_per_client ON care_links (client_id) WHERE ended_at IS NULL;
CREATE INDEX care_links_active_by_therapist ON care_links (therapist_id) WHERE ended_at IS NULL;

CREATE TABLE invitations (
    id            TEXT PRIMARY KEY NOT NULL,
    therapist_id  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email         TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    accepted_at   TEXT,
    revoked_at    TEXT,
    client_id     TEXT REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX invitations_by_therapist ON invitations (therapist_id, created_at);

-- Single-use secrets sent by email (verification, password reset); only hashes are kept.
CREATE TABLE email_tokens (
    id          TEXT PRIMARY KEY NOT NULL,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose     TEXT NOT NULL CHECK (purpose IN ('verify_email', 'password_reset')),
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT
);
CREATE INDEX email_tokens_by_user ON email_tokens (user_id, purpose);

-- A login. Access tokens name their session, so revoking it ends them at once.
CREATE TABLE sessions (
    id              TEXT PRIMARY KEY NOT NULL,
    user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at      TEXT NOT NULL,
    last_used_at    TEXT NOT NULL,
    expires_at      TEXT NOT NULL,
    revoked_at      TEXT,
    revoked_reason  TEXT
);
CREATE INDEX sessions_by_user ON sessions (user_id) WHERE revoked_at IS NULL;

-- Every refresh token ever issued (hashed). Presenting a rotated one is reuse.
CREATE TABLE refresh_tokens (
    id          TEXT PRIMARY KEY NOT NULL,
    session_id  TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL,
    rotated_at  TEXT
);

-- Append-only: every read of client data by someone other than the client.
CREATE TABLE access_log (
    id           TEXT PRIMARY KEY NOT NULL,
    client_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    actor_id     TEXT REFERENCES users (id) ON DELETE SET NULL,
    actor_role   TEXT NOT NULL,
    resource     TEXT NOT NULL,
    resource_id  TEXT,
    action       TEXT NOT NULL,
    request_id   TEXT,
    at           TEXT NOT NULL
);
CREATE INDEX access_log_by_client ON access_log (client_id, at, id);

CREATE TABLE security_events (
    id          TEXT PRIMARY KEY NOT NULL,
    kind        TEXT NOT NULL,
    user_id     TEXT REFERENCES users (id) ON DELETE SET NULL,
    ip          TEXT,
    request_id  TEXT,
    detail      TEXT,
    at          TEXT NOT NULL
);
CREATE INDEX security_events_by_time ON security_events (at);
