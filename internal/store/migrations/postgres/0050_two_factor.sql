-- Two-factor authentication (TOTP) per user. secret is sealed (internal/secret)
-- and re-sealed on key rotation; it counts only once enabled. last_step is the
-- last 30-second step a code was accepted for: a code is never taken twice.
-- recovery holds the sha256 of each unused recovery code, one a line.
CREATE TABLE user_totp (
    user_id   BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    secret    TEXT NOT NULL,
    enabled   BOOLEAN NOT NULL DEFAULT FALSE,
    last_step BIGINT NOT NULL DEFAULT 0,
    recovery  TEXT NOT NULL DEFAULT ''
);
