-- no-transaction
-- Students' school SSO (OpenID Connect): providers configured by operators, the provider each
-- establishment's students use, and the provider identities linked to accounts. An account
-- created through a provider has neither e-mail nor username, so the users table loses its
-- "e-mail or username" check; SQLite cannot drop a check, hence the documented table rebuild
-- with foreign keys off (which a transaction cannot do, hence no-transaction).
PRAGMA foreign_keys = OFF;
BEGIN;

CREATE TABLE users_new (
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
    updated_at TEXT NOT NULL
);
INSERT INTO users_new SELECT id, email, username, first_name, last_name, password_hash,
    must_change_password, platform_role, terms_accepted_at, orga_terms_accepted_at,
    last_organization_id, created_at, updated_at FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;

CREATE TABLE identity_providers (
    id BLOB PRIMARY KEY,
    name TEXT NOT NULL,
    issuer TEXT NOT NULL,
    client_id TEXT NOT NULL,
    -- nonce and ciphertext (ChaCha20-Poly1305 under the server's secret key), base64
    client_secret_sealed TEXT NOT NULL,
    scopes TEXT NOT NULL,
    claim_subject TEXT NOT NULL,
    claim_first_name TEXT NOT NULL,
    claim_last_name TEXT NOT NULL,
    claim_birthdate TEXT,
    claim_uai TEXT,
    enabled BOOLEAN NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

ALTER TABLE organizations ADD COLUMN identity_provider_id BLOB REFERENCES identity_providers (id);

CREATE TABLE user_identities (
    provider_id BLOB NOT NULL REFERENCES identity_providers (id),
    subject TEXT NOT NULL,
    user_id BLOB NOT NULL REFERENCES users (id),
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_login_at TEXT NOT NULL,
    PRIMARY KEY (provider_id, subject)
);
CREATE UNIQUE INDEX user_identities_user ON user_identities (user_id, provider_id);

COMMIT;
PRAGMA foreign_key_check;
PRAGMA foreign_keys = ON;
