-- Mail we get right (issue 10). Automatic mail that belongs to no ticket is
-- kept as an inbound row with status 'automatic', its reason and the headers
-- an agent needs to judge it; SQLite cannot change a CHECK, so the table is
-- rebuilt with the new status.
CREATE TABLE inbound_new (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    mailbox_id     BIGINT NOT NULL REFERENCES mailboxes (id),
    source         TEXT NOT NULL,
    provider_id    TEXT NOT NULL DEFAULT '',
    envelope_from  TEXT NOT NULL DEFAULT '',
    envelope_to    TEXT NOT NULL DEFAULT '',
    raw_key        TEXT NOT NULL,
    sha256         TEXT NOT NULL,
    size           BIGINT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('pending', 'done', 'duplicate', 'ignored', 'failed', 'automatic')),
    error          TEXT NOT NULL DEFAULT '',
    attempts       INTEGER NOT NULL DEFAULT 0,
    message_id     BIGINT REFERENCES messages (id) ON DELETE SET NULL,
    received_at    TIMESTAMP NOT NULL,
    processed_at   TIMESTAMP,
    reason         TEXT NOT NULL DEFAULT '',
    rfc_message_id TEXT NOT NULL DEFAULT '',
    from_email     TEXT NOT NULL DEFAULT '',
    from_name      TEXT NOT NULL DEFAULT '',
    subject        TEXT NOT NULL DEFAULT '',
    dedupe_key     TEXT
);
INSERT INTO inbound_new (id, mailbox_id, source, provider_id, envelope_from, envelope_to, raw_key, sha256, size, status, error,
    attempts, message_id, received_at, processed_at)
SELECT id, mailbox_id, source, provider_id, envelope_from, envelope_to, raw_key, sha256, size, status, error,
    attempts, message_id, received_at, processed_at FROM inbound;
DROP TABLE inbound;
ALTER TABLE inbound_new RENAME TO inbound;
CREATE INDEX inbound_status ON inbound (status, id);
CREATE INDEX inbound_provider ON inbound (provider_id);
-- Kept automatic mail is deduplicated as stored messages are.
CREATE UNIQUE INDEX inbound_dedupe ON inbound (dedupe_key) WHERE dedupe_key IS NOT NULL;

-- How each message found its ticket, and the key that matched.
ALTER TABLE messages ADD COLUMN threaded_by TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN threaded_key TEXT NOT NULL DEFAULT '';

-- A reply to a ticket closed longer ago than this opens a new ticket.
ALTER TABLE mailboxes ADD COLUMN reopen_days INTEGER NOT NULL DEFAULT 30;

-- A ticket marked as spam leaves every view; its sender is blocked.
ALTER TABLE tickets ADD COLUMN spam_at TIMESTAMP;

-- Senders whose mail is kept as automatic (reason spam): an address, or a
-- whole domain ("example.com").
CREATE TABLE blocked_senders (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    value      TEXT NOT NULL UNIQUE,
    ticket_id  BIGINT REFERENCES tickets (id) ON DELETE SET NULL,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL
);
