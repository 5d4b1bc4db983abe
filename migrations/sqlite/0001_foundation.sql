-- Foundation: accounts, sessions, establishments (tenants), memberships, invitations, audit log.
-- SQLite has no row-level security: the application's tenant filter is the wall here.
-- uuid columns hold 16-byte blobs, times RFC 3339 UTC text (so text order is time order).

CREATE TABLE users (
    id BLOB PRIMARY KEY,
    email TEXT UNIQUE,
    username TEXT UNIQUE,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    password_hash TEXT,
    must_change_password BOOLEAN NOT NULL DEFAULT 0,
    platform_role TEXT CHECK (platform_role IN ('OPERATOR', 'DESIGNER')),
    terms_accepted_at TEXT,
    orga_terms_accepted_at TEXT,
    last_organization_id BLOB,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (email IS NOT NULL OR username IS NOT NULL)
);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    data BLOB NOT NULL,
    expiry_date TEXT NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expiry_date);

CREATE TABLE password_reset_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id BLOB NOT NULL REFERENCES users (id),
    expires_at TEXT NOT NULL,
    used_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX password_reset_tokens_user ON password_reset_tokens (user_id);

CREATE TABLE organizations (
    id BLOB PRIMARY KEY,
    name TEXT NOT NULL,
    uai TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('COLLEGE', 'LYCEE', 'LYCEE_PRO', 'OTHER')),
    contact_email TEXT NOT NULL,
    archived_at TEXT,
    created_by BLOB REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX organizations_name ON organizations (lower(name));

CREATE TABLE memberships (
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    id BLOB NOT NULL,
    user_id BLOB NOT NULL REFERENCES users (id),
    role TEXT NOT NULL CHECK (role IN ('ADMIN', 'MEMBER')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by BLOB REFERENCES users (id),
    disabled_at TEXT,
    PRIMARY KEY (organization_id, id)
);
CREATE UNIQUE INDEX memberships_active_user ON memberships (organization_id, user_id) WHERE disabled_at IS NULL;
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE invitations (
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    id BLOB NOT NULL,
    email TEXT NOT NULL,
    code TEXT NOT NULL,
    role TEXT CHECK (role IN ('ADMIN', 'MEMBER')),
    status TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'cancelled')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    accepted_by BLOB REFERENCES users (id),
    PRIMARY KEY (organization_id, id)
);
CREATE UNIQUE INDEX invitations_pending_email ON invitations (organization_id, email) WHERE status = 'pending';

CREATE TABLE invitation_links (
    invitation_id BLOB PRIMARY KEY,
    organization_id BLOB NOT NULL REFERENCES organizations (id)
);

CREATE TABLE audit_log (
    organization_id BLOB NOT NULL REFERENCES organizations (id),
    id BLOB NOT NULL,
    actor_user_id BLOB REFERENCES users (id),
    action TEXT NOT NULL,
    target TEXT,
    details TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (organization_id, id)
);
