-- Mail we get right (issue 10). Automatic mail that belongs to no ticket is
-- kept as an inbound row with status 'automatic', its reason and the headers
-- an agent needs to judge it.
ALTER TABLE inbound DROP CONSTRAINT IF EXISTS inbound_status_check;
ALTER TABLE inbound ADD CONSTRAINT inbound_status_check
    CHECK (status IN ('pending', 'done', 'duplicate', 'ignored', 'failed', 'automatic'));
ALTER TABLE inbound ADD COLUMN reason TEXT NOT NULL DEFAULT '';
ALTER TABLE inbound ADD COLUMN rfc_message_id TEXT NOT NULL DEFAULT '';
ALTER TABLE inbound ADD COLUMN from_email TEXT NOT NULL DEFAULT '';
ALTER TABLE inbound ADD COLUMN from_name TEXT NOT NULL DEFAULT '';
ALTER TABLE inbound ADD COLUMN subject TEXT NOT NULL DEFAULT '';
ALTER TABLE inbound ADD COLUMN dedupe_key TEXT;
-- Kept automatic mail is deduplicated as stored messages are.
CREATE UNIQUE INDEX inbound_dedupe ON inbound (dedupe_key) WHERE dedupe_key IS NOT NULL;

-- How each message found its ticket, and the key that matched.
ALTER TABLE messages ADD COLUMN threaded_by TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN threaded_key TEXT NOT NULL DEFAULT '';

-- A reply to a ticket closed longer ago than this opens a new ticket.
ALTER TABLE mailboxes ADD COLUMN reopen_days INTEGER NOT NULL DEFAULT 30;

-- A ticket marked as spam leaves every view; its sender is blocked.
ALTER TABLE tickets ADD COLUMN spam_at TIMESTAMPTZ;

-- Senders whose mail is kept as automatic (reason spam): an address, or a
-- whole domain ("example.com").
CREATE TABLE blocked_senders (
    id         BIGSERIAL PRIMARY KEY,
    value      TEXT NOT NULL UNIQUE,
    ticket_id  BIGINT REFERENCES tickets (id) ON DELETE SET NULL,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL
);
