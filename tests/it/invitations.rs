//! Accepting an invitation: create an account or log in, become a member, accept the terms.

use acquis_tenants::{Role, TenantScope, invitation_code};
use time::{Duration, OffsetDateTime};

use crate::harness::{PASSWORD, TestApp};

/// A pending invitation and its link path.
async fn invite(
    app: &TestApp,
    org: &acquis_store::Organization,
    email: &str,
    role: Option<Role>,
) -> (uuid::Uuid, String, String) {
    let mut tx = app
        .store
        .tenant_tx(&TenantScope::system(org.tenant()))
        .await
        .unwrap();
    let (inv, _) = tx.invite(email, role, &invitation_code()).await.unwrap();
    tx.commit().await.unwrap();
    let path = format!("/rejoindre?invitationId={}&code={}", inv.id, inv.code);
    (inv.id, inv.code, path)
}

fn signup_form<'a>(id: &'a str, code: &'a str, email: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("invitation_id", id),
        ("code", code),
        ("last_name", "Établissement"),
        ("first_name", "Chef"),
        ("email", email),
        ("password", "Direction1"),
        ("cgu", "on"),
    ]
}

#[tokio::test]
async fn first_member_signs_up_becomes_admin_and_accepts_terms_once() {
    let app = TestApp::spawn().await;
    let org = app.org("Lycée Pix", "0754321X").await;
    let (id, code, path) = invite(&app, &org, "ce.0754321x@ac-paris.fr", Some(Role::Member)).await;
    let c = app.client();
    let page = c.get(&path).await;
    assert_eq!(page.status, 200);
    page.assert_contains("Vous êtes invité(e) à rejoindre l'établissement Lycée Pix");
    page.assert_contains("Je m'inscris");
    page.assert_contains("J'ai déjà un compte");

    let id = id.to_string();
    let page = c
        .post(
            "/rejoindre/inscription",
            &signup_form(&id, &code, "chef@lycee-pix.fr"),
        )
        .await;
    // The terms come first, then the team page.
    assert!(page.path().starts_with("/orga/cgu"), "{}", page.path());
    page.assert_contains("J'accepte les conditions d'utilisation");
    let next = format!("/orga/{}/equipe", org.id);
    let page = c.post("/orga/cgu", &[("next", &next)]).await;
    assert_eq!(page.path(), next);
    page.assert_contains("Chef");
    page.assert_contains("Administrateur");

    // Once accepted, the terms are not asked again.
    c.post("/deconnexion", &[]).await;
    c.login("chef@lycee-pix.fr", "Direction1").await;
    assert_eq!(c.get(&next).await.path(), next);

    // The link was single-use.
    let again = app.client().get(&path).await;
    assert_eq!(again.status, 410);
    again.assert_contains("Cette invitation a déjà été acceptée");
    assert_eq!(app.count("SELECT COUNT(*) FROM memberships").await, 1);
}

