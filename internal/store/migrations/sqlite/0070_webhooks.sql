-- Outgoing webhooks: where to POST which ticket events, signed with a
-- secret (sealed with the encryption key, like mailbox credentials).
CREATE TABLE webhooks (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    url        TEXT NOT NULL,
    events     TEXT NOT NULL DEFAULT '',
    secret     TEXT NOT NULL,
    enabled    BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- One row per event per webhook, written in the transaction of the change
-- it reports; its job delivers it. A ticket's deliveries to one webhook go
-- out in id order (the worker waits while an earlier one is unfinished).
CREATE TABLE webhook_deliveries (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook_id    BIGINT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    ticket_id     BIGINT,
    uid           TEXT NOT NULL UNIQUE,
    event         TEXT NOT NULL,
    payload       TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'pending',
    response_code INTEGER NOT NULL DEFAULT 0,
    duration_ms   BIGINT NOT NULL DEFAULT 0,
    attempts      INTEGER NOT NULL DEFAULT 0,
    error         TEXT NOT NULL DEFAULT '',
    next_at       TIMESTAMP,
    created_at    TIMESTAMP NOT NULL,
    at            TIMESTAMP
);
CREATE INDEX webhook_deliveries_log ON webhook_deliveries (webhook_id, id);
CREATE INDEX webhook_deliveries_open ON webhook_deliveries (webhook_id, ticket_id, id) WHERE status IN ('pending', 'retrying');
