-- Content designers' studio: the API tokens `acquis-pack publish` sends, and which establishments
-- are offered a target profile that operators restricted to a list.
--
-- An offer names a profile by package and key rather than by one version's row, so it carries
-- over to the package's next versions. It is platform configuration written by operators (like
-- an establishment's identity provider), read by an establishment only for its own id.
CREATE TABLE target_profile_offers (
    package_id text NOT NULL,
    profile_key text NOT NULL,
    organization_id uuid NOT NULL REFERENCES organizations(id),
    created_by uuid REFERENCES users(id),
    created_at timestamptz NOT NULL,
    PRIMARY KEY (package_id, profile_key, organization_id)
);
CREATE INDEX target_profile_offers_organization ON target_profile_offers (organization_id);

-- Only the sha256 of a token is kept: it is shown once, at creation.
CREATE TABLE designer_tokens (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users(id),
    name text NOT NULL,
    token_sha256 text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL,
    last_used_at timestamptz,
    revoked_at timestamptz
);
CREATE INDEX designer_tokens_user ON designer_tokens (user_id);

GRANT SELECT, INSERT, UPDATE, DELETE ON target_profile_offers, designer_tokens TO acquis_app;
