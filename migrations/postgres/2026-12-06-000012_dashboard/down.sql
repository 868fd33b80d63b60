DROP INDEX exercise_responses_visible;
ALTER TABLE exercise_responses DROP COLUMN read_at;
