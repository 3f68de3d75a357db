-- Indexes for the ticket list's filters, each in the list's order (last
-- activity, newest first), so a filtered page reads only its own rows:
-- measured at 100,000 tickets, a requester's tickets took 50 ms without.
CREATE INDEX tickets_requester_activity ON tickets (requester_id, updated_at DESC, id DESC);
CREATE INDEX tickets_assignee_activity ON tickets (assignee_id, updated_at DESC, id DESC);
DROP INDEX tickets_assignee;
CREATE INDEX ticket_tags_tag ON ticket_tags (tag, ticket_id);
