-- Forwarding a ticket to a third party (a supplier, another department):
-- the forward is an outbound message with party 'forward'; the third
-- party's answer threads back onto the ticket as an inbound message with
-- party 'third_party'. Third parties are kept apart from the participants:
-- a participant sees the ticket in the customer portal and may write into it
-- by its number, a third party only gets the messages forwarded to it.
ALTER TABLE messages ADD COLUMN party TEXT NOT NULL DEFAULT '';

CREATE TABLE ticket_third_parties (
    ticket_id BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    email     TEXT NOT NULL,
    PRIMARY KEY (ticket_id, email)
);
