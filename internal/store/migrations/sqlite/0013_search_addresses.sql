-- Search finds people: a ticket's search document also holds its requester's
-- address and name, and the From, To and Cc addresses and display names of
-- every message. unicode61 splits an address into its words (carol, customer,
-- test), and a search term is a phrase of its words, so the whole address,
-- the local part and the domain all match. The document is written in one
-- place, the view below, which every trigger reads. Address lists that are
-- not JSON arrays of objects give no words and never an error: a message must
-- always be storable.
-- (The requester's contact name is read when a ticket's document is rebuilt;
-- the display names in the messages' From headers are searchable anyway.)

CREATE VIEW ticket_search_documents AS
SELECT t.id AS ticket_id,
    t.subject || ' ' || c.email || ' ' || c.name || ' ' || coalesce((
        SELECT group_concat(m.visible_text || ' ' || m.from_email || ' ' || m.from_name || ' ' || coalesce((
            SELECT group_concat(coalesce(json_extract(a.value, '$.email'), '') || ' ' || coalesce(json_extract(a.value, '$.name'), ''), ' ')
            FROM json_each(CASE WHEN json_valid(m.to_addrs) THEN m.to_addrs ELSE '[]' END) a WHERE a.type = 'object'), '') || ' ' || coalesce((
            SELECT group_concat(coalesce(json_extract(a.value, '$.email'), '') || ' ' || coalesce(json_extract(a.value, '$.name'), ''), ' ')
            FROM json_each(CASE WHEN json_valid(m.cc_addrs) THEN m.cc_addrs ELSE '[]' END) a WHERE a.type = 'object'), ''), ' ')
        FROM messages m WHERE m.ticket_id = t.id), '') AS body
FROM tickets t JOIN contacts c ON c.id = t.requester_id;

DROP TRIGGER ticket_fts_ticket_ai;
DROP TRIGGER ticket_fts_ticket_au;
DROP TRIGGER ticket_fts_message_ai;
DROP TRIGGER ticket_fts_message_au;
DROP TRIGGER ticket_fts_message_ad;
-- ticket_fts_ticket_ad (delete the ticket's document) stays as it is.

CREATE TRIGGER ticket_fts_ticket_ai AFTER INSERT ON tickets BEGIN
    INSERT INTO ticket_fts (rowid, body) SELECT ticket_id, body FROM ticket_search_documents WHERE ticket_id = new.id;
END;

CREATE TRIGGER ticket_fts_ticket_au AFTER UPDATE OF subject, requester_id ON tickets BEGIN
    DELETE FROM ticket_fts WHERE rowid = new.id;
    INSERT INTO ticket_fts (rowid, body) SELECT ticket_id, body FROM ticket_search_documents WHERE ticket_id = new.id;
END;

CREATE TRIGGER ticket_fts_message_ai AFTER INSERT ON messages BEGIN
    DELETE FROM ticket_fts WHERE rowid = new.ticket_id;
    INSERT INTO ticket_fts (rowid, body) SELECT ticket_id, body FROM ticket_search_documents WHERE ticket_id = new.ticket_id;
END;

CREATE TRIGGER ticket_fts_message_au AFTER UPDATE OF visible_text, ticket_id, from_email, from_name, to_addrs, cc_addrs ON messages BEGIN
    DELETE FROM ticket_fts WHERE rowid IN (old.ticket_id, new.ticket_id);
    INSERT INTO ticket_fts (rowid, body) SELECT ticket_id, body FROM ticket_search_documents WHERE ticket_id IN (old.ticket_id, new.ticket_id);
END;

CREATE TRIGGER ticket_fts_message_ad AFTER DELETE ON messages BEGIN
    DELETE FROM ticket_fts WHERE rowid = old.ticket_id;
    INSERT INTO ticket_fts (rowid, body) SELECT ticket_id, body FROM ticket_search_documents WHERE ticket_id = old.ticket_id;
END;

-- Rebuild every document with the addresses.
INSERT INTO ticket_fts (ticket_fts) VALUES ('delete-all');
INSERT INTO ticket_fts (rowid, body) SELECT ticket_id, body FROM ticket_search_documents;
