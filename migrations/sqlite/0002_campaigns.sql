-- Content packages, campaigns, participations, assessments and the student's lifelong profile.
-- Global: packages and target profiles (platform content), the campaign-code registry, what a
-- student did (assessments, answers, knowledge states: theirs for life, across establishments).
-- Tenant-owned: campaigns and participations (with the results frozen when sent).
-- SQLite has no row-level security: the application's tenant filter is the wall here.

CREATE TABLE content_packages (
    digest TEXT PRIMARY KEY,
    package_id TEXT NOT NULL,
    version TEXT NOT NULL,
    kind TEXT NOT NULL,
    archive BLOB NOT NULL,
    published_by BLOB REFERENCES users (id),
    published_at TEXT NOT NULL,
    UNIQUE (package_id, version)
);

CREATE TABLE target_profiles (
    id BLOB PRIMARY KEY,
    package_digest TEXT NOT NULL REFERENCES content_packages (digest),
    profile_key TEXT NOT NULL,
    name TEXT NOT NULL,
    category TEXT NOT NULL,
    description TEXT NOT NULL,
    offered_to_all BOOLEAN NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    UNIQUE (package_digest, profile_key)
);

CREATE TABLE campaigns (
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    id BLOB NOT NULL,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('ASSESSMENT', 'PROFILES_COLLECTION')),
    target_profile_id BLOB REFERENCES target_profiles (id),
    title TEXT,
    landing_text TEXT,
    external_id_label TEXT,
    external_id_type TEXT CHECK (external_id_type IN ('TEXT', 'EMAIL')),
    multiple_sendings BOOLEAN NOT NULL DEFAULT 0,
    owner_id BLOB NOT NULL REFERENCES users (id),
    created_by BLOB REFERENCES users (id),
    created_at TEXT NOT NULL,
    archived_at TEXT,
    deleted_at TEXT,
    PRIMARY KEY (organization_id, id),
    CHECK ((kind = 'ASSESSMENT') = (target_profile_id IS NOT NULL))
);
CREATE INDEX campaigns_created ON campaigns (organization_id, created_at);

CREATE TABLE campaign_codes (
    code TEXT PRIMARY KEY,
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    campaign_id BLOB NOT NULL
);

CREATE TABLE campaign_participations (
    organization_id BLOB NOT NULL,
    id BLOB NOT NULL,
    campaign_id BLOB NOT NULL,
    user_id BLOB NOT NULL REFERENCES users (id),
    external_id TEXT,
    status TEXT NOT NULL CHECK (status IN ('STARTED', 'SHARED')),
    is_improved BOOLEAN NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    shared_at TEXT,
    deleted_at TEXT,
    mastery_percent INTEGER,
    validated_skills INTEGER,
    pix_score INTEGER,
    results TEXT,
    PRIMARY KEY (organization_id, id),
    FOREIGN KEY (organization_id, campaign_id) REFERENCES campaigns (organization_id, id)
);
CREATE UNIQUE INDEX participations_current ON campaign_participations (organization_id, campaign_id, user_id)
    WHERE is_improved = 0 AND deleted_at IS NULL;
CREATE INDEX participations_user ON campaign_participations (user_id);

CREATE TABLE assessments (
    id BLOB PRIMARY KEY,
    user_id BLOB NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL CHECK (kind IN ('CAMPAIGN', 'COMPETENCE')),
    organization_id BLOB,
    participation_id BLOB,
    package_digest TEXT NOT NULL REFERENCES content_packages (digest),
    target_key TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('STARTED', 'COMPLETED')),
    current_challenge TEXT,
    answer_count INTEGER NOT NULL DEFAULT 0,
    checkpoint_seen INTEGER NOT NULL DEFAULT 0,
    seed INTEGER NOT NULL,
    improving BOOLEAN NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX assessments_user ON assessments (user_id, created_at);
CREATE INDEX assessments_participation ON assessments (participation_id);

CREATE TABLE answers (
    assessment_id BLOB NOT NULL REFERENCES assessments (id),
    challenge_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    user_id BLOB NOT NULL REFERENCES users (id),
    skill_id TEXT,
    value TEXT NOT NULL,
    result TEXT NOT NULL CHECK (result IN ('ok', 'ko', 'partially', 'aband', 'neutralised')),
    created_at TEXT NOT NULL,
    PRIMARY KEY (assessment_id, challenge_id),
    UNIQUE (assessment_id, seq)
);

CREATE TABLE knowledge_states (
    user_id BLOB NOT NULL REFERENCES users (id),
    tube_id TEXT NOT NULL,
    state TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (user_id, tube_id)
);

CREATE TABLE saved_tutorials (
    user_id BLOB NOT NULL REFERENCES users (id),
    tutorial_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, tutorial_id)
);

CREATE TABLE challenge_reports (
    id BLOB PRIMARY KEY,
    user_id BLOB NOT NULL REFERENCES users (id),
    assessment_id BLOB NOT NULL REFERENCES assessments (id),
    challenge_id TEXT NOT NULL,
    comment TEXT NOT NULL,
    created_at TEXT NOT NULL
);
