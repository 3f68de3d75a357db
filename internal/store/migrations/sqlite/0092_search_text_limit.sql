-- The search document takes the first 100,000 characters of each message's
-- visible text, as on PostgreSQL (0003, 0013: left(visible_text, 100000)).
-- It took all of it: a 20 MB body was copied several times inside SQLite and
-- tokenized whole, on its arrival and again on every later message of its
-- ticket, since a ticket's document is rebuilt per message; that was most of
-- the memory one large message cost to ingest. Documents already indexed
-- keep their words until their ticket's next message rebuilds them.
DROP VIEW ticket_search_documents;
CREATE VIEW ticket_search_documents AS
SELECT t.id AS ticket_id,
    t.subject || ' ' || c.email || ' ' || c.name || ' ' || coalesce((
        SELECT group_concat(substr(m.visible_text, 1, 100000) || ' ' || m.from_email || ' ' || m.from_name || ' ' || coalesce((
            SELECT group_concat(coalesce(json_extract(a.value, '$.email'), '') || ' ' || coalesce(json_extract(a.value, '$.name'), ''), ' ')
            FROM json_each(CASE WHEN json_valid(m.to_addrs) THEN m.to_addrs ELSE '[]' END) a WHERE a.type = 'object'), '') || ' ' || coalesce((
            SELECT group_concat(coalesce(json_extract(a.value, '$.email'), '') || ' ' || coalesce(json_extract(a.value, '$.name'), ''), ' ')
            FROM json_each(CASE WHEN json_valid(m.cc_addrs) THEN m.cc_addrs ELSE '[]' END) a WHERE a.type = 'object'), ''), ' ')
        FROM messages m WHERE m.ticket_id = t.id), '') AS body
FROM tickets t JOIN contacts c ON c.id = t.requester_id;
