-- Search finds people: a ticket's search document also holds its requester's
-- address and name, and the From, To and Cc addresses and display names of
-- every message. The 'simple' parser keeps an address as one token
-- (carol@customer.test), so each address is indexed as itself, its local part
-- (whole, and split into its words: carol.customer -> carol, customer) and
-- its domain: a search for the whole address, the local part or the domain
-- matches. (The requester's contact name is read when a ticket's document is
-- rebuilt; the display names in the messages' From headers are searchable
-- anyway.)

-- The searchable words of one address.
CREATE FUNCTION ticketer_address_words(email TEXT, name TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN coalesce(email, '') = '' THEN coalesce(name, '') ELSE
        email || ' ' || split_part(email, '@', 1) || ' ' || translate(split_part(email, '@', 1), '._-+', '    ')
        || ' ' || split_part(email, '@', 2) || ' ' || coalesce(name, '') END
$$;

-- The searchable words of a JSON list of addresses ([{"email","name"}]);
-- anything else is no words, never an error.
CREATE FUNCTION ticketer_address_list_words(list TEXT) RETURNS TEXT LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    j jsonb;
BEGIN
    BEGIN
        j := list::jsonb;
    EXCEPTION WHEN invalid_text_representation THEN
        RETURN '';
    END;
    IF jsonb_typeof(j) IS DISTINCT FROM 'array' THEN
        RETURN '';
    END IF;
    RETURN coalesce((SELECT string_agg(ticketer_address_words(a->>'email', a->>'name'), ' ')
        FROM jsonb_array_elements(j) a WHERE jsonb_typeof(a) = 'object'), '');
END;
$$;

-- One message's part of the document: its visible text and its addresses.
CREATE FUNCTION ticketer_message_vector(visible_text TEXT, from_email TEXT, from_name TEXT, to_addrs TEXT, cc_addrs TEXT)
    RETURNS tsvector LANGUAGE sql IMMUTABLE AS $$
    SELECT to_tsvector('simple', left(visible_text, 100000))
        || to_tsvector('simple', left(ticketer_address_words(from_email, from_name) || ' ' || ticketer_address_list_words(to_addrs)
            || ' ' || ticketer_address_list_words(cc_addrs), 100000))
$$;

-- The requester's part of the document.
CREATE FUNCTION ticketer_requester_vector(cid BIGINT) RETURNS tsvector LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT to_tsvector('simple', left(ticketer_address_words(email, name), 100000)) FROM contacts WHERE id = cid), ''::tsvector)
$$;

-- The document of ticket tid with subject subj and requester cid (passed in:
-- a BEFORE UPDATE trigger knows them before the row holds them).
CREATE FUNCTION ticketer_ticket_document(tid BIGINT, subj TEXT, cid BIGINT) RETURNS tsvector LANGUAGE plpgsql STABLE AS $$
DECLARE
    doc tsvector := to_tsvector('simple', left(subj, 100000)) || ticketer_requester_vector(cid);
    part tsvector;
    r RECORD;
BEGIN
    FOR r IN SELECT visible_text, from_email, from_name, to_addrs, cc_addrs FROM messages WHERE ticket_id = tid ORDER BY id LOOP
        part := ticketer_message_vector(r.visible_text, r.from_email, r.from_name, r.to_addrs, r.cc_addrs);
        BEGIN
            doc := doc || part;
        EXCEPTION WHEN program_limit_exceeded THEN
            RETURN doc;
        END;
    END LOOP;
    RETURN doc;
END;
$$;

-- The two-argument form (migration 0003) now reads the requester from the row.
CREATE OR REPLACE FUNCTION ticketer_ticket_document(tid BIGINT, subj TEXT) RETURNS tsvector LANGUAGE sql STABLE AS $$
    SELECT ticketer_ticket_document(tid, subj, (SELECT requester_id FROM tickets WHERE id = tid))
$$;

CREATE OR REPLACE FUNCTION ticketer_ticket_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        NEW.search := to_tsvector('simple', left(NEW.subject, 100000)) || ticketer_requester_vector(NEW.requester_id);
    ELSIF NEW.subject IS DISTINCT FROM OLD.subject OR NEW.requester_id IS DISTINCT FROM OLD.requester_id THEN
        NEW.search := ticketer_ticket_document(NEW.id, NEW.subject, NEW.requester_id);
    END IF;
    RETURN NEW;
END;
$$;

DROP TRIGGER tickets_search ON tickets;
CREATE TRIGGER tickets_search BEFORE INSERT OR UPDATE OF subject, requester_id ON tickets
    FOR EACH ROW EXECUTE FUNCTION ticketer_ticket_search();

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
        UPDATE tickets SET search = ticketer_ticket_document(id, subject, requester_id) WHERE id IN (OLD.ticket_id, NEW.ticket_id);
    ELSE
        UPDATE tickets SET search = ticketer_ticket_document(id, subject, requester_id) WHERE id = OLD.ticket_id;
    END IF;
    RETURN NULL;
END;
$$;

DROP TRIGGER messages_search ON messages;
CREATE TRIGGER messages_search AFTER INSERT OR DELETE OR UPDATE OF visible_text, ticket_id, from_email, from_name, to_addrs, cc_addrs ON messages
    FOR EACH ROW EXECUTE FUNCTION ticketer_message_search();

-- Rebuild every document with the addresses.
UPDATE tickets SET search = ticketer_ticket_document(id, subject, requester_id);
