-- Indexes for the summary report (GET /api/v1/reports/summary): each figure
-- reads the tickets whose own time (created, first response, solved) or the
-- re-open events that fall in the asked range, so each is a range scan
-- (created_at has its index already: tickets_created, migration 0017).
CREATE INDEX tickets_first_response ON tickets (first_response_at) WHERE first_response_at IS NOT NULL;
CREATE INDEX tickets_solved ON tickets (solved_at) WHERE solved_at IS NOT NULL;
CREATE INDEX ticket_events_status ON ticket_events (created_at) WHERE kind = 'status_changed';
