-- Teams and automatic assignment (issue 13). assignment is manual,
-- round_robin or load_balanced; max_open_per_agent 0 is no cap;
-- last_assignee_id is the round-robin cursor (the member last given a
-- ticket), read and moved under a row lock on the team so that two replicas
-- never hand out the same turn.
CREATE TABLE teams (
    id                 BIGSERIAL PRIMARY KEY,
    name               TEXT NOT NULL UNIQUE,
    assignment         TEXT NOT NULL DEFAULT 'manual',
    max_open_per_agent INTEGER NOT NULL DEFAULT 0,
    last_assignee_id   BIGINT NOT NULL DEFAULT 0,
    created_at         TIMESTAMPTZ NOT NULL
);
CREATE TABLE team_members (
    team_id BIGINT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user ON team_members (user_id);
-- A ticket's team, and a mailbox's default team for its new tickets; a
-- deleted team leaves them without one.
ALTER TABLE tickets ADD COLUMN team_id BIGINT REFERENCES teams (id) ON DELETE SET NULL;
CREATE INDEX tickets_team_activity ON tickets (team_id, updated_at DESC, id DESC);
ALTER TABLE mailboxes ADD COLUMN team_id BIGINT REFERENCES teams (id) ON DELETE SET NULL;
-- Available agents are given tickets automatically; away ones are skipped.
ALTER TABLE users ADD COLUMN available BOOLEAN NOT NULL DEFAULT TRUE;
