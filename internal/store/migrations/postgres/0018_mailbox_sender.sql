-- Replies may come from "Agent Name via Mailbox Name" (a mailbox setting).
ALTER TABLE mailboxes ADD COLUMN sender_agent_name BOOLEAN NOT NULL DEFAULT FALSE;
-- The mailbox that sends mail not tied to a ticket (invitations, password
-- resets); at most one is marked (the store clears the others).
ALTER TABLE mailboxes ADD COLUMN system_mail BOOLEAN NOT NULL DEFAULT FALSE;
