-- Snooze: a pending ticket returns to open at snooze_until (a River job
-- scheduled then checks it still says so: a later snooze or a reopen
-- leaves that job nothing to do).
ALTER TABLE tickets ADD COLUMN snooze_until TIMESTAMPTZ;
