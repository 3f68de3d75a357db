-- Full-text search over ticket subjects and message bodies: one tsvector per
-- ticket (tickets.search) covering its subject and the visible text of all
-- its messages (what senders wrote, without the quoted history), with a GIN
-- index. One document per ticket lets the planner choose: for a common word,
-- walk the tickets by activity and stop after a page; for a rare one, use the
-- index and sort the few matches. Triggers keep it in step inside the
-- writer's transaction. The 'simple' configuration lower-cases and splits
-- words without language-specific stemming, so it works for every language.
-- Each text is capped at 100,000 characters, and a document that would pass
-- the 1 MB tsvector limit keeps what it has: an over-long ticket must never
-- make a message impossible to store.

ALTER TABLE tickets ADD COLUMN search tsvector NOT NULL DEFAULT ''::tsvector;

-- The document of ticket tid with subject subj (passed in: a BEFORE UPDATE
-- trigger knows the new subject before the row holds it).
CREATE FUNCTION ticketer_ticket_document(tid BIGINT, subj TEXT) RETURNS tsvector LANGUAGE plpgsql STABLE AS $$
DECLARE
    doc tsvector := to_tsvector('simple', left(subj, 100000));
    part tsvector;
    r RECORD;
BEGIN
    FOR r IN SELECT visible_text FROM messages WHERE ticket_id = tid ORDER BY id LOOP
        part := to_tsvector('simple', left(r.visible_text, 100000));
        BEGIN
            doc := doc || part;
        EXCEPTION WHEN program_limit_exceeded THEN
            RETURN doc;
        END;
    END LOOP;
    RETURN doc;
END;
$$;

CREATE FUNCTION ticketer_ticket_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        NEW.search := to_tsvector('simple', left(NEW.subject, 100000));
    ELSIF NEW.subject IS DISTINCT FROM OLD.subject THEN
        NEW.search := ticketer_ticket_document(NEW.id, NEW.subject);
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER tickets_search BEFORE INSERT OR UPDATE OF subject ON tickets
    FOR EACH ROW EXECUTE FUNCTION ticketer_ticket_search();

CREATE FUNCTION ticketer_message_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        -- Appending is enough for a new message (the usual case, kept cheap).
        BEGIN
            UPDATE tickets SET search = search || to_tsvector('simple', left(NEW.visible_text, 100000))
                WHERE id = NEW.ticket_id;
        EXCEPTION WHEN program_limit_exceeded THEN
            NULL; -- the document is full: the message is stored, just not searchable
        END;
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        UPDATE tickets SET search = ticketer_ticket_document(id, subject) WHERE id IN (OLD.ticket_id, NEW.ticket_id);
    ELSE
        UPDATE tickets SET search = ticketer_ticket_document(id, subject) WHERE id = OLD.ticket_id;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER messages_search AFTER INSERT OR DELETE OR UPDATE OF visible_text, ticket_id ON messages
    FOR EACH ROW EXECUTE FUNCTION ticketer_message_search();

-- Backfill what was stored before this migration.
UPDATE tickets SET search = ticketer_ticket_document(id, subject);

CREATE INDEX tickets_search ON tickets USING gin (search);

-- The outbound queue depth (a metric read at every scrape) counts only the
-- few messages still waiting, through this small partial index.
CREATE INDEX messages_delivery_pending ON messages (delivery_status) WHERE delivery_status IN ('queued', 'sending');
