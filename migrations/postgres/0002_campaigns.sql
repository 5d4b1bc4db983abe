-- Content packages, campaigns, participations, assessments and the student's lifelong profile.
-- Global: packages and target profiles (platform content), the campaign-code registry, what a
-- student did (assessments, answers, knowledge states: theirs for life, across establishments).
-- Tenant-owned: campaigns and participations (with the results frozen when sent).

CREATE TABLE content_packages (
    digest text PRIMARY KEY,
    package_id text NOT NULL,
    version text NOT NULL,
    kind text NOT NULL,
    archive bytea NOT NULL,
    published_by uuid REFERENCES users (id),
    published_at timestamptz NOT NULL,
    UNIQUE (package_id, version)
);

CREATE TABLE target_profiles (
    id uuid PRIMARY KEY,
    package_digest text NOT NULL REFERENCES content_packages (digest),
    profile_key text NOT NULL,
    name text NOT NULL,
    category text NOT NULL,
    description text NOT NULL,
    offered_to_all boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL,
    UNIQUE (package_digest, profile_key)
);

CREATE TABLE campaigns (
    organization_id uuid NOT NULL REFERENCES organizations (id),
    id uuid NOT NULL,
    code text NOT NULL UNIQUE,
    name text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('ASSESSMENT', 'PROFILES_COLLECTION')),
    target_profile_id uuid REFERENCES target_profiles (id),
    title text,
    landing_text text,
    external_id_label text,
    external_id_type text CHECK (external_id_type IN ('TEXT', 'EMAIL')),
    multiple_sendings boolean NOT NULL DEFAULT false,
    owner_id uuid NOT NULL REFERENCES users (id),
    created_by uuid REFERENCES users (id),
    created_at timestamptz NOT NULL,
    archived_at timestamptz,
    deleted_at timestamptz,
    PRIMARY KEY (organization_id, id),
    CHECK ((kind = 'ASSESSMENT') = (target_profile_id IS NOT NULL))
);
CREATE INDEX campaigns_created ON campaigns (organization_id, created_at);

CREATE TABLE campaign_codes (
    code text PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id),
    campaign_id uuid NOT NULL
);

CREATE TABLE campaign_participations (
    organization_id uuid NOT NULL,
    id uuid NOT NULL,
    campaign_id uuid NOT NULL,
    user_id uuid NOT NULL REFERENCES users (id),
    external_id text,
    status text NOT NULL CHECK (status IN ('STARTED', 'SHARED')),
    is_improved boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL,
    shared_at timestamptz,
    deleted_at timestamptz,
    mastery_percent integer,
    validated_skills integer,
    pix_score integer,
    results text,
    PRIMARY KEY (organization_id, id),
    FOREIGN KEY (organization_id, campaign_id) REFERENCES campaigns (organization_id, id)
);
CREATE UNIQUE INDEX participations_current ON campaign_participations (organization_id, campaign_id, user_id)
    WHERE NOT is_improved AND deleted_at IS NULL;
CREATE INDEX participations_user ON campaign_participations (user_id);

CREATE TABLE assessments (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id),
    kind text NOT NULL CHECK (kind IN ('CAMPAIGN', 'COMPETENCE')),
    organization_id uuid,
    participation_id uuid,
    package_digest text NOT NULL REFERENCES content_packages (digest),
    target_key text NOT NULL,
    state text NOT NULL CHECK (state IN ('STARTED', 'COMPLETED')),
    current_challenge text,
    answer_count integer NOT NULL DEFAULT 0,
    checkpoint_seen integer NOT NULL DEFAULT 0,
    seed bigint NOT NULL,
    improving boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX assessments_user ON assessments (user_id, created_at);
CREATE INDEX assessments_participation ON assessments (participation_id);

CREATE TABLE answers (
    assessment_id uuid NOT NULL REFERENCES assessments (id),
    challenge_id text NOT NULL,
    seq integer NOT NULL,
    user_id uuid NOT NULL REFERENCES users (id),
    skill_id text,
    value text NOT NULL,
    result text NOT NULL CHECK (result IN ('ok', 'ko', 'partially', 'aband', 'neutralised')),
    created_at timestamptz NOT NULL,
    PRIMARY KEY (assessment_id, challenge_id),
    UNIQUE (assessment_id, seq)
);

CREATE TABLE knowledge_states (
    user_id uuid NOT NULL REFERENCES users (id),
    tube_id text NOT NULL,
    state text NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, tube_id)
);

CREATE TABLE saved_tutorials (
    user_id uuid NOT NULL REFERENCES users (id),
    tutorial_id text NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, tutorial_id)
);

CREATE TABLE challenge_reports (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id),
    assessment_id uuid NOT NULL REFERENCES assessments (id),
    challenge_id text NOT NULL,
    comment text NOT NULL,
    created_at timestamptz NOT NULL
);

ALTER TABLE campaigns ENABLE ROW LEVEL SECURITY;
ALTER TABLE campaigns FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON campaigns
    USING (organization_id = acquis_current_tenant())
    WITH CHECK (organization_id = acquis_current_tenant());

ALTER TABLE campaign_participations ENABLE ROW LEVEL SECURITY;
ALTER TABLE campaign_participations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON campaign_participations
    USING (organization_id = acquis_current_tenant())
    WITH CHECK (organization_id = acquis_current_tenant());

-- A student lists their own participations across establishments ("Mes parcours"), with the
-- campaigns they belong to, in a transaction that sets only app.user_id.
CREATE POLICY own_participations ON campaign_participations FOR SELECT
    USING (user_id = acquis_current_user());
CREATE POLICY campaigns_of_own_participations ON campaigns FOR SELECT
    USING (EXISTS (SELECT 1 FROM campaign_participations p
                   WHERE p.organization_id = campaigns.organization_id
                     AND p.campaign_id = campaigns.id AND p.user_id = acquis_current_user()));

GRANT SELECT, INSERT, UPDATE, DELETE ON
    content_packages, target_profiles, campaigns, campaign_codes, campaign_participations,
    assessments, answers, knowledge_states, saved_tutorials, challenge_reports
    TO acquis_app;