#[tokio::test]
async fn later_members_get_the_invited_role_and_may_log_in_with_an_existing_account() {
    let app = TestApp::spawn().await;
    let org = app.org("Lycée Pix", "0754321X").await;
    app.member(&org, "chef@lycee.fr", "Claire", "Chef", Role::Admin)
        .await;
    app.user("prof@lycee.fr", "Paul", "Prof").await;
    let (id, code, path) = invite(&app, &org, "prof@lycee.fr", Some(Role::Member)).await;

    let c = app.client();
    let id = id.to_string();
    let bad = c
        .post(
            "/rejoindre/connexion",
            &[
                ("invitation_id", &id),
                ("code", &code),
                ("login", "prof@lycee.fr"),
                ("login_password", "Mauvais1"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    bad.assert_contains("sont incorrects");
    assert_eq!(app.count("SELECT COUNT(*) FROM memberships").await, 1);

    let page = c
        .post(
            "/rejoindre/connexion",
            &[
                ("invitation_id", &id),
                ("code", &code),
                ("login", "prof@lycee.fr"),
                ("login_password", PASSWORD),
            ],
        )
        .await;
    assert!(page.path().starts_with("/orga/cgu"), "{}", page.path());
    let page = c
        .post(
            "/orga/cgu",
            &[("next", &format!("/orga/{}/equipe", org.id))],
        )
        .await;
    page.assert_contains("Paul");
    let members = {
        let mut tx = app
            .store
            .tenant_read(&TenantScope::system(org.tenant()))
            .await
            .unwrap();
        tx.members().await.unwrap()
    };
    let paul = members.iter().find(|m| m.first_name == "Paul").unwrap();
    assert_eq!(paul.role(), Role::Member);
    assert_eq!(app.client().get(&path).await.status, 410);
}

#[tokio::test]
async fn a_signed_in_user_accepts_with_one_click() {
    let app = TestApp::spawn().await;
    let org = app.org("Lycée Pix", "0754321X").await;
    app.member(&org, "chef@lycee.fr", "Claire", "Chef", Role::Admin)
        .await;
    let (user, _) = {
        let u = app.user("prof@lycee.fr", "Paul", "Prof").await;
        app.store.accept_orga_terms(u.id).await.unwrap();
        (u, ())
    };
    let (id, code, path) = invite(&app, &org, "autre.adresse@lycee.fr", Some(Role::Admin)).await;
    let c = app.client();
    c.login("prof@lycee.fr", PASSWORD).await;
    let page = c.get(&path).await;
    page.assert_contains("Vous êtes connecté(e) en tant que Paul Prof");
    let page = c
        .post(
            "/rejoindre/accepter",
            &[("invitation_id", &id.to_string()), ("code", &code)],
        )
        .await;
    assert_eq!(page.path(), format!("/orga/{}/equipe", org.id));
    let m = app.store.memberships_of_user(user.id).await.unwrap();
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].membership.role, Role::Admin);
}

#[tokio::test]
async fn wrong_cancelled_and_expired_invitations_change_nothing() {
    let app = TestApp::spawn().await;
    let org = app.org("Lycée Pix", "0754321X").await;
    let (id, code, _) = invite(&app, &org, "prof@lycee.fr", None).await;
    let c = app.client();
    let id_s = id.to_string();

    // Wrong code, unknown id, malformed id.
    for path in [
        format!("/rejoindre?invitationId={id}&code=AAAAAAAAAA"),
        format!(
            "/rejoindre?invitationId={}&code={code}",
            uuid::Uuid::now_v7()
        ),
        "/rejoindre?invitationId=abc&code=x".to_owned(),
    ] {
        let page = c.get(&path).await;
        assert_eq!(page.status, 404, "{path}");
        page.assert_contains("Ce lien d'invitation n'est pas valide.");
    }
    let page = c
        .post(
            "/rejoindre/inscription",
            &signup_form(&id_s, "AAAAAAAAAA", "x@lycee.fr"),
        )
        .await;
    assert_eq!(page.status, 404);
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 0);

    // Expired: last sent more than 30 days ago.
    app.owner_exec(
        "UPDATE invitations SET updated_at = $1",
        Some(OffsetDateTime::now_utc() - Duration::days(31)),
    )
    .await;
    let page = c
        .post(
            "/rejoindre/inscription",
            &signup_form(&id_s, &code, "x@lycee.fr"),
        )
        .await;
    assert_eq!(page.status, 410);
    page.assert_contains("Cette invitation a expiré");
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 0);

    // Cancelled.
    app.owner_exec(
        "UPDATE invitations SET status = 'cancelled', updated_at = $1",
        Some(OffsetDateTime::now_utc()),
    )
    .await;
    let page = c
        .get(&format!("/rejoindre?invitationId={id}&code={code}"))
        .await;
    assert_eq!(page.status, 410);
    page.assert_contains("elle a été annulée");
    let page = c
        .post(
            "/rejoindre/inscription",
            &signup_form(&id_s, &code, "x@lycee.fr"),
        )
        .await;
    assert_eq!(page.status, 410);
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 0);
    assert_eq!(app.count("SELECT COUNT(*) FROM memberships").await, 0);
}

#[tokio::test]
async fn invalid_signup_on_the_invitation_page_keeps_the_invitation_pending() {
    let app = TestApp::spawn().await;
    let org = app.org("Lycée Pix", "0754321X").await;
    app.user("pris@lycee.fr", "Déjà", "Inscrit").await;
    let (id, code, path) = invite(&app, &org, "prof@lycee.fr", None).await;
    let c = app.client();
    let id = id.to_string();
    let mut form = signup_form(&id, &code, "pris@lycee.fr");
    let page = c.post("/rejoindre/inscription", &form).await;
    assert_eq!(page.status, 422);
    page.assert_contains("Un compte existe déjà avec cette adresse e-mail");
    form.retain(|(k, _)| *k != "cgu");
    form[4] = ("email", "libre@lycee.fr");
    let page = c.post("/rejoindre/inscription", &form).await;
    assert_eq!(page.status, 422);
    page.assert_contains("Vous devez accepter les conditions d'utilisation");
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM memberships").await, 0);
    assert_eq!(c.get(&path).await.status, 200);
}

#[tokio::test]
async fn an_archived_establishment_cannot_be_joined() {
    let app = TestApp::spawn().await;
    let org = app.org("Lycée Pix", "0754321X").await;
    let (_, _, path) = invite(&app, &org, "prof@lycee.fr", None).await;
    app.store
        .archive_organization(&TenantScope::system(org.tenant()))
        .await
        .unwrap();
    let page = app.client().get(&path).await;
    assert_eq!(page.status, 410);
    page.assert_contains("Cet établissement a été archivé");
}
