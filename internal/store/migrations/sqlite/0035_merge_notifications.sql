-- Merge and split: a merged ticket stays (closed) and points at the ticket
-- it was merged into, so its number still leads there and mail naming it
-- (a subject token, a plus address) lands on the target. A ticket split off
-- another names where it came from; the other way is a query on split_from.
ALTER TABLE tickets ADD COLUMN merged_into BIGINT REFERENCES tickets (id);
ALTER TABLE tickets ADD COLUMN split_from BIGINT REFERENCES tickets (id);
CREATE INDEX tickets_split_from ON tickets (split_from) WHERE split_from IS NOT NULL;

-- Notifications to agents: one row per agent and thing to tell. emailed_at
-- is set once the batched mail that carried it was queued (or the agent
-- does not want mail for it), so a burst is one mail and nothing twice.
CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    ticket_id  BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    actor      TEXT NOT NULL DEFAULT '',
    summary    TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    in_app     BOOLEAN NOT NULL DEFAULT 1, -- shown in the app (else: mail only)
    read_at    TIMESTAMP,
    email      BOOLEAN NOT NULL DEFAULT 0, -- the agent wants this one by mail
    emailed_at TIMESTAMP
);
CREATE INDEX notifications_user ON notifications (user_id, id DESC) WHERE in_app;
CREATE INDEX notifications_mail_pending ON notifications (user_id) WHERE email AND emailed_at IS NULL;

-- Each agent's choice per kind of notification: {"assigned": {"app": true, "email": false}, ...};
-- a kind not named is on, in the app and by mail.
ALTER TABLE users ADD COLUMN notification_prefs TEXT NOT NULL DEFAULT '{}';
