-- Instants are RFC 3339 UTC text with microseconds; ids are hyphenated UUID text; dates are YYYY-MM-DD text.
-- A therapist's public booking profile and consultation settings. Local
-- times are in the therapist's own time zone (users.time_zone); `weekly` is
-- the JSON of the API's Weekly (local ranges for each day of the week).
CREATE TABLE therapist_profiles (
    therapist_id           TEXT PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    slug                   TEXT NOT NULL UNIQUE,
    display_name           TEXT NOT NULL,
    bio                    TEXT NOT NULL,
    offers_consultations   INTEGER NOT NULL,
    duration_minutes       INTEGER NOT NULL CHECK (duration_minutes BETWEEN 10 AND 60),
    interval_minutes       INTEGER NOT NULL CHECK (interval_minutes BETWEEN 5 AND 60),
    buffer_before_minutes  INTEGER NOT NULL CHECK (buffer_before_minutes BETWEEN 0 AND 120),
    buffer_after_minutes   INTEGER NOT NULL CHECK (buffer_after_minutes BETWEEN 0 AND 120),
    notice_minutes         INTEGER NOT NULL CHECK (notice_minutes BETWEEN 0 AND 10080),
    horizon_days           INTEGER NOT NULL CHECK (horizon_days BETWEEN 1 AND 365),
    daily_cap              INTEGER NOT NULL CHECK (daily_cap BETWEEN 1 AND 50),
    cutoff_minutes         INTEGER NOT NULL CHECK (cutoff_minutes BETWEEN 0 AND 10080),
    weekly                 TEXT NOT NULL,
    created_at             TEXT NOT NULL,
    updated_at             TEXT NOT NULL
);

-- A local date whose availability replaces the weekly one (an empty list:
-- not available that day).
CREATE TABLE availability_overrides (
    therapist_id  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    on_date       TEXT NOT NULL,
    ranges        TEXT NOT NULL,
    PRIMARY KEY (therapist_id, on_date)
);
