-- Signatures: each agent's and each mailbox's, appended to replies (the
-- agent's, then the mailbox's) under a "-- " line; placeholders as in macros.
ALTER TABLE users ADD COLUMN signature TEXT NOT NULL DEFAULT '';
ALTER TABLE mailboxes ADD COLUMN signature TEXT NOT NULL DEFAULT '';
