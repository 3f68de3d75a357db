-- Automation rules (triggers), run in order of position. Conditions and
-- actions are JSON the rules package reads ([{"field","op","value"}],
-- [{"type","value"}]).
CREATE TABLE rules (
    id         BIGSERIAL PRIMARY KEY,
    name       TEXT NOT NULL,
    position   INTEGER NOT NULL DEFAULT 0,
    enabled    BOOLEAN NOT NULL DEFAULT TRUE,
    run_when   TEXT NOT NULL,
    match_mode TEXT NOT NULL DEFAULT 'all',
    conditions TEXT NOT NULL DEFAULT '[]',
    actions    TEXT NOT NULL DEFAULT '[]',
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX rules_trigger ON rules (run_when, position) WHERE enabled;
-- What a rule did once per ticket (a reply_macro is sent at most once per
-- ticket per rule; a time rule acts once on a ticket).
CREATE TABLE rule_runs (
    rule_id   BIGINT NOT NULL REFERENCES rules (id) ON DELETE CASCADE,
    ticket_id BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    action    TEXT NOT NULL,
    ran_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (rule_id, ticket_id, action)
);
CREATE INDEX rule_runs_ticket ON rule_runs (ticket_id);
-- Time rules find their candidate tickets through tickets_status_activity
-- (status, updated_at), migration 0001.
