-- Instants are RFC 3339 UTC text with microseconds; ids are hyphenated UUID text; dates are YYYY-MM-DD text.
-- Exercise templates: a therapist's own (owner_id) or the starter library
-- that ships with the service (owner_id NULL, read-only). Every edit makes a
-- new version; assignments keep the version they were given.
CREATE TABLE exercise_templates (
    id               TEXT PRIMARY KEY NOT NULL,
    owner_id         TEXT REFERENCES users (id) ON DELETE CASCADE,
    copied_from      TEXT REFERENCES exercise_templates (id) ON DELETE SET NULL,
    current_version  INTEGER NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    archived_at      TEXT
);
CREATE INDEX exercise_templates_by_owner ON exercise_templates (owner_id, id DESC);

CREATE TABLE exercise_template_versions (
    template_id       TEXT NOT NULL REFERENCES exercise_templates (id) ON DELETE CASCADE,
    version           INTEGER NOT NULL,
    title             TEXT NOT NULL,
    purpose           TEXT NOT NULL,
    instructions      TEXT NOT NULL,
    duration_minutes  INTEGER,
    category          TEXT NOT NULL CHECK (category IN ('reflection', 'trigger', 'question', 'creative', 'body', 'connection', 'grounding', 'cognitive', 'behavioural', 'other')),
    -- The ordered, typed fields as JSON.
    fields            TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    PRIMARY KEY (template_id, version)
);

-- A template version assigned to a client under a care link. Therapist
-- reads join the link, so ending it hides (and ends) every assignment.
CREATE TABLE assignments (
    id                TEXT PRIMARY KEY NOT NULL,
    therapist_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    link_id           TEXT NOT NULL REFERENCES care_links (id) ON DELETE CASCADE,
    template_id       TEXT NOT NULL,
    template_version  INTEGER NOT NULL,
    instructions      TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('active', 'paused', 'ended')),
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    ended_at          TEXT,
    FOREIGN KEY (template_id, template_version) REFERENCES exercise_template_versions (template_id, version)
);
CREATE INDEX assignments_by_client ON assignments (client_id, id DESC);
CREATE INDEX assignments_by_therapist ON assignments (therapist_id, client_id, id DESC);

-- Each change of schedule, pause or resume starts a segment on the client's
-- local date; past occurrences keep the segment they fell in.
CREATE TABLE assignment_schedules (
    id              TEXT PRIMARY KEY NOT NULL,
    assignment_id   TEXT NOT NULL REFERENCES assignments (id) ON DELETE CASCADE,
    effective_from  TEXT NOT NULL,
    schedule        TEXT NOT NULL,
    paused          INTEGER NOT NULL,
    created_at      TEXT NOT NULL
);
CREATE INDEX assignment_schedules_by_assignment ON assignment_schedules (assignment_id, effective_from, id);

CREATE TABLE exercise_responses (
    id                TEXT PRIMARY KEY NOT NULL,
    assignment_id     TEXT NOT NULL REFERENCES assignments (id) ON DELETE CASCADE,
    client_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The local TEXT of the occurrence it answers.
    occurrence_on     TEXT NOT NULL,
    template_version  INTEGER NOT NULL,
    answers           TEXT NOT NULL,
    helpfulness       INTEGER CHECK (helpfulness BETWEEN 1 AND 5),
    note              text,
    private           INTEGER NOT NULL,
    on_time           INTEGER NOT NULL,
    submitted_at      TEXT NOT NULL
);
CREATE INDEX exercise_responses_by_occurrence ON exercise_responses (assignment_id, occurrence_on);
CREATE INDEX exercise_responses_by_assignment ON exercise_responses (assignment_id, id DESC);

CREATE TABLE exercise_drafts (
    assignment_id  TEXT PRIMARY KEY NOT NULL REFERENCES assignments (id) ON DELETE CASCADE,
    client_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    answers        TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);

CREATE TABLE exercise_comments (
    id            TEXT PRIMARY KEY NOT NULL,
    response_id   TEXT NOT NULL REFERENCES exercise_responses (id) ON DELETE CASCADE,
    therapist_id  TEXT REFERENCES users (id) ON DELETE SET NULL,
    body          TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX exercise_comments_by_response ON exercise_comments (response_id, id);
