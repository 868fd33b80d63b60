-- Exercise templates: a therapist's own (owner_id) or the starter library
-- that ships with the service (owner_id NULL, read-only). Every edit makes a
-- new version; assignments keep the version they were given.
CREATE TABLE exercise_templates (
    id               uuid PRIMARY KEY,
    owner_id         uuid REFERENCES users (id) ON DELETE CASCADE,
    copied_from      uuid REFERENCES exercise_templates (id) ON DELETE SET NULL,
    current_version  integer NOT NULL,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    archived_at      timestamptz
);
CREATE INDEX exercise_templates_by_owner ON exercise_templates (owner_id, id DESC);

CREATE TABLE exercise_template_versions (
    template_id       uuid NOT NULL REFERENCES exercise_templates (id) ON DELETE CASCADE,
    version           integer NOT NULL,
    title             text NOT NULL,
    purpose           text NOT NULL,
    instructions      text NOT NULL,
    duration_minutes  integer,
    category          text NOT NULL CHECK (category IN ('reflection', 'trigger', 'question', 'creative', 'body', 'connection', 'grounding', 'cognitive', 'behavioural', 'other')),
    -- The ordered, typed fields as JSON.
    fields            text NOT NULL,
    created_at        timestamptz NOT NULL,
    PRIMARY KEY (template_id, version)
);

-- A template version assigned to a client under a care link. Therapist
-- reads join the link, so ending it hides (and ends) every assignment.
CREATE TABLE assignments (
    id                uuid PRIMARY KEY,
    therapist_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    link_id           uuid NOT NULL REFERENCES care_links (id) ON DELETE CASCADE,
    template_id       uuid NOT NULL,
    template_version  integer NOT NULL,
    instructions      text NOT NULL,
    status            text NOT NULL CHECK (status IN ('active', 'paused', 'ended')),
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    ended_at          timestamptz,
    FOREIGN KEY (template_id, template_version) REFERENCES exercise_template_versions (template_id, version)
);
CREATE INDEX assignments_by_client ON assignments (client_id, id DESC);
CREATE INDEX assignments_by_therapist ON assignments (therapist_id, client_id, id DESC);

-- Each change of schedule, pause or resume starts a segment on the client's
-- local date; past occurrences keep the segment they fell in.
CREATE TABLE assignment_schedules (
    id              uuid PRIMARY KEY,
    assignment_id   uuid NOT NULL REFERENCES assignments (id) ON DELETE CASCADE,
    effective_from  date NOT NULL,
    schedule        text NOT NULL,
    paused          boolean NOT NULL,
    created_at      timestamptz NOT NULL
);
CREATE INDEX assignment_schedules_by_assignment ON assignment_schedules (assignment_id, effective_from, id);

CREATE TABLE exercise_responses (
    id                uuid PRIMARY KEY,
    assignment_id     uuid NOT NULL REFERENCES assignments (id) ON DELETE CASCADE,
    client_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The local date of the occurrence it answers.
    occurrence_on     date NOT NULL,
    template_version  integer NOT NULL,
    answers           text NOT NULL,
    helpfulness       integer CHECK (helpfulness BETWEEN 1 AND 5),
    note              text,
    private           boolean NOT NULL,
    on_time           boolean NOT NULL,
    submitted_at      timestamptz NOT NULL
);
CREATE INDEX exercise_responses_by_occurrence ON exercise_responses (assignment_id, occurrence_on);
CREATE INDEX exercise_responses_by_assignment ON exercise_responses (assignment_id, id DESC);

CREATE TABLE exercise_drafts (
    assignment_id  uuid PRIMARY KEY REFERENCES assignments (id) ON DELETE CASCADE,
    client_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    answers        text NOT NULL,
    updated_at     timestamptz NOT NULL
);

CREATE TABLE exercise_comments (
    id            uuid PRIMARY KEY,
    response_id   uuid NOT NULL REFERENCES exercise_responses (id) ON DELETE CASCADE,
    therapist_id  uuid REFERENCES users (id) ON DELETE SET NULL,
    body          text NOT NULL,
    created_at    timestamptz NOT NULL
);
CREATE INDEX exercise_comments_by_response ON exercise_comments (response_id, id);
