-- A connector's backfill resumes by the provider ids already received
-- (ReceivedProviderIDs), asked 500 at a time: without an index each question
-- reads the whole inbound table.
CREATE INDEX inbound_provider ON inbound (provider_id);
