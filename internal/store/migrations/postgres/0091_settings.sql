-- Settings of the whole installation that admins change at run time, one a
-- row (require_2fa: "true" makes every user enrol in two-factor before
-- using the app). A missing row is the default.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
