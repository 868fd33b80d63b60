-- A therapist's public booking profile and consultation settings. Local
-- times are in the therapist's own time zone (users.time_zone); `weekly` is
-- the JSON of the API's Weekly (local ranges for each day of the week).
CREATE TABLE therapist_profiles (
    therapist_id           uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    slug                   text NOT NULL UNIQUE,
    display_name           text NOT NULL,
    bio                    text NOT NULL,
    offers_consultations   boolean NOT NULL,
    duration_minutes       integer NOT NULL CHECK (duration_minutes BETWEEN 10 AND 60),
    interval_minutes       integer NOT NULL CHECK (interval_minutes BETWEEN 5 AND 60),
    buffer_before_minutes  integer NOT NULL CHECK (buffer_before_minutes BETWEEN 0 AND 120),
    buffer_after_minutes   integer NOT NULL CHECK (buffer_after_minutes BETWEEN 0 AND 120),
    notice_minutes         integer NOT NULL CHECK (notice_minutes BETWEEN 0 AND 10080),
    horizon_days           integer NOT NULL CHECK (horizon_days BETWEEN 1 AND 365),
    daily_cap              integer NOT NULL CHECK (daily_cap BETWEEN 1 AND 50),
    cutoff_minutes         integer NOT NULL CHECK (cutoff_minutes BETWEEN 0 AND 10080),
    weekly                 text NOT NULL,
    created_at             timestamptz NOT NULL,
    updated_at             timestamptz NOT NULL
);

-- A local date whose availability replaces the weekly one (an empty list:
-- not available that day).
CREATE TABLE availability_overrides (
    therapist_id  uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    on_date       date NOT NULL,
    ranges        text NOT NULL,
    PRIMARY KEY (therapist_id, on_date)
);
