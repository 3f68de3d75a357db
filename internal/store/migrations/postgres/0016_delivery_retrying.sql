-- "retrying": an attempt failed for a reason that may pass (the relay refused
-- the connection, a 4xx); delivery_next_at says when the next attempt runs.
ALTER TABLE messages DROP CONSTRAINT messages_delivery_status_check;
ALTER TABLE messages ADD CONSTRAINT messages_delivery_status_check
    CHECK (delivery_status IN ('queued', 'sending', 'sent', 'failed', 'waiting', 'retrying'));
ALTER TABLE messages ADD COLUMN delivery_next_at TIMESTAMPTZ;
-- Replies that have not reached the customer (yet), for the ticket list's mark.
CREATE INDEX messages_undelivered ON messages (ticket_id) WHERE delivery_status IN ('retrying', 'failed', 'waiting');

-- A ticket's message count is its conversation: the customer's messages and
-- our replies, not notes, acknowledgements or automatic mail.
UPDATE tickets SET message_count = (SELECT count(*) FROM messages m WHERE m.ticket_id = tickets.id
    AND (m.kind = 'inbound' OR (m.kind = 'outbound' AND m.auto_reason = '')));

-- First response time counts delivered replies only.
UPDATE tickets SET first_response_at = (SELECT min(m.delivered_at) FROM messages m WHERE m.ticket_id = tickets.id
    AND m.kind = 'outbound' AND m.author_id IS NOT NULL AND m.delivery_status = 'sent')
    WHERE first_response_at IS NOT NULL;
