-- Failed sign-ins per account and per remote address, in fixed windows: in
-- the database so that every replica enforces one limit.
CREATE TABLE login_failures (
    key          TEXT PRIMARY KEY, -- "account:<email>" or "address:<ip>"
    window_start TIMESTAMP NOT NULL,
    fails        INTEGER NOT NULL
);
CREATE INDEX login_failures_window ON login_failures (window_start);
