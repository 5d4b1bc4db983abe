-- Students of an establishment ("élèves"), imported from SIECLE or created at their first join,
-- the history of imports, and the link from a participation to its student.

ALTER TABLE organizations ADD COLUMN manages_students boolean NOT NULL DEFAULT false;

CREATE TABLE learners (
    organization_id uuid NOT NULL REFERENCES organizations (id),
    id uuid NOT NULL,
    user_id uuid REFERENCES users (id),
    ine text,
    first_name text NOT NULL,
    middle_name text,
    third_name text,
    last_name text NOT NULL,
    preferred_last_name text,
    sex text CHECK (sex IN ('M', 'F')),
    birthdate date,
    birth_country_code text,
    birth_province_code text,
    birth_city_code text,
    birth_city text,
    mef_code text,
    status text,
    division text,
    disabled boolean NOT NULL DEFAULT false,
    certifiable boolean,
    certifiable_at timestamptz,
    last_import_id uuid,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    deleted_at timestamptz,
    PRIMARY KEY (organization_id, id)
);
-- Re-imports upsert on the INE; students created at their first join have none.
CREATE UNIQUE INDEX learners_ine ON learners (organization_id, ine);
CREATE UNIQUE INDEX learners_user ON learners (organization_id, user_id)
    WHERE user_id IS NOT NULL AND deleted_at IS NULL;
CREATE INDEX learners_birthdate ON learners (organization_id, birthdate);
CREATE INDEX learners_name ON learners (organization_id, lower(last_name), lower(first_name));

CREATE TABLE learner_imports (
    organization_id uuid NOT NULL REFERENCES organizations (id),
    id uuid NOT NULL,
    created_by uuid NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL,
    filename text NOT NULL,
    added integer NOT NULL,
    updated integer NOT NULL,
    disabled integer NOT NULL,
    PRIMARY KEY (organization_id, id)
);

ALTER TABLE campaign_participations ADD COLUMN learner_id uuid;
CREATE INDEX participations_learner ON campaign_participations (organization_id, learner_id);

-- Participations started before this migration get the student their establishment did not
-- import: one per (establishment, account), named like the account. The owner runs migrations;
-- FORCE is lifted meanwhile so that row-level security does not hide the rows from it.
ALTER TABLE campaign_participations NO FORCE ROW LEVEL SECURITY;
INSERT INTO learners (organization_id, id, user_id, first_name, last_name, created_at, updated_at)
SELECT p.organization_id, gen_random_uuid(), p.user_id, u.first_name, u.last_name,
       min(p.created_at), min(p.created_at)
FROM campaign_participations p JOIN users u ON u.id = p.user_id
GROUP BY p.organization_id, p.user_id, u.first_name, u.last_name;
UPDATE campaign_participations p SET learner_id = l.id
FROM learners l WHERE l.organization_id = p.organization_id AND l.user_id = p.user_id;
ALTER TABLE campaign_participations FORCE ROW LEVEL SECURITY;

ALTER TABLE learners ENABLE ROW LEVEL SECURITY;
ALTER TABLE learners FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON learners
    USING (organization_id = acquis_current_tenant())
    WITH CHECK (organization_id = acquis_current_tenant());

ALTER TABLE learner_imports ENABLE ROW LEVEL SECURITY;
ALTER TABLE learner_imports FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON learner_imports
    USING (organization_id = acquis_current_tenant())
    WITH CHECK (organization_id = acquis_current_tenant());

GRANT SELECT, INSERT, UPDATE, DELETE ON learners, learner_imports TO acquis_app;
