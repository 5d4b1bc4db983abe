-- The back-to-school campaigns the platform created for an establishment, one row per school
-- year: the yearly job is idempotent (a second run, or a second server, finds the row).
CREATE TABLE back_to_school_runs (
    organization_id uuid NOT NULL REFERENCES organizations (id),
    school_year integer NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (organization_id, school_year)
);
ALTER TABLE back_to_school_runs ENABLE ROW LEVEL SECURITY;
ALTER TABLE back_to_school_runs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON back_to_school_runs
    USING (organization_id = acquis_current_tenant())
    WITH CHECK (organization_id = acquis_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON back_to_school_runs TO acquis_app;
