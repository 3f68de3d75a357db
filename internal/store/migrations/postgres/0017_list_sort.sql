-- The ticket list's orders besides last activity (store.TicketSort), each an
-- index in its order so a page reads only its own rows. The expressions are
-- the exact text of store/tickets.go's priorityRank, statusRank and
-- subjectKey: an index serves only the expression it is on.
CREATE INDEX tickets_created ON tickets (created_at, id);
CREATE INDEX tickets_priority_activity ON tickets ((CASE priority WHEN 'low' THEN 0 WHEN 'normal' THEN 1 WHEN 'high' THEN 2 ELSE 3 END), updated_at, id);
CREATE INDEX tickets_status_rank_activity ON tickets ((CASE status WHEN 'new' THEN 0 WHEN 'open' THEN 1 WHEN 'pending' THEN 2 WHEN 'solved' THEN 3 ELSE 4 END), updated_at, id);
CREATE INDEX tickets_subject ON tickets ((lower(substr(subject, 1, 100))), id);
