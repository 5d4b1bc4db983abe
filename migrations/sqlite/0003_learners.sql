-- Students of an establishment ("élèves"), imported from SIECLE or created at their first join,
-- the history of imports, and the link from a participation to its student.

ALTER TABLE organizations ADD COLUMN manages_students BOOLEAN NOT NULL DEFAULT 0;

CREATE TABLE learners (
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    id BLOB NOT NULL,
    user_id BLOB REFERENCES users (id),
    ine TEXT,
    first_name TEXT NOT NULL,
    middle_name TEXT,
    third_name TEXT,
    last_name TEXT NOT NULL,
    preferred_last_name TEXT,
    sex TEXT CHECK (sex IN ('M', 'F')),
    birthdate TEXT,
    birth_country_code TEXT,
    birth_province_code TEXT,
    birth_city_code TEXT,
    birth_city TEXT,
    mef_code TEXT,
    status TEXT,
    division TEXT,
    disabled BOOLEAN NOT NULL DEFAULT 0,
    certifiable BOOLEAN,
    certifiable_at TEXT,
    last_import_id BLOB,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT,
    PRIMARY KEY (organization_id, id)
);
-- Re-imports upsert on the INE; students created at their first join have none.
CREATE UNIQUE INDEX learners_ine ON learners (organization_id, ine);
CREATE UNIQUE INDEX learners_user ON learners (organization_id, user_id)
    WHERE user_id IS NOT NULL AND deleted_at IS NULL;
CREATE INDEX learners_birthdate ON learners (organization_id, birthdate);
CREATE INDEX learners_name ON learners (organization_id, lower(last_name), lower(first_name));

CREATE TABLE learner_imports (
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    id BLOB NOT NULL,
    created_by BLOB NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    filename TEXT NOT NULL,
    added INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    disabled INTEGER NOT NULL,
    PRIMARY KEY (organization_id, id)
);

ALTER TABLE campaign_participations ADD COLUMN learner_id BLOB;
CREATE INDEX participations_learner ON campaign_participations (organization_id, learner_id);

-- Participations started before this migration get the student their establishment did not
-- import: one per (establishment, account), named like the account.
INSERT INTO learners (organization_id, id, user_id, first_name, last_name, created_at, updated_at)
SELECT p.organization_id, randomblob(16), p.user_id, u.first_name, u.last_name,
       min(p.created_at), min(p.created_at)
FROM campaign_participations p JOIN users u ON u.id = p.user_id
GROUP BY p.organization_id, p.user_id, u.first_name, u.last_name;
UPDATE campaign_participations SET learner_id = (
    SELECT l.id FROM learners l
    WHERE l.organization_id = campaign_participations.organization_id
      AND l.user_id = campaign_participations.user_id);
