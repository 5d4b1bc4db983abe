-- A student's knowledge (every `knowledge_states` row of theirs) has one version, incremented
-- by every write of it, in the same transaction. An answer names the version its engine worked
-- from and is written only if it is still the current one: an app server may then answer from
-- its copy of the knowledge instead of reading it, and two answers racing on one student's
-- knowledge (two tests in two tabs) can no longer overwrite each other's tube.
-- No row: version 0.
CREATE TABLE knowledge_versions (
    user_id uuid PRIMARY KEY REFERENCES users(id),
    version bigint NOT NULL
);
GRANT SELECT, INSERT, UPDATE ON knowledge_versions TO acquis_app;
