-- A merge or a split moves many messages at once. Rebuilding both tickets'
-- search documents once per moved message made a 200-message merge take
-- seconds; instead, while the mover's transaction holds a row here for a
-- ticket, the per-message trigger leaves that ticket's document alone, and
-- the mover rebuilds each document once at the end (store.deferSearch). The
-- rows never outlive the transaction that writes them.
CREATE TABLE search_deferred (ticket_id BIGINT PRIMARY KEY);

DROP TRIGGER ticket_fts_message_au;
CREATE TRIGGER ticket_fts_message_au AFTER UPDATE OF visible_text, ticket_id, from_email, from_name, to_addrs, cc_addrs ON messages
WHEN NOT EXISTS (SELECT 1 FROM search_deferred WHERE ticket_id IN (old.ticket_id, new.ticket_id)) BEGIN
    DELETE FROM ticket_fts WHERE rowid IN (old.ticket_id, new.ticket_id);
    INSERT INTO ticket_fts (rowid, body) SELECT ticket_id, body FROM ticket_search_documents WHERE ticket_id IN (old.ticket_id, new.ticket_id);
END;
