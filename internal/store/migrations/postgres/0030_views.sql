-- Saved views: a named ticket filter, personal (owner_id set, shared false)
-- or shared with every agent. filters is the JSON of the list's parameters
-- (status, assignee, mailbox, tag, requester, q; team once teams exist).
CREATE TABLE saved_views (
    id         BIGSERIAL PRIMARY KEY,
    owner_id   BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    shared     BOOLEAN NOT NULL DEFAULT FALSE,
    filters    TEXT NOT NULL DEFAULT '{}',
    position   INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX saved_views_owner ON saved_views (owner_id);

-- How many tickets have each status, assignee (0: none) and mailbox, kept
-- by triggers: the sidebar's counts read this small table, never the
-- tickets, so they cost the same at a thousand tickets or ten million.
CREATE TABLE ticket_counts (
    status      TEXT NOT NULL,
    assignee_id BIGINT NOT NULL DEFAULT 0,
    mailbox_id  BIGINT NOT NULL,
    n           BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (status, assignee_id, mailbox_id)
);
INSERT INTO ticket_counts (status, assignee_id, mailbox_id, n)
    SELECT status, COALESCE(assignee_id, 0), mailbox_id, count(*) FROM tickets GROUP BY status, COALESCE(assignee_id, 0), mailbox_id;

CREATE FUNCTION ticket_counts_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE ticket_counts SET n = n - 1
            WHERE status = OLD.status AND assignee_id = COALESCE(OLD.assignee_id, 0) AND mailbox_id = OLD.mailbox_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO ticket_counts (status, assignee_id, mailbox_id, n) VALUES (NEW.status, COALESCE(NEW.assignee_id, 0), NEW.mailbox_id, 1)
            ON CONFLICT (status, assignee_id, mailbox_id) DO UPDATE SET n = ticket_counts.n + 1;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER tickets_counts_rows AFTER INSERT OR DELETE ON tickets
    FOR EACH ROW EXECUTE FUNCTION ticket_counts_change();
CREATE TRIGGER tickets_counts_update AFTER UPDATE OF status, assignee_id, mailbox_id ON tickets
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.assignee_id IS DISTINCT FROM NEW.assignee_id
        OR OLD.mailbox_id IS DISTINCT FROM NEW.mailbox_id)
    EXECUTE FUNCTION ticket_counts_change();
