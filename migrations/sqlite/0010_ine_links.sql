-- The INE each account is linked to, per establishment: lets a student who moves to another
-- establishment be recognised there (same INE and birth date) without « Qui êtes-vous ? ».
-- Global like the account it belongs to; written with every link and dissociation.
CREATE TABLE student_ine_links (
    user_id BLOB NOT NULL REFERENCES users(id),
    organization_id BLOB NOT NULL REFERENCES organizations(id),
    ine TEXT NOT NULL,
    birthdate TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (user_id, organization_id)
);
CREATE INDEX student_ine_links_user ON student_ine_links (user_id, updated_at);
-- Imports look students up by INE (one lookup per imported student).
CREATE INDEX student_ine_links_ine ON student_ine_links (ine, birthdate);

INSERT OR IGNORE INTO student_ine_links (user_id, organization_id, ine, birthdate, updated_at)
SELECT user_id, organization_id, ine, birthdate, updated_at FROM learners
WHERE user_id IS NOT NULL AND ine IS NOT NULL AND birthdate IS NOT NULL AND deleted_at IS NULL;
