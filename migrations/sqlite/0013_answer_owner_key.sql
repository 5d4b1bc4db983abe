-- An answer's student is its assessment's student: one foreign key on both columns says so.
-- The two separate keys it replaces let an answer name another student, and cost every answer a
-- second check. SQLite cannot change a table's keys: the table is rebuilt (nothing refers to it).
CREATE UNIQUE INDEX assessments_id_user ON assessments (id, user_id);
CREATE TABLE answers_rebuilt (
    assessment_id BLOB NOT NULL,
    challenge_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    user_id BLOB NOT NULL,
    skill_id TEXT,
    value TEXT NOT NULL,
    result TEXT NOT NULL CHECK (result IN ('ok', 'ko', 'partially', 'aband', 'neutralised')),
    created_at TEXT NOT NULL,
    timed_out BOOLEAN NOT NULL DEFAULT 0,
    PRIMARY KEY (assessment_id, challenge_id),
    UNIQUE (assessment_id, seq),
    FOREIGN KEY (assessment_id, user_id) REFERENCES assessments (id, user_id)
);
INSERT INTO answers_rebuilt (assessment_id, challenge_id, seq, user_id, skill_id, value, result,
    created_at, timed_out)
SELECT assessment_id, challenge_id, seq, user_id, skill_id, value, result, created_at, timed_out
FROM answers;
DROP TABLE answers;
ALTER TABLE answers_rebuilt RENAME TO answers;
