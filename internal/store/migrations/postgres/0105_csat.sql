-- Satisfaction surveys (issue 14). A mailbox with csat on mails the
-- requester of a ticket just solved one survey; csat_surveys keeps only the
-- sha256 of each survey's token, its ticket and its expiry. The latest
-- rating of a ticket lives on the ticket (written by the change path, read
-- by the ticket API and the reports by the moment it was given).
ALTER TABLE mailboxes ADD COLUMN csat BOOLEAN NOT NULL DEFAULT FALSE;

ALTER TABLE tickets ADD COLUMN csat_rating TEXT;
ALTER TABLE tickets ADD COLUMN csat_comment TEXT NOT NULL DEFAULT '';
ALTER TABLE tickets ADD COLUMN csat_at TIMESTAMPTZ;
CREATE INDEX tickets_csat_at ON tickets (csat_at) WHERE csat_at IS NOT NULL;

CREATE TABLE csat_surveys (
    id         BIGSERIAL PRIMARY KEY,
    ticket_id  BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    email      TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX csat_surveys_email ON csat_surveys (email, created_at);
CREATE INDEX csat_surveys_ticket ON csat_surveys (ticket_id, expires_at);
