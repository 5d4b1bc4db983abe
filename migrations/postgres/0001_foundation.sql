-- Foundation: accounts, sessions, establishments (tenants), memberships, invitations, audit log.
-- Tenant-owned tables lead every key with organization_id and have row-level security forced;
-- the application connects as acquis_app, which owns nothing and cannot bypass RLS.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'acquis_app') THEN
        CREATE ROLE acquis_app NOLOGIN;
    END IF;
EXCEPTION
    WHEN duplicate_object OR unique_violation THEN NULL;
END
$$;

-- NULLIF: a pooled connection that once held a transaction-local setting answers '' afterwards.
CREATE FUNCTION acquis_current_tenant() RETURNS uuid
    LANGUAGE sql STABLE
    AS $$ SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid $$;

CREATE FUNCTION acquis_current_user() RETURNS uuid
    LANGUAGE sql STABLE
    AS $$ SELECT NULLIF(current_setting('app.user_id', true), '')::uuid $$;

CREATE TABLE users (
    id uuid PRIMARY KEY,
    email text UNIQUE,
    username text UNIQUE,
    first_name text NOT NULL,
    last_name text NOT NULL,
    password_hash text,
    must_change_password boolean NOT NULL DEFAULT false,
    platform_role text CHECK (platform_role IN ('OPERATOR', 'DESIGNER')),
    terms_accepted_at timestamptz,
    orga_terms_accepted_at timestamptz,
    last_organization_id uuid,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    CHECK (email IS NOT NULL OR username IS NOT NULL)
);

CREATE TABLE sessions (
    id text PRIMARY KEY,
    data bytea NOT NULL,
    expiry_date timestamptz NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expiry_date);

CREATE TABLE password_reset_tokens (
    token_hash text PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id),
    expires_at timestamptz NOT NULL,
    used_at timestamptz,
    created_at timestamptz NOT NULL
);
CREATE INDEX password_reset_tokens_user ON password_reset_tokens (user_id);

-- The tenant registry itself: global (a reference table under Citus).
CREATE TABLE organizations (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    uai text NOT NULL UNIQUE,
    kind text NOT NULL CHECK (kind IN ('COLLEGE', 'LYCEE', 'LYCEE_PRO', 'OTHER')),
    contact_email text NOT NULL,
    archived_at timestamptz,
    created_by uuid REFERENCES users (id),
    created_at timestamptz NOT NULL
);
CREATE INDEX organizations_name ON organizations (lower(name));

CREATE TABLE memberships (
    organization_id uuid NOT NULL REFERENCES organizations (id),
    id uuid NOT NULL,
    user_id uuid NOT NULL REFERENCES users (id),
    role text NOT NULL CHECK (role IN ('ADMIN', 'MEMBER')),
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    updated_by uuid REFERENCES users (id),
    disabled_at timestamptz,
    PRIMARY KEY (organization_id, id)
);
CREATE UNIQUE INDEX memberships_active_user ON memberships (organization_id, user_id) WHERE disabled_at IS NULL;
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE invitations (
    organization_id uuid NOT NULL REFERENCES organizations (id),
    id uuid NOT NULL,
    email text NOT NULL,
    code text NOT NULL,
    role text CHECK (role IN ('ADMIN', 'MEMBER')),
    status text NOT NULL CHECK (status IN ('pending', 'accepted', 'cancelled')),
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    accepted_by uuid REFERENCES users (id),
    PRIMARY KEY (organization_id, id)
);
CREATE UNIQUE INDEX invitations_pending_email ON invitations (organization_id, email) WHERE status = 'pending';

-- Global registry resolving an invitation link (which carries only the invitation id) to its
-- tenant, like the campaign-code registry: the tenant rows stay behind RLS.
CREATE TABLE invitation_links (
    invitation_id uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id)
);

CREATE TABLE audit_log (
    organization_id uuid NOT NULL REFERENCES organizations (id),
    id uuid NOT NULL,
    actor_user_id uuid REFERENCES users (id),
    action text NOT NULL,
    target text,
    details text,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (organization_id, id)
);

ALTER TABLE memberships ENABLE ROW LEVEL SECURITY;
ALTER TABLE memberships FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON memberships
    USING (organization_id = acquis_current_tenant())
    WITH CHECK (organization_id = acquis_current_tenant());
-- A signed-in user lists their own establishments before any tenant is chosen.
CREATE POLICY own_memberships ON memberships FOR SELECT
    USING (user_id = acquis_current_user());

ALTER TABLE invitations ENABLE ROW LEVEL SECURITY;
ALTER TABLE invitations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON invitations
    USING (organization_id = acquis_current_tenant())
    WITH CHECK (organization_id = acquis_current_tenant());

ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_log
    USING (organization_id = acquis_current_tenant())
    WITH CHECK (organization_id = acquis_current_tenant());

GRANT SELECT, INSERT, UPDATE, DELETE ON
    users, sessions, password_reset_tokens, organizations, memberships, invitations, invitation_links, audit_log
    TO acquis_app;
GRANT EXECUTE ON FUNCTION acquis_current_tenant(), acquis_current_user() TO acquis_app;
