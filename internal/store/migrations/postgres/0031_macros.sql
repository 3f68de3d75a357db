-- Macros (canned replies): a body with placeholders and optional actions
-- applied with the reply (status, priority, tags to add, assignee; JSON).
-- Personal (shared false: only the owner sees it) or shared.
CREATE TABLE macros (
    id         BIGSERIAL PRIMARY KEY,
    owner_id   BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    body       TEXT NOT NULL DEFAULT '',
    actions    TEXT NOT NULL DEFAULT '{}',
    shared     BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX macros_owner ON macros (owner_id);
