DROP TABLE consultation_links;
DROP TABLE mail_opt_outs;
DROP TABLE notification_preferences;
DROP INDEX outbox_topic;
ALTER TABLE outbox DROP COLUMN topic;
