-- Who may publish under a content package id, or ship a challenge type under a type id: the
-- account that first published it (owner_id NULL: the platform's built-in content, which no
-- account can take or be given). Operators transfer a name from one account to another.
-- Global data like content_packages (see the PostgreSQL migration).
CREATE TABLE package_owners (
    kind TEXT NOT NULL CHECK (kind IN ('package', 'type')),
    name TEXT NOT NULL,
    owner_id BLOB REFERENCES users(id),
    claimed_at TEXT NOT NULL,
    transferred_by BLOB REFERENCES users(id),
    transferred_at TEXT,
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
