-- The customer portal (issue 14). A mailbox marked portal takes new tickets
-- from signed-in customers. portal_links are the mailed sign-in links (only
-- the sha256 of the token is kept; used_at makes one single use);
-- portal_sessions are customers' browsers, kept apart from agents' sessions:
-- another table, another cookie, nothing in common with users.
ALTER TABLE mailboxes ADD COLUMN portal BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE portal_links (
    id         BIGSERIAL PRIMARY KEY,
    email      TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ
);
CREATE INDEX portal_links_expires ON portal_links (expires_at);

CREATE TABLE portal_sessions (
    id         BIGSERIAL PRIMARY KEY,
    email      TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX portal_sessions_expires ON portal_sessions (expires_at);
