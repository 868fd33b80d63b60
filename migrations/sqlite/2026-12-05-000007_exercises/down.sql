DROP TABLE exercise_comments;
DROP TABLE exercise_drafts;
DROP TABLE exercise_responses;
DROP TABLE assignment_schedules;
DROP TABLE assignments;
DROP TABLE exercise_template_versions;
DROP TABLE exercise_templates;
