-- The therapist's read state of a response, as journal and tracking shares
-- have theirs: set when the therapist opens it.
ALTER TABLE exercise_responses ADD COLUMN read_at TEXT;

-- The dashboard's per-client figures read only visible (not private)
-- responses: unread ones and the latest.
CREATE INDEX exercise_responses_visible ON exercise_responses (assignment_id, submitted_at, read_at)
    WHERE NOT private;
