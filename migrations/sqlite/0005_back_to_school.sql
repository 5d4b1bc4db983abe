-- The back-to-school campaigns the platform created for an establishment, one row per school
-- year: the yearly job is idempotent (a second run, or a second server, finds the row).
CREATE TABLE back_to_school_runs (
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    school_year INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (organization_id, school_year)
);
