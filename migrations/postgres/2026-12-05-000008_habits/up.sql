-- When a client's day begins, in minutes after local midnight (0 to 360):
-- a night owl's 01:00 counts for the day before when it is 180.
ALTER TABLE users ADD COLUMN day_starts_at integer NOT NULL DEFAULT 0
    CHECK (day_starts_at BETWEEN 0 AND 360);

-- A client's habit. `measure` is yes_no, or numeric with a target to
-- reach (at_least) or to stay under (at_most); `frequency` is the JSON of
-- the API's Frequency (daily, weekdays, times_per_period).
CREATE TABLE habits (
    id               uuid PRIMARY KEY,
    client_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name             text NOT NULL,
    description      text,
    color            text,
    icon             text,
    measure          text NOT NULL CHECK (measure IN ('yes_no', 'at_least', 'at_most')),
    unit             text,
    target           double precision CHECK (target > 0),
    frequency        text NOT NULL,
    reminder_time    text,
    -- The client's local date when it was created.
    created_on       date NOT NULL,
    -- The first day counted: the earlier of created_on and the first check-in.
    starts_on        date NOT NULL,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    archived_at      timestamptz,
    CHECK ((measure = 'yes_no') = (target IS NULL))
);
CREATE INDEX habits_by_client ON habits (client_id, id);

-- One per habit per local date; written again, it is replaced.
CREATE TABLE habit_check_ins (
    habit_id    uuid NOT NULL REFERENCES habits (id) ON DELETE CASCADE,
    on_date     date NOT NULL,
    status      text NOT NULL CHECK (status IN ('done', 'not_done', 'skip')),
    amount      double precision,
    note        text,
    updated_at  timestamptz NOT NULL,
    PRIMARY KEY (habit_id, on_date)
);

-- Derived from the check-ins, never the truth: the state of the score and
-- streaks at the end of a month, so reads start there instead of at the
-- first check-in. A check-in written on a date drops every checkpoint on
-- or after it; they are rebuilt from the check-ins.
CREATE TABLE habit_checkpoints (
    habit_id  uuid NOT NULL REFERENCES habits (id) ON DELETE CASCADE,
    through   date NOT NULL,
    state     text NOT NULL,
    PRIMARY KEY (habit_id, through)
);

-- A therapist's suggestion; nothing reaches the client's habits until they
-- accept it.
CREATE TABLE habit_suggestions (
    id             uuid PRIMARY KEY,
    therapist_id   uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    link_id        uuid NOT NULL REFERENCES care_links (id) ON DELETE CASCADE,
    -- The habit as suggested (the same JSON a client would send).
    definition     text NOT NULL,
    note           text,
    status         text NOT NULL CHECK (status IN ('pending', 'accepted', 'declined')),
    habit_id       uuid REFERENCES habits (id) ON DELETE SET NULL,
    created_at     timestamptz NOT NULL,
    decided_at     timestamptz
);
CREATE INDEX habit_suggestions_by_client ON habit_suggestions (client_id, id DESC);
CREATE INDEX habit_suggestions_by_therapist ON habit_suggestions (therapist_id, id DESC);

-- Mood and the basics, once per local date.
CREATE TABLE daily_check_ins (
    client_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    on_date      date NOT NULL,
    mood         integer CHECK (mood BETWEEN 1 AND 5),
    energy       integer CHECK (energy BETWEEN 1 AND 5),
    sleep_hours  double precision CHECK (sleep_hours BETWEEN 0 AND 24),
    -- Normalised tags, JSON array.
    tags         text NOT NULL,
    note         text,
    updated_at   timestamptz NOT NULL,
    PRIMARY KEY (client_id, on_date)
);

-- What a client shows their therapist of their tracking: one habit, or the
-- daily check-in series (habit_id NULL). Like journal shares: under a care
-- link, revocable, optionally expiring.
CREATE TABLE tracking_shares (
    id            uuid PRIMARY KEY,
    client_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    habit_id      uuid REFERENCES habits (id) ON DELETE CASCADE,
    therapist_id  uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    link_id       uuid NOT NULL REFERENCES care_links (id) ON DELETE CASCADE,
    shared_at     timestamptz NOT NULL,
    expires_at    timestamptz,
    revoked_at    timestamptz,
    read_at       timestamptz
);
CREATE INDEX tracking_shares_by_link ON tracking_shares (link_id, habit_id);
CREATE INDEX tracking_shares_by_client ON tracking_shares (client_id, habit_id);
