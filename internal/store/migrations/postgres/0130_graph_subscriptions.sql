-- Microsoft Graph change-notification subscriptions (one per Microsoft
-- mailbox and folder). A notification names its subscription id: the row
-- finds the mailbox, and its clientState must hash to client_state_hash
-- (SHA-256, hex) before it triggers anything. The clientState itself is
-- never stored: it is only sent to Graph when the subscription is created.
CREATE TABLE graph_subscriptions (
    mailbox_id        BIGINT NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE,
    folder            TEXT NOT NULL,
    subscription_id   TEXT NOT NULL UNIQUE,
    client_state_hash TEXT NOT NULL,
    notification_url  TEXT NOT NULL,
    expires_at        TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (mailbox_id, folder)
);
