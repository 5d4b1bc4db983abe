//! Tenant isolation: a member of A asking for B's establishment-space routes, or for B's ids under
//! A's routes, gets a 404 that reveals nothing.

use acquis_store::Organization;
use acquis_tenants::{Role, TenantScope};
use uuid::Uuid;

use crate::harness::{Client, PASSWORD, TestApp};

struct Side {
    org: Organization,
    admin_mid: Uuid,
    member_mid: Uuid,
    invitation: Uuid,
}

async fn side(app: &TestApp, name: &str, uai: &str, prefix: &str) -> Side {
    let org = app.org(name, uai).await;
    let (_, admin_mid) = app
        .member(
            &org,
            &format!("{prefix}.admin@test.fr"),
            "Ada",
            name,
            Role::Admin,
        )
        .await;
    let (_, member_mid) = app
        .member(
            &org,
            &format!("{prefix}.membre@test.fr"),
            "Max",
            name,
            Role::Member,
        )
        .await;
    let mut tx = app
        .store
        .tenant_tx(&TenantScope::system(org.tenant()))
        .await
        .unwrap();
    let (inv, _) = tx
        .invite(&format!("{prefix}.invite@test.fr"), None, "SECRETCODE")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    Side {
        org,
        admin_mid,
        member_mid,
        invitation: inv.id,
    }
}

/// Every establishment-space route, as (method, path) for the given establishment and ids.
fn routes(org: Uuid, member: Uuid, invitation: Uuid) -> Vec<(&'static str, String)> {
    vec![
        ("GET", format!("/orga/{org}")),
        ("GET", format!("/orga/{org}/campagnes")),
        ("GET", format!("/orga/{org}/eleves")),
        ("GET", format!("/orga/{org}/documentation")),
        ("GET", format!("/orga/{org}/equipe")),
        ("GET", format!("/orga/{org}/equipe/invitations")),
        ("GET", format!("/orga/{org}/equipe/inviter")),
        ("POST", format!("/orga/{org}/equipe/inviter")),
        (
            "POST",
            format!("/orga/{org}/equipe/invitations/{invitation}/renvoyer"),
        ),
        (
            "POST",
            format!("/orga/{org}/equipe/invitations/{invitation}/annuler"),
        ),
        ("POST", format!("/orga/{org}/equipe/membres/{member}/role")),
        (
            "POST",
            format!("/orga/{org}/equipe/membres/{member}/retirer"),
        ),
        ("POST", format!("/orga/{org}/equipe/quitter")),
    ]
}

async fn call(c: &Client, method: &str, path: &str) -> crate::harness::Page {
    match method {
        "GET" => c.get(path).await,
        _ => {
            c.post(path, &[("emails", "x@y.fr"), ("role", "ADMIN")])
                .await
        }
    }
}

async fn snapshot(app: &TestApp) -> (i64, i64, i64, i64) {
    (
        app.count("SELECT COUNT(*) FROM memberships WHERE disabled_at IS NULL")
            .await,
        app.count("SELECT COUNT(*) FROM memberships WHERE role = 'ADMIN'")
            .await,
        app.count("SELECT COUNT(*) FROM invitations WHERE status = 'pending'")
            .await,
        app.count("SELECT COUNT(*) FROM invitations").await,
    )
}

#[tokio::test]
async fn every_establishment_route_answers_404_across_tenants() {
    let app = TestApp::spawn().await;
    let a = side(&app, "Collège Alpha", "0000001A", "a").await;
    let b = side(&app, "Collège Bêta", "0000002B", "b").await;
    let before = snapshot(&app).await;

    let c = app.client();
    assert_eq!(c.login("a.admin@test.fr", PASSWORD).await.status, 200);
    // Sanity: A's own routes work for A's administrator.
    assert_eq!(
        c.get(&format!("/orga/{}/equipe", a.org.id)).await.status,
        200
    );

    // B's establishment in the path.
    for (method, path) in routes(b.org.id, b.member_mid, b.invitation) {
        let page = call(&c, method, &path).await;
        assert_eq!(page.status, 404, "{method} {path}");
        assert!(
            !page.text().contains("Bêta"),
            "{method} {path} leaks B's name"
        );
        page.assert_contains("Page introuvable");
    }
    // A's establishment in the path, B's ids in it.
    for (method, path) in routes(a.org.id, b.member_mid, b.invitation) {
        if !path.contains(&b.member_mid.to_string()) && !path.contains(&b.invitation.to_string()) {
            continue;
        }
        let page = call(&c, method, &path).await;
        assert_eq!(page.status, 404, "{method} {path}");
        assert!(
            !page.text().contains("Bêta"),
            "{method} {path} leaks B's name"
        );
    }
    assert_eq!(
        snapshot(&app).await,
        before,
        "a cross-tenant request changed something"
    );
    // B's pages never list A's data either.
    let cb = app.client();
    cb.login("b.admin@test.fr", PASSWORD).await;
    let page = cb.get(&format!("/orga/{}/equipe", b.org.id)).await;
    assert!(!page.text().contains("Alpha"));
    let page = cb
        .get(&format!("/orga/{}/equipe/invitations", b.org.id))
        .await;
    assert!(!page.text().contains("a.invite@test.fr"));
    let _ = (a.admin_mid, b.admin_mid);
}

