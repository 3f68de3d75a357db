-- The summary report's narrow per-ticket facts (issue 14): one row per
-- ticket with each moment the report reads as whole Unix seconds (each
-- moment truncated to its second, as the report defines its durations), the
-- keys it groups and filters by, and the SLA outcome. The report reads
-- these rows by the index of the moment it counts, never the wide tickets
-- rows, and never parses a text time. Triggers keep the row in the same
-- transaction as the ticket's change, whichever statement made it: they
-- are the one way the table is written (the backfill below aside).
CREATE TABLE report_facts (
    ticket_id        INTEGER PRIMARY KEY REFERENCES tickets (id) ON DELETE CASCADE,
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
-- (the keys, the filters, the figures; the rowid is the ticket): the
-- report reads the index alone, never a row.
CREATE INDEX report_facts_created ON report_facts (created_s, mailbox_id, team_id, assignee_id);
CREATE INDEX report_facts_first_response ON report_facts (first_response_s, created_s, mailbox_id, team_id, assignee_id, sla_policy_id)
    WHERE first_response_s IS NOT NULL;
CREATE INDEX report_facts_solved ON report_facts (solved_s, created_s, mailbox_id, team_id, assignee_id, sla_policy_id, sla_met)
    WHERE solved_s IS NOT NULL;
CREATE INDEX report_facts_csat ON report_facts (csat_s, csat_good, mailbox_id, team_id, assignee_id) WHERE csat_s IS NOT NULL;
-- Re-opens are read from the audit trail; this index holds only them.
CREATE INDEX ticket_events_reopen ON ticket_events (created_at, ticket_id)
    WHERE kind = 'status_changed' AND old_value IN ('solved', 'closed') AND new_value IN ('new', 'open', 'pending');

CREATE TRIGGER report_facts_ticket_ai AFTER INSERT ON tickets BEGIN
    INSERT INTO report_facts (ticket_id, mailbox_id, team_id, assignee_id, created_s, first_response_s, solved_s, csat_s, csat_good)
    VALUES (NEW.id, NEW.mailbox_id, NEW.team_id, NEW.assignee_id, CAST(strftime('%s', NEW.created_at) AS INTEGER),
        CAST(strftime('%s', NEW.first_response_at) AS INTEGER), CAST(strftime('%s', NEW.solved_at) AS INTEGER),
        CAST(strftime('%s', NEW.csat_at) AS INTEGER), CASE WHEN NEW.csat_rating = 'good' THEN 1 ELSE 0 END);
END;
CREATE TRIGGER report_facts_ticket_au AFTER UPDATE OF mailbox_id, team_id, assignee_id, created_at, first_response_at, solved_at, csat_at, csat_rating ON tickets BEGIN
    UPDATE report_facts SET mailbox_id = NEW.mailbox_id, team_id = NEW.team_id, assignee_id = NEW.assignee_id,
        created_s = CAST(strftime('%s', NEW.created_at) AS INTEGER),
        first_response_s = CAST(strftime('%s', NEW.first_response_at) AS INTEGER),
        solved_s = CAST(strftime('%s', NEW.solved_at) AS INTEGER),
        csat_s = CAST(strftime('%s', NEW.csat_at) AS INTEGER),
        csat_good = CASE WHEN NEW.csat_rating = 'good' THEN 1 ELSE 0 END
    WHERE ticket_id = NEW.id;
END;
CREATE TRIGGER report_facts_sla_ai AFTER INSERT ON ticket_sla BEGIN
    UPDATE report_facts SET sla_policy_id = NEW.policy_id, sla_met = CASE WHEN NEW.breaches = '[]' THEN 1 ELSE 0 END
    WHERE ticket_id = NEW.ticket_id;
END;
CREATE TRIGGER report_facts_sla_au AFTER UPDATE OF policy_id, breaches ON ticket_sla BEGIN
    UPDATE report_facts SET sla_policy_id = NEW.policy_id, sla_met = CASE WHEN NEW.breaches = '[]' THEN 1 ELSE 0 END
    WHERE ticket_id = NEW.ticket_id;
END;
CREATE TRIGGER report_facts_sla_ad AFTER DELETE ON ticket_sla BEGIN
    UPDATE report_facts SET sla_policy_id = NULL, sla_met = NULL WHERE ticket_id = OLD.ticket_id;
END;

-- Backfill: every ticket stored before this migration.
INSERT INTO report_facts (ticket_id, mailbox_id, team_id, assignee_id, created_s, first_response_s, solved_s, csat_s, csat_good, sla_policy_id, sla_met)
SELECT t.id, t.mailbox_id, t.team_id, t.assignee_id, CAST(strftime('%s', t.created_at) AS INTEGER),
    CAST(strftime('%s', t.first_response_at) AS INTEGER), CAST(strftime('%s', t.solved_at) AS INTEGER),
    CAST(strftime('%s', t.csat_at) AS INTEGER), CASE WHEN t.csat_rating = 'good' THEN 1 ELSE 0 END,
    sl.policy_id, CASE WHEN sl.ticket_id IS NULL THEN NULL WHEN sl.breaches = '[]' THEN 1 ELSE 0 END
FROM tickets t LEFT JOIN ticket_sla sl ON sl.ticket_id = t.id;
