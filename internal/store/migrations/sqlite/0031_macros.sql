-- Macros (canned replies): a body with placeholders and optional actions
-- applied with the reply (status, priority, tags to add, assignee; JSON).
-- Personal (shared false: only the owner sees it) or shared.
CREATE TABLE macros (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_id   BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    body       TEXT NOT NULL DEFAULT '',
    actions    TEXT NOT NULL DEFAULT '{}',
    shared     BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX macros_owner ON macros (owner_id);
