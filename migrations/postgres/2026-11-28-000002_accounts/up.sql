-- People, how they prove who they are, who may see whom, and who saw what.
CREATE TABLE users (
    id                  uuid PRIMARY KEY,
    email               text NOT NULL UNIQUE,
    password_hash       text NOT NULL,
    display_name        text NOT NULL,
    role                text NOT NULL CHECK (role IN ('therapist', 'client', 'admin')),
    time_zone           text NOT NULL,
    email_verified_at   timestamptz,
    disabled_at         timestamptz,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL
);

-- A client has at most one active therapist; ended links are kept as history.
CREATE TABLE care_links (
    id            uuid PRIMARY KEY,
    therapist_id  uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    started_at    timestamptz NOT NULL,
    ended_at      timestamptz,
    ended_by      uuid REFERENCES users (id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX care_links_one_active_per_client ON care_links (client_id) WHERE ended_at IS NULL;
CREATE INDEX care_links_active_by_therapist ON care_links (therapist_id) WHERE ended_at IS NULL;

CREATE TABLE invitations (
    id            uuid PRIMARY KEY,
    therapist_id  uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email         text NOT NULL,
    token_hash    text NOT NULL UNIQUE,
    created_at    timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL,
    accepted_at   timestamptz,
    revoked_at    timestamptz,
    client_id     uuid REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX invitations_by_therapist ON invitations (therapist_id, created_at);

-- Single-use secrets sent by email (verification, password reset); only hashes are kept.
CREATE TABLE email_tokens (
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose     text NOT NULL CHECK (purpose IN ('verify_email', 'password_reset')),
    token_hash  text NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);
CREATE INDEX email_tokens_by_user ON email_tokens (user_id, purpose);

-- A login. Access tokens name their session, so revoking it ends them at once.
CREATE TABLE sessions (
    id              uuid PRIMARY KEY,
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at      timestamptz NOT NULL,
    last_used_at    timestamptz NOT NULL,
    expires_at      timestamptz NOT NULL,
    revoked_at      timestamptz,
    revoked_reason  text
);
CREATE INDEX sessions_by_user ON sessions (user_id) WHERE revoked_at IS NULL;

-- Every refresh token ever issued (hashed). Presenting a rotated one is reuse.
CREATE TABLE refresh_tokens (
    id          uuid PRIMARY KEY,
    session_id  uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    token_hash  text NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL,
    rotated_at  timestamptz
);

-- Append-only: every read of client data by someone other than the client.
CREATE TABLE access_log (
    id           uuid PRIMARY KEY,
    client_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    actor_id     uuid REFERENCES users (id) ON DELETE SET NULL,
    actor_role   text NOT NULL,
    resource     text NOT NULL,
    resource_id  uuid,
    action       text NOT NULL,
    request_id   text,
    at           timestamptz NOT NULL
);
CREATE INDEX access_log_by_client ON access_log (client_id, at, id);

CREATE TABLE security_events (
    id          uuid PRIMARY KEY,
    kind        text NOT NULL,
    user_id     uuid REFERENCES users (id) ON DELETE SET NULL,
    ip          text,
    request_id  text,
    detail      text,
    at          timestamptz NOT NULL
);
CREATE INDEX security_events_by_time ON security_events (at);
