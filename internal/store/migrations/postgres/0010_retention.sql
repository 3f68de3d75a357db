-- A mailbox's retention rule: closed tickets last changed more than this
-- many days ago have their content erased (0: kept for ever).
ALTER TABLE mailboxes ADD COLUMN retention_days INTEGER NOT NULL DEFAULT 0;
