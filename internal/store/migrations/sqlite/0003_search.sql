-- Full-text search over ticket subjects and message bodies (FTS5).
-- One search document per ticket (rowid = ticket id): its subject and the
-- visible text of all its messages (what senders wrote, without the quoted
-- history). One document per ticket lets a search for a common word walk the
-- tickets by activity and stop after a page, instead of joining every
-- matching message. The table is contentless (the text stays in tickets and
-- messages); triggers rebuild a ticket's document on every insert, update of
-- the indexed columns and delete, so the index is always in step, inside the
-- writer's transaction. unicode61 with diacritics folded works for any
-- language written with spaces.

CREATE VIRTUAL TABLE ticket_fts USING fts5(
    body, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2'
);

CREATE TRIGGER ticket_fts_ticket_ai AFTER INSERT ON tickets BEGIN
    INSERT INTO ticket_fts (rowid, body) VALUES (new.id, new.subject);
END;

CREATE TRIGGER ticket_fts_ticket_au AFTER UPDATE OF subject ON tickets BEGIN
    DELETE FROM ticket_fts WHERE rowid = new.id;
    INSERT INTO ticket_fts (rowid, body)
        SELECT new.id, new.subject || ' ' || coalesce((SELECT group_concat(m.visible_text, ' ') FROM messages m WHERE m.ticket_id = new.id), '');
END;

CREATE TRIGGER ticket_fts_ticket_ad AFTER DELETE ON tickets BEGIN
    DELETE FROM ticket_fts WHERE rowid = old.id;
END;

CREATE TRIGGER ticket_fts_message_ai AFTER INSERT ON messages BEGIN
    DELETE FROM ticket_fts WHERE rowid = new.ticket_id;
    INSERT INTO ticket_fts (rowid, body)
        SELECT t.id, t.subject || ' ' || coalesce((SELECT group_concat(m.visible_text, ' ') FROM messages m WHERE m.ticket_id = t.id), '')
        FROM tickets t WHERE t.id = new.ticket_id;
END;

CREATE TRIGGER ticket_fts_message_au AFTER UPDATE OF visible_text, ticket_id ON messages BEGIN
    DELETE FROM ticket_fts WHERE rowid IN (old.ticket_id, new.ticket_id);
    INSERT INTO ticket_fts (rowid, body)
        SELECT t.id, t.subject || ' ' || coalesce((SELECT group_concat(m.visible_text, ' ') FROM messages m WHERE m.ticket_id = t.id), '')
        FROM tickets t WHERE t.id IN (old.ticket_id, new.ticket_id);
END;

CREATE TRIGGER ticket_fts_message_ad AFTER DELETE ON messages BEGIN
    DELETE FROM ticket_fts WHERE rowid = old.ticket_id;
    INSERT INTO ticket_fts (rowid, body)
        SELECT t.id, t.subject || ' ' || coalesce((SELECT group_concat(m.visible_text, ' ') FROM messages m WHERE m.ticket_id = t.id), '')
        FROM tickets t WHERE t.id = old.ticket_id;
END;

-- Backfill what was stored before this migration.
INSERT INTO ticket_fts (rowid, body)
    SELECT t.id, t.subject || ' ' || coalesce((SELECT group_concat(m.visible_text, ' ') FROM messages m WHERE m.ticket_id = t.id), '')
    FROM tickets t;

-- The outbound queue depth (a metric read at every scrape) counts only the
-- few messages still waiting, through this small partial index.
CREATE INDEX messages_delivery_pending ON messages (delivery_status) WHERE delivery_status IN ('queued', 'sending');
