-- One row per creation form submitted in an establishment's space, keyed by the random id the
-- form carried: a second submission of the same form (a double click, a resent request) finds
-- the row and goes to what the first created instead of creating it again. `target` is where
-- the first submission led, set in the same transaction.
CREATE TABLE form_submissions (
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    key BLOB NOT NULL,
    target TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (organization_id, key)
);

-- Whose session it is, so that a changed or reset password closes the account's other
-- sessions (the session's data is opaque JSON).
ALTER TABLE sessions ADD COLUMN user_id BLOB;
CREATE INDEX sessions_user ON sessions (user_id) WHERE user_id IS NOT NULL;

-- Attempt counters: login, campaign codes, « Qui êtes-vous ? ». `key` is a SHA-256 of what is
-- counted (a client's address, a campaign and a name), so no personal data sits here; one row
-- per key and fixed window.
CREATE TABLE throttles (
    key TEXT NOT NULL,
    window_start INTEGER NOT NULL,
    hits INTEGER NOT NULL,
    PRIMARY KEY (key, window_start)
);
CREATE INDEX throttles_window ON throttles (window_start);
