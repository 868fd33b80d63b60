DROP TABLE tracking_shares;
DROP TABLE daily_check_ins;
DROP TABLE habit_suggestions;
DROP TABLE habit_checkpoints;
DROP TABLE habit_check_ins;
DROP TABLE habits;
ALTER TABLE users DROP COLUMN day_starts_at;
