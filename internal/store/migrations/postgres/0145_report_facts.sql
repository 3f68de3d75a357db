-- The summary report's narrow per-ticket facts (issue 14): one row per
-- ticket with each moment the report reads as whole Unix seconds (each
-- moment truncated to its second, as the report defines its durations), the
-- keys it groups and filters by, and the SLA outcome. The report reads
-- these rows by the index of the moment it counts, never the wide tickets
-- rows. Triggers keep the row in the same transaction as the ticket's
-- change, whichever statement made it: they are the one way the table is
-- written (the backfill below aside).
CREATE TABLE report_facts (
    ticket_id        BIGINT PRIMARY KEY REFERENCES tickets (id) ON DELETE CASCADE,
    mailbox_id       BIGINT NOT NULL,
    team_id          BIGINT,
    assignee_id      BIGINT,
    created_s        BIGINT NOT NULL,
    first_response_s BIGINT,
    solved_s         BIGINT,
    csat_s           BIGINT,
    csat_good        INTEGER NOT NULL DEFAULT 0,
    -- The ticket's SLA clock: its policy (NULL without a clock) and 1 when
    -- it never breached, 0 when it did.
    sla_policy_id    BIGINT,
    sla_met          INTEGER
);
-- One index per moment, each holding every column its statement reads
-- (the keys, the filters, the figures, and the ticket for tags): the
-- report reads the index alone, never a row.
CREATE INDEX report_facts_created ON report_facts (created_s, mailbox_id, team_id, assignee_id, ticket_id);
CREATE INDEX report_facts_first_response ON report_facts (first_response_s, created_s, mailbox_id, team_id, assignee_id, sla_policy_id, ticket_id)
    WHERE first_response_s IS NOT NULL;
CREATE INDEX report_facts_solved ON report_facts (solved_s, created_s, mailbox_id, team_id, assignee_id, sla_policy_id, sla_met, ticket_id)
    WHERE solved_s IS NOT NULL;
CREATE INDEX report_facts_csat ON report_facts (csat_s, csat_good, mailbox_id, team_id, assignee_id, ticket_id) WHERE csat_s IS NOT NULL;
-- Re-opens are read from the audit trail; this index holds only them.
CREATE INDEX ticket_events_reopen ON ticket_events (created_at, ticket_id)
    WHERE kind = 'status_changed' AND old_value IN ('solved', 'closed') AND new_value IN ('new', 'open', 'pending');

CREATE FUNCTION ticketer_epoch_s(t TIMESTAMPTZ) RETURNS BIGINT LANGUAGE sql IMMUTABLE AS
    $$ SELECT floor(extract(epoch FROM t))::bigint $$;

CREATE FUNCTION ticketer_report_facts_ticket() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO report_facts AS f (ticket_id, mailbox_id, team_id, assignee_id, created_s, first_response_s, solved_s, csat_s, csat_good)
    VALUES (NEW.id, NEW.mailbox_id, NEW.team_id, NEW.assignee_id, ticketer_epoch_s(NEW.created_at),
        ticketer_epoch_s(NEW.first_response_at), ticketer_epoch_s(NEW.solved_at), ticketer_epoch_s(NEW.csat_at),
        CASE WHEN NEW.csat_rating = 'good' THEN 1 ELSE 0 END)
    ON CONFLICT (ticket_id) DO UPDATE SET mailbox_id = EXCLUDED.mailbox_id, team_id = EXCLUDED.team_id,
        assignee_id = EXCLUDED.assignee_id, created_s = EXCLUDED.created_s, first_response_s = EXCLUDED.first_response_s,
        solved_s = EXCLUDED.solved_s, csat_s = EXCLUDED.csat_s, csat_good = EXCLUDED.csat_good;
    RETURN NULL;
END $$;
CREATE TRIGGER report_facts_ticket_ai AFTER INSERT ON tickets FOR EACH ROW EXECUTE FUNCTION ticketer_report_facts_ticket();
CREATE TRIGGER report_facts_ticket_au AFTER UPDATE OF mailbox_id, team_id, assignee_id, created_at, first_response_at, solved_at, csat_at, csat_rating
    ON tickets FOR EACH ROW EXECUTE FUNCTION ticketer_report_facts_ticket();

CREATE FUNCTION ticketer_report_facts_sla() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE report_facts SET sla_policy_id = NULL, sla_met = NULL WHERE ticket_id = OLD.ticket_id;
    ELSE
        UPDATE report_facts SET sla_policy_id = NEW.policy_id, sla_met = CASE WHEN NEW.breaches = '[]' THEN 1 ELSE 0 END
        WHERE ticket_id = NEW.ticket_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER report_facts_sla AFTER INSERT OR DELETE OR UPDATE OF policy_id, breaches ON ticket_sla
    FOR EACH ROW EXECUTE FUNCTION ticketer_report_facts_sla();

-- Backfill: every ticket stored before this migration.
INSERT INTO report_facts (ticket_id, mailbox_id, team_id, assignee_id, created_s, first_response_s, solved_s, csat_s, csat_good, sla_policy_id, sla_met)
SELECT t.id, t.mailbox_id, t.team_id, t.assignee_id, ticketer_epoch_s(t.created_at), ticketer_epoch_s(t.first_response_at),
    ticketer_epoch_s(t.solved_at), ticketer_epoch_s(t.csat_at), CASE WHEN t.csat_rating = 'good' THEN 1 ELSE 0 END,
    sl.policy_id, CASE WHEN sl.ticket_id IS NULL THEN NULL WHEN sl.breaches = '[]' THEN 1 ELSE 0 END
FROM tickets t LEFT JOIN ticket_sla sl ON sl.ticket_id = t.id;
