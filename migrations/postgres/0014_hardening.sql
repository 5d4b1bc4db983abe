-- One row per creation form submitted in an establishment's space, keyed by the random id the
-- form carried: a second submission of the same form (a double click, a resent request, a
-- second server) finds the row and goes to what the first created instead of creating it
-- again. `target` is where the first submission led, set in the same transaction.
CREATE TABLE form_submissions (
    organization_id uuid NOT NULL REFERENCES organizations (id),
    key uuid NOT NULL,
    target text,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (organization_id, key)
);
ALTER TABLE form_submissions ENABLE ROW LEVEL SECURITY;
ALTER TABLE form_submissions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON form_submissions
    USING (organization_id = acquis_current_tenant())
    WITH CHECK (organization_id = acquis_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON form_submissions TO acquis_app;

-- Whose session it is, so that a changed or reset password closes the account's other
-- sessions on every server (the session's data is opaque JSON).
ALTER TABLE sessions ADD COLUMN user_id uuid;
CREATE INDEX sessions_user ON sessions (user_id) WHERE user_id IS NOT NULL;

-- Attempt counters shared by every app server: login, campaign codes, « Qui êtes-vous ? ».
-- `key` is a SHA-256 of what is counted (a client's address, a campaign and a name), so no
-- personal data sits in this global table; one row per key and fixed window.
CREATE TABLE throttles (
    key text NOT NULL,
    window_start bigint NOT NULL,
    hits integer NOT NULL,
    PRIMARY KEY (key, window_start)
);
CREATE INDEX throttles_window ON throttles (window_start);
GRANT SELECT, INSERT, UPDATE, DELETE ON throttles TO acquis_app;

-- Students' INE and birth date behind a wall: an establishment reads the links it made, an
-- account its own; what another establishment may learn is which account an INE and birth date
-- designate, through acquis_ine_account (SECURITY DEFINER: it runs as the schema's owner, which
-- the policy does not bind because it is not forced), and a wrong link is forgotten everywhere
-- through acquis_forget_ine.
ALTER TABLE student_ine_links ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_or_tenant ON student_ine_links
    USING (organization_id = acquis_current_tenant() OR user_id = acquis_current_user())
    WITH CHECK (organization_id = acquis_current_tenant() OR user_id = acquis_current_user());

-- The account a student with this INE and birth date has, by its most recent link, if that
-- account was never linked under another INE.
CREATE FUNCTION acquis_ine_account(p_ine text, p_birthdate date) RETURNS uuid
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT r.user_id FROM student_ine_links r
    WHERE r.ine = p_ine AND r.birthdate = p_birthdate
      AND (SELECT COUNT(DISTINCT r2.ine) FROM student_ine_links r2 WHERE r2.user_id = r.user_id) = 1
    ORDER BY r.updated_at DESC LIMIT 1
$$;
REVOKE ALL ON FUNCTION acquis_ine_account(text, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION acquis_ine_account(text, date) TO acquis_app;

-- A wrong link makes the account's INE doubtful in every establishment.
CREATE FUNCTION acquis_forget_ine(p_user uuid, p_ine text) RETURNS void
    LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    DELETE FROM student_ine_links WHERE user_id = p_user AND ine = p_ine
$$;
REVOKE ALL ON FUNCTION acquis_forget_ine(uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION acquis_forget_ine(uuid, text) TO acquis_app;
