-- Ticketer schema, PostgreSQL. Times are timestamptz in UTC.

CREATE TABLE users (
    id            BIGSERIAL PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL DEFAULT '',
    role          TEXT NOT NULL CHECK (role IN ('admin', 'agent')),
    password_hash TEXT NOT NULL DEFAULT '',
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE api_tokens (
    id           BIGSERIAL PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL DEFAULT '',
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    revoked_at   TIMESTAMPTZ
);

CREATE TABLE mailboxes (
    id             BIGSERIAL PRIMARY KEY,
    name           TEXT NOT NULL,
    address        TEXT NOT NULL UNIQUE,
    provider       TEXT NOT NULL DEFAULT 'smtp',
    smtp_relay     TEXT NOT NULL DEFAULT '', -- sealed relay URL (credentials inside)
    imap           TEXT NOT NULL DEFAULT '', -- sealed IMAP URL
    ack_enabled    BOOLEAN NOT NULL DEFAULT TRUE,
    ack_subject    TEXT NOT NULL DEFAULT '',
    ack_body       TEXT NOT NULL DEFAULT '',
    sync_state     TEXT NOT NULL DEFAULT '{}',
    status         TEXT NOT NULL DEFAULT 'ok',
    last_error     TEXT NOT NULL DEFAULT '',
    last_sync_at   TIMESTAMPTZ,
    created_at     TIMESTAMPTZ NOT NULL
);

CREATE TABLE contacts (
    id         BIGSERIAL PRIMARY KEY,
    email      TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE tickets (
    id                BIGSERIAL PRIMARY KEY,
    subject           TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('new', 'open', 'pending', 'solved', 'closed')),
    priority          TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    assignee_id       BIGINT REFERENCES users (id),
    requester_id      BIGINT NOT NULL REFERENCES contacts (id),
    mailbox_id        BIGINT NOT NULL REFERENCES mailboxes (id),
    message_count     INTEGER NOT NULL DEFAULT 0,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
    first_response_at TIMESTAMPTZ,
    solved_at         TIMESTAMPTZ
);
CREATE INDEX tickets_activity ON tickets (updated_at DESC, id DESC);
CREATE INDEX tickets_status_activity ON tickets (status, updated_at DESC, id DESC);
CREATE INDEX tickets_mailbox_activity ON tickets (mailbox_id, updated_at DESC, id DESC);
CREATE INDEX tickets_assignee ON tickets (assignee_id);

CREATE TABLE ticket_tags (
    ticket_id BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    tag       TEXT NOT NULL,
    PRIMARY KEY (ticket_id, tag)
);

-- Everyone who took part in a ticket by email: a ticket token in a subject or
-- plus-address is honoured only from one of them.
CREATE TABLE ticket_participants (
    ticket_id  BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    contact_id BIGINT NOT NULL REFERENCES contacts (id),
    PRIMARY KEY (ticket_id, contact_id)
);

CREATE TABLE messages (
    id                BIGSERIAL PRIMARY KEY,
    ticket_id         BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    kind              TEXT NOT NULL CHECK (kind IN ('inbound', 'outbound', 'note', 'auto_reply')),
    message_id        TEXT NOT NULL DEFAULT '',
    dedupe_key        TEXT UNIQUE, -- Message-ID, or sha256:<hex> of the raw bytes; NULL for notes
    in_reply_to       TEXT NOT NULL DEFAULT '',
    refs              TEXT NOT NULL DEFAULT '', -- References, space separated
    from_email        TEXT NOT NULL DEFAULT '',
    from_name         TEXT NOT NULL DEFAULT '',
    to_addrs          TEXT NOT NULL DEFAULT '[]', -- JSON [{"email","name"}]
    cc_addrs          TEXT NOT NULL DEFAULT '[]',
    subject           TEXT NOT NULL DEFAULT '',
    text_body         TEXT NOT NULL DEFAULT '',
    html_body         TEXT NOT NULL DEFAULT '', -- sanitized
    visible_text      TEXT NOT NULL DEFAULT '',
    raw_key           TEXT NOT NULL DEFAULT '',
    sha256            TEXT NOT NULL DEFAULT '',
    size              BIGINT NOT NULL DEFAULT 0,
    sent_at           TIMESTAMPTZ, -- the Date header
    created_at        TIMESTAMPTZ NOT NULL,
    author_id         BIGINT REFERENCES users (id),
    auto_reason       TEXT NOT NULL DEFAULT '',
    problems          TEXT NOT NULL DEFAULT '',
    delivery_status   TEXT CHECK (delivery_status IN ('queued', 'sending', 'sent', 'failed')),
    delivery_error    TEXT NOT NULL DEFAULT '',
    delivery_attempts INTEGER NOT NULL DEFAULT 0,
    delivered_at      TIMESTAMPTZ
);
CREATE INDEX messages_ticket ON messages (ticket_id, id);
CREATE INDEX messages_message_id ON messages (message_id);

-- Every Message-ID a ticket's messages carry or reference maps to the ticket,
-- so a reply threads even when it arrives before the message it answers.
CREATE TABLE thread_keys (
    key       TEXT PRIMARY KEY,
    ticket_id BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE
);

CREATE TABLE message_occurrences (
    id          BIGSERIAL PRIMARY KEY,
    mailbox_id  BIGINT NOT NULL REFERENCES mailboxes (id),
    provider_id TEXT NOT NULL,
    message_id  BIGINT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    seen_at     TIMESTAMPTZ NOT NULL,
    UNIQUE (mailbox_id, provider_id)
);

CREATE TABLE attachments (
    id           BIGSERIAL PRIMARY KEY,
    message_id   BIGINT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    blob_key     TEXT NOT NULL,
    content_id   TEXT NOT NULL DEFAULT '',
    inline       BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX attachments_message ON attachments (message_id);

CREATE TABLE ticket_events (
    id         BIGSERIAL PRIMARY KEY,
    ticket_id  BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    actor_id   BIGINT REFERENCES users (id),
    actor      TEXT NOT NULL DEFAULT '', -- "system", or the email address of a sender
    kind       TEXT NOT NULL,
    field      TEXT NOT NULL DEFAULT '',
    old_value  TEXT NOT NULL DEFAULT '',
    new_value  TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, id);

-- Raw mail as received, before ingestion: written with its ingestion job in one
-- transaction, so nothing accepted is lost; failures stay here, visible.
CREATE TABLE inbound (
    id            BIGSERIAL PRIMARY KEY,
    mailbox_id    BIGINT NOT NULL REFERENCES mailboxes (id),
    source        TEXT NOT NULL, -- smtp, import, imap, ...
    provider_id   TEXT NOT NULL DEFAULT '',
    envelope_from TEXT NOT NULL DEFAULT '',
    envelope_to   TEXT NOT NULL DEFAULT '',
    raw_key       TEXT NOT NULL,
    sha256        TEXT NOT NULL,
    size          BIGINT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('pending', 'done', 'duplicate', 'ignored', 'failed')),
    error         TEXT NOT NULL DEFAULT '',
    attempts      INTEGER NOT NULL DEFAULT 0,
    message_id    BIGINT REFERENCES messages (id) ON DELETE SET NULL,
    received_at   TIMESTAMPTZ NOT NULL,
    processed_at  TIMESTAMPTZ
);
CREATE INDEX inbound_status ON inbound (status, id);

-- Acknowledgements sent, for the per-sender rate limit.
CREATE TABLE acknowledgements (
    id         BIGSERIAL PRIMARY KEY,
    email      TEXT NOT NULL,
    ticket_id  BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX acknowledgements_email ON acknowledgements (email, created_at);
