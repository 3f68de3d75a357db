-- Full-text search over ticket subjects and message bodies (FTS5).
-- Both indexes are external-content tables: they store only the index, the
-- text stays in tickets/messages, and triggers keep them in step with every
-- INSERT, UPDATE of the indexed column and DELETE (cascades included).
-- unicode61 with diacritics folded works for any language written with spaces.

CREATE VIRTUAL TABLE tickets_fts USING fts5(
    subject, content='tickets', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
);

-- Messages are searched by their visible text: what the sender wrote, without
-- the quoted history (which would make every reply match the whole thread).
CREATE VIRTUAL TABLE messages_fts USING fts5(
    visible_text, content='messages', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
);

CREATE TRIGGER tickets_fts_ai AFTER INSERT ON tickets BEGIN
    INSERT INTO tickets_fts (rowid, subject) VALUES (new.id, new.subject);
END;

CREATE TRIGGER tickets_fts_ad AFTER DELETE ON tickets BEGIN
    INSERT INTO tickets_fts (tickets_fts, rowid, subject) VALUES ('delete', old.id, old.subject);
END;

CREATE TRIGGER tickets_fts_au AFTER UPDATE OF subject ON tickets BEGIN
    INSERT INTO tickets_fts (tickets_fts, rowid, subject) VALUES ('delete', old.id, old.subject);
    INSERT INTO tickets_fts (rowid, subject) VALUES (new.id, new.subject);
END;

CREATE TRIGGER messages_fts_ai AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts (rowid, visible_text) VALUES (new.id, new.visible_text);
END;

CREATE TRIGGER messages_fts_ad AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, visible_text) VALUES ('delete', old.id, old.visible_text);
END;

CREATE TRIGGER messages_fts_au AFTER UPDATE OF visible_text ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, visible_text) VALUES ('delete', old.id, old.visible_text);
    INSERT INTO messages_fts (rowid, visible_text) VALUES (new.id, new.visible_text);
END;

-- Backfill what was stored before this migration.
INSERT INTO tickets_fts (tickets_fts) VALUES ('rebuild');
INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');

-- The outbound queue depth (a metric read at every scrape) counts only the
-- few messages still waiting, through this small partial index.
CREATE INDEX messages_delivery_pending ON messages (delivery_status) WHERE delivery_status IN ('queued', 'sending');