#[tokio::test]
async fn a_tenant_transaction_never_reads_or_writes_another_tenant() {
    let app = TestApp::spawn().await;
    let a = side(&app, "Collège Alpha", "0000001A", "a").await;
    let b = side(&app, "Collège Bêta", "0000002B", "b").await;
    let mut tx = app
        .store
        .tenant_tx(&TenantScope::system(a.org.tenant()))
        .await
        .unwrap();
    assert!(tx.member(b.member_mid).await.unwrap().is_none());
    assert!(tx.invitation(b.invitation).await.unwrap().is_none());
    assert!(tx.set_role(b.member_mid, Role::Admin).await.is_err());
    assert!(tx.cancel_invitation(b.invitation).await.is_err());
    assert!(
        tx.members()
            .await
            .unwrap()
            .iter()
            .all(|m| m.last_name == "Collège Alpha")
    );
    tx.commit().await.unwrap();
    assert_eq!(
        app.count("SELECT COUNT(*) FROM invitations WHERE status = 'pending'")
            .await,
        2
    );
}

/// On PostgreSQL, row-level security is the second wall: even SQL without a tenant filter, run
/// as the application's role inside tenant A, sees none of B's rows and cannot write any.
#[tokio::test]
async fn postgres_row_level_security_hides_other_tenants_from_unfiltered_sql() {
    let app = TestApp::spawn().await;
    if !app.db.postgres {
        // The same guarantee on SQLite is the application filter, tested above.
        return;
    }
    let a = side(&app, "Collège Alpha", "0000001A", "a").await;
    let b = side(&app, "Collège Bêta", "0000002B", "b").await;
    use sqlx::Connection;
    let mut c = sqlx::PgConnection::connect(&app.db.app_url).await.unwrap();
    // No tenant set: nothing visible.
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM invitations")
        .fetch_one(&mut c)
        .await
        .unwrap();
    assert_eq!(n, 0);
    let mut tx = c.begin().await.unwrap();
    sqlx::query("SELECT set_config('app.tenant_id', $1, true)")
        .bind(a.org.id.to_string())
        .execute(&mut *tx)
        .await
        .unwrap();
    let orgs: Vec<Uuid> = sqlx::query_scalar("SELECT DISTINCT organization_id FROM memberships")
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    assert_eq!(orgs, vec![a.org.id]);
    let n = sqlx::query("UPDATE invitations SET status = 'cancelled' WHERE id = $1")
        .bind(b.invitation)
        .execute(&mut *tx)
        .await
        .unwrap()
        .rows_affected();
    assert_eq!(n, 0);
    let err = sqlx::query(
        "INSERT INTO audit_log (organization_id, id, action, created_at) VALUES ($1, $2, 'x', now())",
    )
    .bind(b.org.id)
    .bind(Uuid::now_v7())
    .execute(&mut *tx)
    .await
    .unwrap_err();
    assert!(err.to_string().contains("row-level security"), "{err}");
}

/// Campaign routes: B's campaign under A's establishment answers 404 to A's administrator, and
/// nothing changes.
#[tokio::test]
async fn campaign_routes_answer_404_across_tenants() {
    let app = TestApp::spawn().await;
    let a = crate::student::campaign(&app, "0000011A", "competence-1-1", false).await;
    let b = crate::student::campaign(&app, "0000012B", "competence-1-1", false).await;
    let c = app.client();
    c.login("admin.0000011A@test.fr", PASSWORD).await;
    c.post("/orga/cgu", &[("next", "/orga")]).await;
    assert_eq!(
        c.get(&format!("/orga/{}/campagnes/{}", a.org.id, a.campaign))
            .await
            .status,
        200
    );
    let archived_before = app
        .count("SELECT COUNT(*) FROM campaigns WHERE archived_at IS NOT NULL")
        .await;
    for (method, path) in [
        (
            "GET",
            format!("/orga/{}/campagnes/{}", a.org.id, b.campaign),
        ),
        (
            "GET",
            format!("/orga/{}/campagnes/{}/resultats", a.org.id, b.campaign),
        ),
        (
            "GET",
            format!("/orga/{}/campagnes/{}/parametres", a.org.id, b.campaign),
        ),
        (
            "POST",
            format!("/orga/{}/campagnes/{}/archiver", a.org.id, b.campaign),
        ),
        (
            "POST",
            format!("/orga/{}/campagnes/{}/desarchiver", a.org.id, b.campaign),
        ),
        (
            "GET",
            format!("/orga/{}/campagnes/{}/analyse", a.org.id, b.campaign),
        ),
        (
            "GET",
            format!("/orga/{}/campagnes/{}/export", a.org.id, b.campaign),
        ),
        (
            "GET",
            format!(
                "/orga/{}/campagnes/{}/participants/{}",
                a.org.id,
                b.campaign,
                uuid::Uuid::now_v7()
            ),
        ),
        (
            "POST",
            format!("/orga/{}/campagnes/{}/modifier", a.org.id, b.campaign),
        ),
        (
            "POST",
            format!(
                "/orga/{}/campagnes/{}/participations/{}/supprimer",
                a.org.id,
                b.campaign,
                uuid::Uuid::now_v7()
            ),
        ),
        (
            "POST",
            format!("/orga/{}/campagnes/{}/supprimer", a.org.id, b.campaign),
        ),
        (
            "GET",
            format!("/orga/{}/campagnes/{}", b.org.id, b.campaign),
        ),
        ("GET", format!("/orga/{}/campagnes", b.org.id)),
        ("GET", format!("/orga/{}/campagnes/nouvelle", b.org.id)),
        ("POST", format!("/orga/{}/campagnes", b.org.id)),
    ] {
        let page = call(&c, method, &path).await;
        assert_eq!(page.status, 404, "{method} {path}");
        assert!(
            !page.text().contains(&b.code),
            "{method} {path} leaks B's code"
        );
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM campaigns WHERE archived_at IS NOT NULL")
            .await,
        archived_before
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM campaigns").await, 2);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM campaigns WHERE deleted_at IS NULL")
            .await,
        2,
        "B's campaign is not deleted"
    );
}
