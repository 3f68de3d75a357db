-- A broken mailbox is noticed (issue 15). auth_refused: the provider refused
-- the mailbox's credentials (a revoked token), until the connector works
-- again. mailbox_alerts: one row per outage; the open one (resolved_at NULL)
-- is the banner, and the partial unique index makes a second open alert of
-- the same mailbox impossible, so each outage is mailed once.
ALTER TABLE mailboxes ADD COLUMN auth_refused BOOLEAN NOT NULL DEFAULT FALSE;
CREATE TABLE mailbox_alerts (
    id          BIGSERIAL PRIMARY KEY,
    mailbox_id  BIGINT NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE,
    reason      TEXT NOT NULL CHECK (reason IN ('error', 'auth', 'quiet')),
    detail      TEXT NOT NULL DEFAULT '',
    since       TIMESTAMPTZ NOT NULL,
    raised_at   TIMESTAMPTZ NOT NULL,
    resolved_at TIMESTAMPTZ
);
CREATE UNIQUE INDEX mailbox_alerts_open ON mailbox_alerts (mailbox_id) WHERE resolved_at IS NULL;
-- The quiet check reads a mailbox's arrival times of the last weeks.
CREATE INDEX inbound_mailbox_received ON inbound (mailbox_id, received_at);
