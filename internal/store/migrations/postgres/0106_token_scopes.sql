-- API token scopes (issue 14): a comma-separated list of "read" and
-- endpoint groups; empty (every token made before) is full access.
ALTER TABLE api_tokens ADD COLUMN scopes TEXT NOT NULL DEFAULT '';
