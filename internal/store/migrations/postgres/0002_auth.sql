-- Sign-in sessions: only the sha256 of the cookie's token is stored, and the
-- sha256 of the CSRF token bound to it (double submit, checked server-side too).
CREATE TABLE sessions (
    id           BIGSERIAL PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash   TEXT NOT NULL UNIQUE,
    csrf_hash    TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL, -- idle expiry counts from here
    expires_at   TIMESTAMPTZ NOT NULL, -- absolute expiry
    remote_addr  TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE INDEX api_tokens_user ON api_tokens (user_id, id);
