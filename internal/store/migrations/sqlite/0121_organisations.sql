-- Contacts and organisations (issue 12 item 11). A contact is every address
-- that wrote to us or that we wrote to (filled on ingest, as before); it
-- gains notes and a domain (the part after @, kept in its own indexed column
-- so that grouping and search need no expression). A contact belongs to the
-- organisation that holds its domain, unless an agent set its organisation
-- (organisation_set: then organisation_id, NULL being "none"). Free-mail
-- domains are refused as an organisation's domain (ticket/organisations.go).
CREATE TABLE organisations (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT NOT NULL,
    notes      TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);
CREATE TABLE organisation_domains (
    domain          TEXT PRIMARY KEY,
    organisation_id BIGINT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE
);
CREATE INDEX organisation_domains_org ON organisation_domains (organisation_id);

ALTER TABLE contacts ADD COLUMN notes TEXT NOT NULL DEFAULT '';
ALTER TABLE contacts ADD COLUMN domain TEXT NOT NULL DEFAULT '';
ALTER TABLE contacts ADD COLUMN organisation_set BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE contacts ADD COLUMN organisation_id BIGINT REFERENCES organisations (id) ON DELETE SET NULL;
UPDATE contacts SET domain = substr(email, instr(email, '@') + 1) WHERE instr(email, '@') > 0;
-- Search is by prefix of the address, its domain or the name, with GLOB
-- (case-sensitive, so these BINARY indexes serve it; the values are
-- lower-cased).
CREATE INDEX contacts_domain_prefix ON contacts (domain);
CREATE INDEX contacts_name_prefix ON contacts (lower(name));
CREATE INDEX contacts_organisation ON contacts (organisation_id) WHERE organisation_id IS NOT NULL;
-- A contact's tickets use tickets_requester_activity (0005).
