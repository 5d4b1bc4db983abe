-- SIECLE imports as jobs in the database rather than in one app server's memory: any server
-- shows a job's progress and outcome, a refused file's first errors and its full error report
-- (CSV) are read from here, and an establishment runs one import at a time.

CREATE TABLE learner_import_jobs (
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    id BLOB NOT NULL,
    created_by BLOB NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    filename TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('RUNNING', 'DONE', 'FAILED')),
    done INTEGER NOT NULL DEFAULT 0,
    total INTEGER NOT NULL DEFAULT 0,
    heartbeat_at TEXT NOT NULL,
    finished_at TEXT,
    http_status INTEGER,
    error_count INTEGER NOT NULL DEFAULT 0,
    errors_preview TEXT,
    error_report BLOB,
    added INTEGER,
    updated INTEGER,
    disabled INTEGER,
    PRIMARY KEY (organization_id, id)
);
CREATE UNIQUE INDEX learner_import_jobs_running ON learner_import_jobs (organization_id)
    WHERE state = 'RUNNING';
