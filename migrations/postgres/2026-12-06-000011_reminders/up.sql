-- Reminders are outbox jobs. A job about one thing (a habit, an assignment,
-- a consultation, a therapist's digest, a client's weekly summary) names it
-- in `topic`, so a change to that thing finds and replaces the jobs not yet
-- sent. The column is read and written by raw SQL only.
ALTER TABLE outbox ADD COLUMN topic text;
CREATE INDEX outbox_topic ON outbox (topic, state) WHERE topic IS NOT NULL;

-- Each person's reminder settings (JSON; defaults when there is no row).
CREATE TABLE notification_preferences (
    user_id    uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    settings   text NOT NULL,
    updated_at timestamptz NOT NULL
);

-- Reminder kinds turned off by people without an account (a consultation's
-- booker), by address.
CREATE TABLE mail_opt_outs (
    address    text NOT NULL,
    kind       text NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (address, kind)
);

-- More manage links of a consultation (a reminder carries its own, so the
-- confirmation's link keeps working): each works while the booking's
-- sequence is the one it was issued for (a move or a cancellation ends it).
CREATE TABLE consultation_links (
    token_hash      text PRIMARY KEY,
    consultation_id uuid NOT NULL REFERENCES consultations (id) ON DELETE CASCADE,
    sequence        integer NOT NULL,
    created_at      timestamptz NOT NULL
);
CREATE INDEX consultation_links_by_consultation ON consultation_links (consultation_id);
