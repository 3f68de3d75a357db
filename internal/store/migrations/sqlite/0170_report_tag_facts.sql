-- The summary report by tag (issue 14) reads its own facts: one row per
-- tag of a ticket, a copy of the ticket's report_facts row (migration
-- 0145) with the tag. Joining every fact with the tags was the report's
-- slowest grouping; these rows are only the tagged tickets', read by each
-- moment's index like report_facts. Triggers keep them in the same
-- transaction as the change, from both sides: a tag added or removed, and
-- the ticket's facts written, changed or deleted (a deleted ticket's facts
-- and tags both go; either trigger deletes its rows). Without a rowid, each
-- index holds the ticket and the tag (the key).
CREATE TABLE report_tag_facts (
    ticket_id        BIGINT NOT NULL,
    tag              TEXT NOT NULL,
    mailbox_id       BIGINT NOT NULL,
    team_id          BIGINT,
    assignee_id      BIGINT,
    created_s        BIGINT NOT NULL,
    first_response_s BIGINT,
    solved_s         BIGINT,
    csat_s           BIGINT,
    csat_good        INTEGER NOT NULL DEFAULT 0,
    sla_policy_id    BIGINT,
    sla_met          INTEGER,
    PRIMARY KEY (ticket_id, tag)
) WITHOUT ROWID;
-- report_facts' indexes with the tag: each statement reads its index alone.
CREATE INDEX report_tag_facts_created ON report_tag_facts (created_s, tag, mailbox_id, team_id, assignee_id);
CREATE INDEX report_tag_facts_first_response ON report_tag_facts (first_response_s, tag, created_s, mailbox_id, team_id, assignee_id, sla_policy_id)
    WHERE first_response_s IS NOT NULL;
CREATE INDEX report_tag_facts_solved ON report_tag_facts (solved_s, tag, created_s, mailbox_id, team_id, assignee_id, sla_policy_id, sla_met)
    WHERE solved_s IS NOT NULL;
CREATE INDEX report_tag_facts_csat ON report_tag_facts (csat_s, tag, csat_good, mailbox_id, team_id, assignee_id) WHERE csat_s IS NOT NULL;

-- A tag added, removed or renamed: its row, a copy of the ticket's facts.
CREATE TRIGGER report_tag_facts_tag_ai AFTER INSERT ON ticket_tags BEGIN
    INSERT INTO report_tag_facts (ticket_id, tag, mailbox_id, team_id, assignee_id, created_s, first_response_s, solved_s,
        csat_s, csat_good, sla_policy_id, sla_met)
    SELECT f.ticket_id, NEW.tag, f.mailbox_id, f.team_id, f.assignee_id, f.created_s, f.first_response_s, f.solved_s,
        f.csat_s, f.csat_good, f.sla_policy_id, f.sla_met
    FROM report_facts f WHERE f.ticket_id = NEW.ticket_id;
END;
CREATE TRIGGER report_tag_facts_tag_ad AFTER DELETE ON ticket_tags BEGIN
    DELETE FROM report_tag_facts WHERE ticket_id = OLD.ticket_id AND tag = OLD.tag;
END;
CREATE TRIGGER report_tag_facts_tag_au AFTER UPDATE ON ticket_tags BEGIN
    DELETE FROM report_tag_facts WHERE ticket_id = OLD.ticket_id AND tag = OLD.tag;
    INSERT INTO report_tag_facts (ticket_id, tag, mailbox_id, team_id, assignee_id, created_s, first_response_s, solved_s,
        csat_s, csat_good, sla_policy_id, sla_met)
    SELECT f.ticket_id, NEW.tag, f.mailbox_id, f.team_id, f.assignee_id, f.created_s, f.first_response_s, f.solved_s,
        f.csat_s, f.csat_good, f.sla_policy_id, f.sla_met
    FROM report_facts f WHERE f.ticket_id = NEW.ticket_id;
END;

-- The ticket's facts written or changed: its tags' rows follow; deleted:
-- they go.
CREATE TRIGGER report_tag_facts_facts_ai AFTER INSERT ON report_facts BEGIN
    INSERT INTO report_tag_facts (ticket_id, tag, mailbox_id, team_id, assignee_id, created_s, first_response_s, solved_s,
        csat_s, csat_good, sla_policy_id, sla_met)
    SELECT NEW.ticket_id, g.tag, NEW.mailbox_id, NEW.team_id, NEW.assignee_id, NEW.created_s, NEW.first_response_s, NEW.solved_s,
        NEW.csat_s, NEW.csat_good, NEW.sla_policy_id, NEW.sla_met
    FROM ticket_tags g WHERE g.ticket_id = NEW.ticket_id;
END;
CREATE TRIGGER report_tag_facts_facts_au AFTER UPDATE ON report_facts BEGIN
    UPDATE report_tag_facts SET mailbox_id = NEW.mailbox_id, team_id = NEW.team_id, assignee_id = NEW.assignee_id,
        created_s = NEW.created_s, first_response_s = NEW.first_response_s, solved_s = NEW.solved_s, csat_s = NEW.csat_s,
        csat_good = NEW.csat_good, sla_policy_id = NEW.sla_policy_id, sla_met = NEW.sla_met
    WHERE ticket_id = NEW.ticket_id;
END;
CREATE TRIGGER report_tag_facts_facts_ad AFTER DELETE ON report_facts BEGIN
    DELETE FROM report_tag_facts WHERE ticket_id = OLD.ticket_id;
END;

-- Backfill: every tag stored before this migration.
INSERT INTO report_tag_facts (ticket_id, tag, mailbox_id, team_id, assignee_id, created_s, first_response_s, solved_s,
    csat_s, csat_good, sla_policy_id, sla_met)
SELECT f.ticket_id, g.tag, f.mailbox_id, f.team_id, f.assignee_id, f.created_s, f.first_response_s, f.solved_s,
    f.csat_s, f.csat_good, f.sla_policy_id, f.sla_met
FROM ticket_tags g JOIN report_facts f ON f.ticket_id = g.ticket_id;
