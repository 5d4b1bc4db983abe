-- An answer's student is its assessment's student: one foreign key on both columns says so.
-- The two separate keys it replaces let an answer name another student, and cost every answer a
-- second check, which also locked the student's `users` row (a WAL record per answer).
ALTER TABLE assessments ADD CONSTRAINT assessments_id_user UNIQUE (id, user_id);
ALTER TABLE answers
    DROP CONSTRAINT answers_assessment_id_fkey,
    DROP CONSTRAINT answers_user_id_fkey,
    ADD CONSTRAINT answers_assessment_user_fkey FOREIGN KEY (assessment_id, user_id)
        REFERENCES assessments (id, user_id);
