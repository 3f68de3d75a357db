-- A relay that cannot work as configured (TLS, certificate, authentication,
-- sender refused) is recorded on the mailbox apart from the connector's
-- status/last_error, which every successful sync overwrites.
ALTER TABLE mailboxes ADD COLUMN relay_error TEXT NOT NULL DEFAULT '';
ALTER TABLE mailboxes ADD COLUMN relay_error_since TIMESTAMP;
-- What the mailbox warns about a relay that works but is unsafe (insecure=1).
ALTER TABLE mailboxes ADD COLUMN relay_warning TEXT NOT NULL DEFAULT '';

-- "waiting": the reply waits for its mailbox's relay to be fixed (no job).
-- SQLite cannot alter a CHECK constraint. Rebuilding messages would drop any
-- column another migration adds, so the constraint's text is widened in
-- place, the way https://sqlite.org/lang_altertable.html#otheralter describes
-- for a change that leaves the stored data valid; RESET reloads the schema
-- here, and the CREATE INDEX after it bumps the schema cookie, so every other
-- connection reloads it too.
PRAGMA writable_schema = ON;
UPDATE sqlite_master SET sql = replace(sql, 'delivery_status IN (''queued'', ''sending'', ''sent'', ''failed'')',
    'delivery_status IN (''queued'', ''sending'', ''sent'', ''failed'', ''waiting'')')
    WHERE type = 'table' AND name = 'messages';
PRAGMA writable_schema = RESET;
CREATE INDEX messages_delivery_waiting ON messages (ticket_id) WHERE delivery_status = 'waiting';
