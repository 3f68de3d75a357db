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

-- The sidebar's counts read the tickets that are work (new, open, pending)
-- grouped by status, assignee and mailbox: one index-only scan of this
-- partial index, whatever the size of the solved and closed archive.
CREATE INDEX tickets_work_counts ON tickets (status, assignee_id, mailbox_id) WHERE status IN ('new', 'open', 'pending');
