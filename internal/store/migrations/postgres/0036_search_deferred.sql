-- A merge or a split moves many messages at once. Rebuilding both tickets'
-- search documents once per moved message made a 200-message merge take
-- seconds; instead, while the mover's transaction holds a row here for a
-- ticket, the per-message trigger leaves that ticket's document alone, and
-- the mover rebuilds each document once at the end (store.deferSearch). The
-- rows never outlive the transaction that writes them, so no other
-- transaction ever sees one.
CREATE TABLE search_deferred (ticket_id BIGINT PRIMARY KEY);

CREATE OR REPLACE FUNCTION ticketer_message_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        -- Appending is enough for a new message (the usual case, kept cheap).
        BEGIN
            UPDATE tickets SET search = search || ticketer_message_vector(NEW.visible_text, NEW.from_email, NEW.from_name, NEW.to_addrs, NEW.cc_addrs)
                WHERE id = NEW.ticket_id;
        EXCEPTION WHEN program_limit_exceeded THEN
            NULL; -- the document is full: the message is stored, just not searchable
        END;
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        IF EXISTS (SELECT 1 FROM search_deferred WHERE ticket_id IN (OLD.ticket_id, NEW.ticket_id)) THEN
            RETURN NULL; -- a bulk move: its mover rebuilds the documents once
        END IF;
        UPDATE tickets SET search = ticketer_ticket_document(id, subject, requester_id) WHERE id IN (OLD.ticket_id, NEW.ticket_id);
    ELSE
        UPDATE tickets SET search = ticketer_ticket_document(id, subject, requester_id) WHERE id = OLD.ticket_id;
    END IF;
    RETURN NULL;
END;
$$;
