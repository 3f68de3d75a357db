-- Mailbox connectors (IMAP, Gmail, Nylas): per-mailbox switch, sealed
-- provider credentials, backfill window, sync progress and error time; and
-- the lease that keeps one replica running the connectors.
ALTER TABLE mailboxes ADD COLUMN enabled BOOLEAN NOT NULL DEFAULT 1;
-- sealed JSON (OAuth tokens, API keys)
ALTER TABLE mailboxes ADD COLUMN credentials TEXT NOT NULL DEFAULT '';
-- NULL: everything
ALTER TABLE mailboxes ADD COLUMN backfill_since TIMESTAMP;
-- NULL: backfill not finished yet
ALTER TABLE mailboxes ADD COLUMN backfilled_at TIMESTAMP;
ALTER TABLE mailboxes ADD COLUMN sync_done BIGINT NOT NULL DEFAULT 0;
ALTER TABLE mailboxes ADD COLUMN sync_total BIGINT NOT NULL DEFAULT 0;
ALTER TABLE mailboxes ADD COLUMN error_since TIMESTAMP;

CREATE TABLE leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
