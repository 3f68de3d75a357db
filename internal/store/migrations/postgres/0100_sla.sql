-- Business hours and SLA policies (issue 13). week and holidays are JSON the
-- sla package reads ([{"day","start","end"}], ["YYYY-MM-DD"]).
CREATE TABLE business_hours (
    id         BIGSERIAL PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    timezone   TEXT NOT NULL,
    week       TEXT NOT NULL DEFAULT '[]',
    holidays   TEXT NOT NULL DEFAULT '[]',
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
-- Policies apply in order of position (the first that matches); conditions
-- are rule conditions (JSON). A minutes value of 0 promises nothing.
CREATE TABLE sla_policies (
    id                     BIGSERIAL PRIMARY KEY,
    name                   TEXT NOT NULL UNIQUE,
    position               INTEGER NOT NULL DEFAULT 0,
    match_mode             TEXT NOT NULL DEFAULT 'all',
    conditions             TEXT NOT NULL DEFAULT '[]',
    first_response_minutes INTEGER NOT NULL DEFAULT 0,
    next_response_minutes  INTEGER NOT NULL DEFAULT 0,
    resolution_minutes     INTEGER NOT NULL DEFAULT 0,
    business_hours_id      BIGINT REFERENCES business_hours (id),
    created_at             TIMESTAMPTZ NOT NULL,
    updated_at             TIMESTAMPTZ NOT NULL
);
-- A ticket's SLA clock (sla.State): the policy it got (its name kept if the
-- policy goes), the running due times (NULL: met or not promised), when it
-- paused (pending), and the breaches recorded (JSON [{"target","due"}]).
CREATE TABLE ticket_sla (
    ticket_id             BIGINT PRIMARY KEY REFERENCES tickets (id) ON DELETE CASCADE,
    policy_id             BIGINT NOT NULL,
    policy_name           TEXT NOT NULL,
    first_response_due_at TIMESTAMPTZ,
    next_response_due_at  TIMESTAMPTZ,
    resolution_due_at     TIMESTAMPTZ,
    paused_at             TIMESTAMPTZ,
    breaches              TEXT NOT NULL DEFAULT '[]'
);
-- On the ticket, for the queue and the breach job: sla_due_at is the
-- earliest running due time (breached ones included; NULL while paused or
-- none), sla_check_at the earliest not yet breached. The queue's sort=due
-- reads tickets_sla_due in order (tickets without a due time after, by
-- last activity); the breach job reads only the tickets whose check time
-- has come through tickets_sla_check, never every ticket. The expressions
-- are the exact text of store/tickets.go's dueRank and dueKey.
ALTER TABLE tickets ADD COLUMN sla_due_at TIMESTAMPTZ;
ALTER TABLE tickets ADD COLUMN sla_check_at TIMESTAMPTZ;
CREATE INDEX tickets_sla_due ON tickets ((CASE WHEN sla_due_at IS NULL THEN 1 ELSE 0 END), (COALESCE(sla_due_at, updated_at)), id);
CREATE INDEX tickets_sla_check ON tickets (sla_check_at) WHERE sla_check_at IS NOT NULL;
