DROP TABLE security_events;
DROP TABLE access_log;
DROP TABLE refresh_tokens;
DROP TABLE sessions;
DROP TABLE email_tokens;
DROP TABLE invitations;
DROP TABLE care_links;
DROP TABLE users;
