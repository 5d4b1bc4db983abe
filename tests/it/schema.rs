//! The schema itself: both migration trees match, every tenant-owned table carries
//! `organization_id` and (PostgreSQL) forced row-level security, and the app role cannot bypass it.

use crate::harness::TestApp;

/// Global tables: accounts, sessions and registries that are not owned by one establishment.
const GLOBAL_TABLES: &[&str] = &[
    "_sqlx_migrations",
    "users",
    "sessions",
    "password_reset_tokens",
    "organizations",
    "invitation_links",
    "content_packages",
    "target_profiles",
    "campaign_codes",
    "assessments",
    "answers",
    "knowledge_states",
    "knowledge_versions",
    "saved_tutorials",
    "challenge_reports",
    // Students' school SSO: providers are the platform's, identities belong to accounts.
    "identity_providers",
    "user_identities",
    // Operators' configuration about establishments (like an establishment's identity provider):
    // written by operators only, read by an establishment for its own id.
    "target_profile_offers",
    "designer_tokens",
    // Who owns a content package or challenge-type id (platform-wide, like content_packages).
    "package_owners",
    // The INE an account is linked to per establishment (the account's, like its identities).
    "student_ine_links",
    // Attempt counters, keyed by digests.
    "throttles",
];

#[test]
fn both_backends_ship_the_same_migration_versions() {
    let (sqlite, postgres) = acquis_store::migration_versions();
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, postgres);
}

#[tokio::test]
async fn every_tenant_table_has_organization_id_and_forced_rls() {
    let app = TestApp::spawn().await;
    use sqlx::Connection;
    let tables: Vec<(String, bool)> = if app.db.postgres {
        let mut c = sqlx::PgConnection::connect(&app.db.owner_url)
            .await
            .unwrap();
        let rows: Vec<(String, bool, bool, bool)> = sqlx::query_as(
            "SELECT c.relname::text, c.relrowsecurity, c.relforcerowsecurity, \
               EXISTS (SELECT 1 FROM information_schema.columns col WHERE col.table_schema = 'public' \
                       AND col.table_name = c.relname AND col.column_name = 'organization_id' AND col.is_nullable = 'NO') \
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')",
        )
        .fetch_all(&mut c)
        .await
        .unwrap();
        for (name, rls, forced, has_org) in &rows {
            if GLOBAL_TABLES.contains(&name.as_str()) {
                continue;
            }
            assert!(
                has_org,
                "tenant table {name} lacks a NOT NULL organization_id"
            );
            assert!(
                *rls && *forced,
                "tenant table {name} lacks forced row-level security"
            );
        }
        // The application's role can neither bypass RLS nor own the tables.
        let (sup, bypass): (bool, bool) = sqlx::query_as(
            "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = 'acquis_app'",
        )
        .fetch_one(&mut c)
        .await
        .unwrap();
        assert!(!sup && !bypass);
        let owned: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = 'acquis_app'",
        )
        .fetch_one(&mut c)
        .await
        .unwrap();
        assert_eq!(owned, 0);
        rows.into_iter().map(|(n, _, _, o)| (n, o)).collect()
    } else {
        let mut c = sqlx::SqliteConnection::connect(&app.db.owner_url)
            .await
            .unwrap();
        let names: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        )
        .fetch_all(&mut c)
        .await
        .unwrap();
        let mut out = Vec::new();
        for name in names {
            let has: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM pragma_table_info($1) WHERE name = 'organization_id' AND \"notnull\" = 1",
            )
            .bind(&name)
            .fetch_one(&mut c)
            .await
            .unwrap();
            out.push((name, has == 1));
        }
        out
    };
    let tenant_tables: Vec<_> = tables
        .iter()
        .filter(|(n, _)| !GLOBAL_TABLES.contains(&n.as_str()))
        .collect();
    assert!(tenant_tables.len() >= 3, "{tables:?}");
    for (name, has_org) in tenant_tables {
        assert!(
            has_org,
            "tenant table {name} lacks a NOT NULL organization_id"
        );
    }
}

#[tokio::test]
async fn the_server_refuses_a_role_that_bypasses_rls() {
    let Some(admin) = crate::harness::postgres_admin_url() else {
        return;
    };
    let app = TestApp::spawn().await;
    let err = acquis_store::Store::connect(&acquis_store::ConnectOptions {
        url: app.db.owner_url.clone(),
        migrate_url: None,
        max_connections: 1,
        cache_ttl: std::time::Duration::ZERO,
    })
    .await
    .unwrap_err();
    assert!(
        err.to_string().contains("would bypass row-level security"),
        "{err} ({admin})"
    );
}

/// Global tables holding students' personal data, walled on PostgreSQL by row-level security
/// (enabled, not forced: the schema owner's narrow functions read past it).
const WALLED_GLOBAL_TABLES: &[&str] = &["student_ine_links"];

#[tokio::test]
async fn students_ine_and_birth_dates_sit_behind_a_wall_even_in_the_global_registry() {
    let app = TestApp::spawn().await;
    if !app.db.postgres {
        // SQLite has no roles: the store's queries are the wall there (one process, one file).
        return;
    }
    use sqlx::Connection;
    let student = app.user("eleve@exemple.fr", "Zoé", "Curie").await;
    let org = app.org("Lycée Pix", "0190012M").await;
    app.owner_exec(
        &format!(
            "INSERT INTO student_ine_links (user_id, organization_id, ine, birthdate, updated_at) \
             VALUES ('{}', '{}', '123456789AB', '2010-03-04', now())",
            student.id, org.id
        ),
        None,
    )
    .await;
    let mut owner = sqlx::PgConnection::connect(&app.db.owner_url)
        .await
        .unwrap();
    for table in WALLED_GLOBAL_TABLES {
        let rls: bool =
            sqlx::query_scalar("SELECT relrowsecurity FROM pg_class WHERE relname = $1")
                .bind(table)
                .fetch_one(&mut owner)
                .await
                .unwrap();
        assert!(
            rls,
            "{table} holds students' personal data without row-level security"
        );
    }
    let mut c = sqlx::PgConnection::connect(&app.db.app_url).await.unwrap();
    let seen: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM student_ine_links")
        .fetch_one(&mut c)
        .await
        .unwrap();
    assert_eq!(seen, 0, "the app role reads INEs with no tenant set");
    // Another establishment learns only which account the INE designates.
    let other = app.org("Collège Voisin", "0190013N").await;
    let mut tx = c.begin().await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SET LOCAL app.tenant_id = '{}'",
        other.id
    )))
    .execute(&mut *tx)
    .await
    .unwrap();
    let seen: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM student_ine_links")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(seen, 0);
    let account: Option<uuid::Uuid> =
        sqlx::query_scalar("SELECT acquis_ine_account('123456789AB', '2010-03-04')")
            .fetch_one(&mut *tx)
            .await
            .unwrap();
    assert_eq!(account, Some(student.id));
    tx.rollback().await.unwrap();
    // The account itself reads its own links.
    let mut tx = c.begin().await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SET LOCAL app.user_id = '{}'",
        student.id
    )))
    .execute(&mut *tx)
    .await
    .unwrap();
    let seen: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM student_ine_links")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(seen, 1);
}
