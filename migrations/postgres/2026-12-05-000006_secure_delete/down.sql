-- SQLite only (its search index keeps deleted words unless told not to).
-- PostgreSQL's tsvector index entries go with the row; VACUUM reclaims them.
SELECT 1;
