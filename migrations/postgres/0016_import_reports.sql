-- SIECLE imports as jobs in the database rather than in one app server's memory: any server
-- shows a job's progress and outcome, a refused file's first errors and its full error report
-- (CSV) are read from here, and an establishment runs one import at a time across servers.

CREATE TABLE learner_import_jobs (
    organization_id uuid NOT NULL REFERENCES organizations (id),
    id uuid NOT NULL,
    created_by uuid NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL,
    filename text NOT NULL,
    state text NOT NULL CHECK (state IN ('RUNNING', 'DONE', 'FAILED')),
    -- Students written so far, of `total` (0 while the file is read).
    done integer NOT NULL DEFAULT 0,
    total integer NOT NULL DEFAULT 0,
    -- Refreshed by the server running the job; a running job without one for a while belongs to
    -- a server that died, and the next import takes its place.
    heartbeat_at timestamptz NOT NULL,
    finished_at timestamptz,
    -- FAILED: the HTTP status of the refusal, how many problems, the first ones (a JSON array of
    -- messages) and every one as a CSV report.
    http_status integer,
    error_count integer NOT NULL DEFAULT 0,
    errors_preview text,
    error_report bytea,
    -- DONE: what the import changed.
    added integer,
    updated integer,
    disabled integer,
    PRIMARY KEY (organization_id, id)
);
-- One running import per establishment, whichever server started it.
CREATE UNIQUE INDEX learner_import_jobs_running ON learner_import_jobs (organization_id)
    WHERE state = 'RUNNING';

ALTER TABLE learner_import_jobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE learner_import_jobs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON learner_import_jobs
    USING (organization_id = acquis_current_tenant())
    WITH CHECK (organization_id = acquis_current_tenant());

GRANT SELECT, INSERT, UPDATE, DELETE ON learner_import_jobs TO acquis_app;
