-- Deleting an entry removes its words from the search index too, not only
-- the link from the index to the entry (FTS5 secure-delete, SQLite 3.42+).
INSERT INTO journal_entries_fts (journal_entries_fts, rank) VALUES ('secure-delete', 1);
