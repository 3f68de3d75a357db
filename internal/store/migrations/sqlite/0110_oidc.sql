-- Single sign-on (OpenID Connect). oidc_logins are sign-ins under way: the
-- sha256 of the state sent to the identity provider, with the nonce and the
-- PKCE verifier for it and the page to go on to; a callback takes its row out (single use), and one
-- past expires_at is refused. sessions.method says how a session was opened
-- ('password', 'sso', 'dev', 'invitation'): an SSO session is not held back
-- for two-factor enrolment, the identity provider does that.
CREATE TABLE oidc_logins (
    state_hash TEXT PRIMARY KEY,
    nonce      TEXT NOT NULL,
    verifier   TEXT NOT NULL,
    next_path  TEXT NOT NULL DEFAULT '/', -- where the browser goes after signing in
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX oidc_logins_expires ON oidc_logins (expires_at);

ALTER TABLE sessions ADD COLUMN method TEXT NOT NULL DEFAULT 'password';
