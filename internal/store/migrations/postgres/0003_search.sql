-- Full-text search over ticket subjects and message bodies: a stored
-- generated tsvector per row (PostgreSQL keeps it in step with every INSERT and
-- UPDATE, and computes it for existing rows here: that is the backfill) and a
-- GIN index on each. The 'simple' configuration lower-cases and splits words
-- without language-specific stemming, so it works for every language.
-- Text is capped at 100,000 characters: a tsvector is limited to 1 MB, and an
-- over-long body must never make a message impossible to store.

ALTER TABLE tickets ADD COLUMN search tsvector
    GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, left(subject, 100000))) STORED;
CREATE INDEX tickets_search ON tickets USING gin (search);

-- Messages are searched by their visible text: what the sender wrote, without
-- the quoted history (which would make every reply match the whole thread).
ALTER TABLE messages ADD COLUMN search tsvector
    GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, left(visible_text, 100000))) STORED;
CREATE INDEX messages_search ON messages USING gin (search);

-- The outbound queue depth (a metric read at every scrape) counts only the
-- few messages still waiting, through this small partial index.
CREATE INDEX messages_delivery_pending ON messages (delivery_status) WHERE delivery_status IN ('queued', 'sending');
