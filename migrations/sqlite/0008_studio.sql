-- Content designers' studio: the API tokens `acquis-pack publish` sends, and which establishments
-- are offered a target profile that operators restricted to a list.
--
-- An offer names a profile by package and key rather than by one version's row, so it carries
-- over to the package's next versions. It is platform configuration written by operators (like
-- an establishment's identity provider), read by an establishment only for its own id.
CREATE TABLE target_profile_offers (
    package_id TEXT NOT NULL,
    profile_key TEXT NOT NULL,
    organization_id BLOB NOT NULL REFERENCES organizations(id),
    created_by BLOB REFERENCES users(id),
    created_at TEXT NOT NULL,
    PRIMARY KEY (package_id, profile_key, organization_id)
);
CREATE INDEX target_profile_offers_organization ON target_profile_offers (organization_id);

-- Only the sha256 of a token is kept: it is shown once, at creation.
CREATE TABLE designer_tokens (
    id BLOB PRIMARY KEY,
    user_id BLOB NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    token_sha256 TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
);
CREATE INDEX designer_tokens_user ON designer_tokens (user_id);
