-- Students' school SSO (OpenID Connect): providers configured by operators, the provider each
-- establishment's students use, and the provider identities linked to accounts. An account
-- created through a provider has neither e-mail nor username: the "e-mail or username" check goes.
ALTER TABLE users DROP CONSTRAINT users_check;

CREATE TABLE identity_providers (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    issuer text NOT NULL,
    client_id text NOT NULL,
    -- nonce and ciphertext (ChaCha20-Poly1305 under the server's secret key), base64
    client_secret_sealed text NOT NULL,
    scopes text NOT NULL,
    claim_subject text NOT NULL,
    claim_first_name text NOT NULL,
    claim_last_name text NOT NULL,
    claim_birthdate text,
    claim_uai text,
    enabled boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);

ALTER TABLE organizations ADD COLUMN identity_provider_id uuid REFERENCES identity_providers (id);

CREATE TABLE user_identities (
    provider_id uuid NOT NULL REFERENCES identity_providers (id),
    subject text NOT NULL,
    user_id uuid NOT NULL REFERENCES users (id),
    first_name text NOT NULL,
    last_name text NOT NULL,
    created_at timestamptz NOT NULL,
    last_login_at timestamptz NOT NULL,
    PRIMARY KEY (provider_id, subject)
);
CREATE UNIQUE INDEX user_identities_user ON user_identities (user_id, provider_id);

GRANT SELECT, INSERT, UPDATE, DELETE ON identity_providers, user_identities TO acquis_app;
