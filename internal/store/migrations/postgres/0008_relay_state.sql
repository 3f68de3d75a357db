-- A relay that cannot work as configured (TLS, certificate, authentication,
-- sender refused) is recorded on the mailbox apart from the connector's
-- status/last_error, which every successful sync overwrites.
ALTER TABLE mailboxes ADD COLUMN relay_error TEXT NOT NULL DEFAULT '';
ALTER TABLE mailboxes ADD COLUMN relay_error_since TIMESTAMPTZ;
-- What the mailbox warns about a relay that works but is unsafe (insecure=1).
ALTER TABLE mailboxes ADD COLUMN relay_warning TEXT NOT NULL DEFAULT '';

-- "waiting": the reply waits for its mailbox's relay to be fixed (no job).
ALTER TABLE messages DROP CONSTRAINT messages_delivery_status_check;
ALTER TABLE messages ADD CONSTRAINT messages_delivery_status_check
    CHECK (delivery_status IN ('queued', 'sending', 'sent', 'failed', 'waiting'));
CREATE INDEX messages_delivery_waiting ON messages (ticket_id) WHERE delivery_status = 'waiting';
