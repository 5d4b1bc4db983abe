-- Who may publish under a content package id, or ship a challenge type under a type id: the
-- account that first published it (owner_id NULL: the platform's built-in content, which no
-- account can take or be given). Operators transfer a name from one account to another.
--
-- Global data like content_packages (a package serves every establishment): no organization_id,
-- hence no row-level security. A publication locks its package's row, so two publications of one
-- package are ordered (its versions only go up).
CREATE TABLE package_owners (
    kind text NOT NULL CHECK (kind IN ('package', 'type')),
    name text NOT NULL,
    owner_id uuid REFERENCES users(id),
    claimed_at timestamptz NOT NULL,
    transferred_by uuid REFERENCES users(id),
    transferred_at timestamptz,
    PRIMARY KEY (kind, name)
);
CREATE INDEX package_owners_owner ON package_owners (owner_id);

-- Packages already published belong to whoever published their first version (the built-in
-- `crcn` to the platform). Type ids are claimed at their package's next publication.
INSERT INTO package_owners (kind, name, owner_id, claimed_at)
SELECT 'package', p.package_id, p.published_by, p.published_at FROM content_packages p
WHERE p.published_at = (SELECT MIN(q.published_at) FROM content_packages q
                        WHERE q.package_id = p.package_id)
ON CONFLICT DO NOTHING;

GRANT SELECT, INSERT, UPDATE ON package_owners TO acquis_app;
