-- Instants are RFC 3339 UTC text with microseconds; ids are hyphenated UUID text.
-- Free consultations booked by anyone, without an account (see the
-- PostgreSQL migration). SQLite has no exclusion constraint: bookings are
-- written in an immediate transaction that checks the overlap first, and a
-- unique index on the start of live bookings is the backstop.
CREATE TABLE consultations (
    id               TEXT PRIMARY KEY NOT NULL,
    therapist_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    starts_at        TEXT NOT NULL,
    ends_at          TEXT NOT NULL,
    blocked_from     TEXT NOT NULL,
    blocked_until    TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('held', 'confirmed', 'cancelled', 'expired', 'completed', 'no_show')),
    hold_expires_at  TEXT,
    name             TEXT NOT NULL,
    email            TEXT NOT NULL,
    time_zone        TEXT NOT NULL,
    note             TEXT,
    token_hash       TEXT,
    sequence         INTEGER NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    CHECK (starts_at < ends_at AND blocked_from <= starts_at AND ends_at <= blocked_until)
);
CREATE INDEX consultations_by_therapist ON consultations (therapist_id, starts_at);
-- One hold waits per address (a new booking replaces the earlier one).
CREATE UNIQUE INDEX consultations_one_hold_per_email ON consultations (email) WHERE status = 'held';
CREATE UNIQUE INDEX consultations_by_token ON consultations (token_hash);
CREATE UNIQUE INDEX consultations_live_start ON consultations (therapist_id, starts_at)
    WHERE status IN ('held', 'confirmed');
