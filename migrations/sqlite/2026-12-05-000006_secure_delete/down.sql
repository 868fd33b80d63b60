INSERT INTO journal_entries_fts (journal_entries_fts, rank) VALUES ('secure-delete', 0);
