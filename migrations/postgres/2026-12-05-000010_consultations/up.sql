-- Free consultations booked by anyone, without an account. A booking is
-- held until its link is used (or the hold expires), then confirmed.
-- `blocked_from`/`blocked_until` are its span with the buffers in force when
-- it was booked; live bookings (held or confirmed) of one therapist never
-- overlap there: the database refuses it (exclusion constraint), not only a
-- check before the insert. `token_hash` is the SHA-256 of the link in the
-- latest email: the confirmation link while held, the manage link after.
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE TABLE consultations (
    id               uuid PRIMARY KEY,
    therapist_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    starts_at        timestamptz NOT NULL,
    ends_at          timestamptz NOT NULL,
    blocked_from     timestamptz NOT NULL,
    blocked_until    timestamptz NOT NULL,
    status           text NOT NULL CHECK (status IN ('held', 'confirmed', 'cancelled', 'expired', 'completed', 'no_show')),
    hold_expires_at  timestamptz,
    name             text NOT NULL,
    email            text NOT NULL,
    time_zone        text NOT NULL,
    note             text,
    token_hash       text,
    sequence         integer NOT NULL,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    CHECK (starts_at < ends_at AND blocked_from <= starts_at AND ends_at <= blocked_until),
    CONSTRAINT consultations_no_overlap EXCLUDE USING gist (
        therapist_id WITH =,
        tstzrange(blocked_from, blocked_until, '[)') WITH &&
    ) WHERE (status IN ('held', 'confirmed'))
);
CREATE INDEX consultations_by_therapist ON consultations (therapist_id, starts_at);
-- One hold waits per address (a new booking replaces the earlier one).
CREATE UNIQUE INDEX consultations_one_hold_per_email ON consultations (email) WHERE status = 'held';
CREATE UNIQUE INDEX consultations_by_token ON consultations (token_hash);
