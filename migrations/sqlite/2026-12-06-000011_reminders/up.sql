-- Instants are RFC 3339 UTC text with microseconds; ids are hyphenated UUID text.
-- Reminders are outbox jobs; `topic` names what a job is about (see the
-- PostgreSQL migration).
ALTER TABLE outbox ADD COLUMN topic TEXT;
CREATE INDEX outbox_topic ON outbox (topic, state) WHERE topic IS NOT NULL;

CREATE TABLE notification_preferences (
    user_id    TEXT PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    settings   TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE mail_opt_outs (
    address    TEXT NOT NULL,
    kind       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (address, kind)
);

CREATE TABLE consultation_links (
    token_hash      TEXT PRIMARY KEY NOT NULL,
    consultation_id TEXT NOT NULL REFERENCES consultations (id) ON DELETE CASCADE,
    sequence        INTEGER NOT NULL,
    created_at      TEXT NOT NULL
);
CREATE INDEX consultation_links_by_consultation ON consultation_links (consultation_id);
