-- Saved views that filter by team or by tag are counted from kept counts
-- too, like the built-in views since 0030. ticket_counts gains the team
-- (0: none); ticket_tag_counts counts each tag's tickets by the same four
-- fields. Both now leave spam tickets out, as every list does (0030
-- counted them: a ticket marked as spam stayed in the sidebar's counts).
DROP TRIGGER tickets_counts_insert;
DROP TRIGGER tickets_counts_delete;
DROP TRIGGER tickets_counts_update;
DROP TABLE ticket_counts;
CREATE TABLE ticket_counts (
    status      TEXT NOT NULL,
    assignee_id BIGINT NOT NULL DEFAULT 0,
    mailbox_id  BIGINT NOT NULL,
    team_id     BIGINT NOT NULL DEFAULT 0,
    n           BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (status, assignee_id, mailbox_id, team_id)
);
INSERT INTO ticket_counts (status, assignee_id, mailbox_id, team_id, n)
    SELECT status, COALESCE(assignee_id, 0), mailbox_id, COALESCE(team_id, 0), count(*) FROM tickets WHERE spam_at IS NULL
    GROUP BY status, COALESCE(assignee_id, 0), mailbox_id, COALESCE(team_id, 0);

CREATE TABLE ticket_tag_counts (
    tag         TEXT NOT NULL,
    status      TEXT NOT NULL,
    assignee_id BIGINT NOT NULL DEFAULT 0,
    mailbox_id  BIGINT NOT NULL,
    team_id     BIGINT NOT NULL DEFAULT 0,
    n           BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (tag, status, assignee_id, mailbox_id, team_id)
);
INSERT INTO ticket_tag_counts (tag, status, assignee_id, mailbox_id, team_id, n)
    SELECT g.tag, t.status, COALESCE(t.assignee_id, 0), t.mailbox_id, COALESCE(t.team_id, 0), count(*)
    FROM ticket_tags g JOIN tickets t ON t.id = g.ticket_id WHERE t.spam_at IS NULL
    GROUP BY g.tag, t.status, COALESCE(t.assignee_id, 0), t.mailbox_id, COALESCE(t.team_id, 0);

CREATE TRIGGER tickets_counts_insert AFTER INSERT ON tickets WHEN NEW.spam_at IS NULL BEGIN
    INSERT INTO ticket_counts (status, assignee_id, mailbox_id, team_id, n)
        VALUES (NEW.status, COALESCE(NEW.assignee_id, 0), NEW.mailbox_id, COALESCE(NEW.team_id, 0), 1)
        ON CONFLICT (status, assignee_id, mailbox_id, team_id) DO UPDATE SET n = n + 1;
END;
-- Before the row goes, while its tags still exist (the foreign key's
-- cascade removes them after it, when the tag trigger no longer finds it).
CREATE TRIGGER tickets_counts_delete BEFORE DELETE ON tickets WHEN OLD.spam_at IS NULL BEGIN
    UPDATE ticket_counts SET n = n - 1
        WHERE status = OLD.status AND assignee_id = COALESCE(OLD.assignee_id, 0) AND mailbox_id = OLD.mailbox_id
          AND team_id = COALESCE(OLD.team_id, 0);
    UPDATE ticket_tag_counts SET n = n - 1
        WHERE tag IN (SELECT tag FROM ticket_tags WHERE ticket_id = OLD.id) AND status = OLD.status
          AND assignee_id = COALESCE(OLD.assignee_id, 0) AND mailbox_id = OLD.mailbox_id AND team_id = COALESCE(OLD.team_id, 0);
END;
CREATE TRIGGER tickets_counts_update_old AFTER UPDATE OF status, assignee_id, mailbox_id, team_id, spam_at ON tickets
    WHEN OLD.spam_at IS NULL AND (OLD.status IS NOT NEW.status OR OLD.assignee_id IS NOT NEW.assignee_id
        OR OLD.mailbox_id IS NOT NEW.mailbox_id OR OLD.team_id IS NOT NEW.team_id OR NEW.spam_at IS NOT NULL)
BEGIN
    UPDATE ticket_counts SET n = n - 1
        WHERE status = OLD.status AND assignee_id = COALESCE(OLD.assignee_id, 0) AND mailbox_id = OLD.mailbox_id
          AND team_id = COALESCE(OLD.team_id, 0);
    UPDATE ticket_tag_counts SET n = n - 1
        WHERE tag IN (SELECT tag FROM ticket_tags WHERE ticket_id = OLD.id) AND status = OLD.status
          AND assignee_id = COALESCE(OLD.assignee_id, 0) AND mailbox_id = OLD.mailbox_id AND team_id = COALESCE(OLD.team_id, 0);
END;
CREATE TRIGGER tickets_counts_update_new AFTER UPDATE OF status, assignee_id, mailbox_id, team_id, spam_at ON tickets
    WHEN NEW.spam_at IS NULL AND (OLD.status IS NOT NEW.status OR OLD.assignee_id IS NOT NEW.assignee_id
        OR OLD.mailbox_id IS NOT NEW.mailbox_id OR OLD.team_id IS NOT NEW.team_id OR OLD.spam_at IS NOT NULL)
BEGIN
    INSERT INTO ticket_counts (status, assignee_id, mailbox_id, team_id, n)
        VALUES (NEW.status, COALESCE(NEW.assignee_id, 0), NEW.mailbox_id, COALESCE(NEW.team_id, 0), 1)
        ON CONFLICT (status, assignee_id, mailbox_id, team_id) DO UPDATE SET n = n + 1;
    INSERT INTO ticket_tag_counts (tag, status, assignee_id, mailbox_id, team_id, n)
        SELECT tag, NEW.status, COALESCE(NEW.assignee_id, 0), NEW.mailbox_id, COALESCE(NEW.team_id, 0), 1
        FROM ticket_tags WHERE ticket_id = NEW.id
        ON CONFLICT (tag, status, assignee_id, mailbox_id, team_id) DO UPDATE SET n = n + 1;
END;

-- A tag added to or removed from a ticket that exists.
CREATE TRIGGER ticket_tags_counts_insert AFTER INSERT ON ticket_tags BEGIN
    INSERT INTO ticket_tag_counts (tag, status, assignee_id, mailbox_id, team_id, n)
        SELECT NEW.tag, status, COALESCE(assignee_id, 0), mailbox_id, COALESCE(team_id, 0), 1
        FROM tickets WHERE id = NEW.ticket_id AND spam_at IS NULL
        ON CONFLICT (tag, status, assignee_id, mailbox_id, team_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER ticket_tags_counts_delete AFTER DELETE ON ticket_tags BEGIN
    UPDATE ticket_tag_counts SET n = n - 1
        WHERE tag = OLD.tag AND (status, assignee_id, mailbox_id, team_id) =
            (SELECT status, COALESCE(assignee_id, 0), mailbox_id, COALESCE(team_id, 0) FROM tickets WHERE id = OLD.ticket_id AND spam_at IS NULL);
END;
