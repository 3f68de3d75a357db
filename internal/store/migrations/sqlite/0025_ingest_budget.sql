-- Time spent ingesting each received message, summed over its attempts: a
-- message over the ingest budget is kept as failed, not retried, however
-- many attempts River still allows (a retry does not reset the budget).
ALTER TABLE inbound ADD COLUMN ingest_ms BIGINT NOT NULL DEFAULT 0;

-- The ingest queue's fairness asks how many messages of a mailbox still wait.
CREATE INDEX inbound_mailbox_status ON inbound (mailbox_id, status);
