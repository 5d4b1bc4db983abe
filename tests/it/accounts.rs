//! Accounts: sign-up, log in and out, forgotten and changed passwords, members-only access.

use acquis_tenants::Role;

use crate::harness::{PASSWORD, TestApp};

#[tokio::test]
async fn signup_login_logout() {
    let app = TestApp::spawn().await;
    let c = app.client();
    let page = c
        .post(
            "/inscription",
            &[
                ("last_name", "Lovelace"),
                ("first_name", "Ada"),
                ("email", " Ada.Lovelace@Exemple.fr "),
                ("password", "Analytique1"),
                ("cgu", "on"),
            ],
        )
        .await;
    assert_eq!(page.status, 200);
    assert_eq!(page.path(), "/mon-compte");
    page.assert_contains("Votre compte a été créé.");
    page.assert_contains("ada.lovelace@exemple.fr");

    c.post("/deconnexion", &[]).await;
    assert_eq!(
        c.get("/mon-compte").await.path(),
        "/connexion?next=/mon-compte"
    );

    let page = c.login("ADA.LOVELACE@exemple.fr", "Analytique1").await;
    assert_eq!(page.path(), "/mon-compte");
    page.assert_contains("Connecté(e) : Ada Lovelace");
}

#[tokio::test]
async fn signup_lists_every_error_and_creates_nothing() {
    let app = TestApp::spawn().await;
    let c = app.client();
    let page = c
        .post(
            "/inscription",
            &[
                ("last_name", ""),
                ("first_name", "Ada"),
                ("email", "pas-une-adresse"),
                ("password", "court"),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    page.assert_contains("Votre nom n'est pas renseigné.");
    page.assert_contains("Votre adresse e-mail n'est pas valide");
    page.assert_contains(
        "8 caractères au minimum et comporter au moins une majuscule, une minuscule et un chiffre",
    );
    page.assert_contains("Vous devez accepter les conditions d'utilisation");
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 0);

    app.user("pris@exemple.fr", "Déjà", "Là").await;
    let page = c
        .post(
            "/inscription",
            &[
                ("last_name", "B"),
                ("first_name", "A"),
                ("email", "Pris@exemple.fr"),
                ("password", "Valide123"),
                ("cgu", "on"),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    page.assert_contains("Un compte existe déjà avec cette adresse e-mail");
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 1);
}

#[tokio::test]
async fn wrong_credentials_are_refused_with_one_message() {
    let app = TestApp::spawn().await;
    app.user("prof@college.fr", "Paul", "Prof").await;
    let c = app.client();
    for (login, password) in [
        ("prof@college.fr", "Mauvais1"),
        ("inconnu@college.fr", PASSWORD),
    ] {
        let page = c.login(login, password).await;
        assert_eq!(page.status, 422);
        page.assert_contains(
            "L'adresse e-mail ou l'identifiant et/ou le mot de passe saisis sont incorrects.",
        );
    }
    assert_eq!(
        c.get("/mon-compte").await.path(),
        "/connexion?next=/mon-compte"
    );
}

#[tokio::test]
async fn login_goes_back_to_the_requested_page_but_never_off_site() {
    let app = TestApp::spawn().await;
    app.user("prof@college.fr", "Paul", "Prof").await;
    let c = app.client();
    let page = c
        .post(
            "/connexion",
            &[
                ("login", "prof@college.fr"),
                ("password", PASSWORD),
                ("next", "/mon-compte/mot-de-passe"),
            ],
        )
        .await;
    assert_eq!(page.path(), "/mon-compte/mot-de-passe");
    let c = app.client();
    let page = c
        .post(
            "/connexion",
            &[
                ("login", "prof@college.fr"),
                ("password", PASSWORD),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(page.path(), "/mon-compte");
}

#[tokio::test]
async fn forgotten_password_link_works_once_within_an_hour() {
    let app = TestApp::spawn().await;
    app.user("prof@college.fr", "Paul", "Prof").await;
    let c = app.client();
    let page = c
        .post("/mot-de-passe-oublie", &[("email", "Prof@College.fr")])
        .await;
    page.assert_contains("Si un compte existe pour cette adresse");
    // Same answer for an unknown address, and no mail.
    let unknown = c
        .post("/mot-de-passe-oublie", &[("email", "personne@college.fr")])
        .await;
    unknown.assert_contains("Si un compte existe pour cette adresse");
    assert!(app.mails_to("personne@college.fr").is_empty());

    let mail = app.last_mail_to("prof@college.fr");
    assert!(
        mail.subject().contains("Réinitialisation"),
        "{}",
        mail.subject()
    );
    let link = mail.link(&app.base);
    let path = link.trim_start_matches(&app.base).to_owned();
    let token = path.split("token=").nth(1).unwrap().to_owned();

    let page = c.get(&path).await;
    assert_eq!(page.status, 200);
    let weak = c
        .post(
            "/reinitialiser-mot-de-passe",
            &[
                ("token", &token),
                ("password", "faible"),
                ("confirmation", "faible"),
            ],
        )
        .await;
    assert_eq!(weak.status, 422);
    let page = c
        .post(
            "/reinitialiser-mot-de-passe",
            &[
                ("token", &token),
                ("password", "Nouveau123"),
                ("confirmation", "Nouveau123"),
            ],
        )
        .await;
    assert_eq!(page.path(), "/connexion");
    page.assert_contains("Votre mot de passe a été modifié.");
    assert_eq!(
        c.login("prof@college.fr", "Nouveau123").await.path(),
        "/mon-compte"
    );
    assert_eq!(c.login("prof@college.fr", PASSWORD).await.status, 422);

    // Single use.
    let again = c.get(&path).await;
    assert_eq!(again.status, 410);
    again.assert_contains("Ce lien de réinitialisation n'est plus valide");
    let replay = c
        .post(
            "/reinitialiser-mot-de-passe",
            &[
                ("token", &token),
                ("password", "Autre1234"),
                ("confirmation", "Autre1234"),
            ],
        )
        .await;
    assert_eq!(replay.status, 410);
    assert_eq!(
        c.login("prof@college.fr", "Nouveau123").await.path(),
        "/mon-compte"
    );
}

#[tokio::test]
async fn an_expired_reset_link_is_refused() {
    let app = TestApp::spawn().await;
    app.user("prof@college.fr", "Paul", "Prof").await;
    let c = app.client();
    c.post("/mot-de-passe-oublie", &[("email", "prof@college.fr")])
        .await;
    let link = app.last_mail_to("prof@college.fr").link(&app.base);
    app.owner_exec(
        "UPDATE password_reset_tokens SET expires_at = $1",
        Some(time::OffsetDateTime::now_utc() - time::Duration::minutes(1)),
    )
    .await;
    let page = c.get(link.trim_start_matches(&app.base)).await;
    assert_eq!(page.status, 410);
    page.assert_contains("il est valable une heure");
}

#[tokio::test]
async fn change_password_and_forced_change_at_next_login() {
    let app = TestApp::spawn().await;
    let user = app.user("eleve@college.fr", "Léa", "Élève").await;
    let temp_hash = app.state.hasher.hash("kpwdra07".into()).await.unwrap();
    app.store
        .set_password(user.id, &temp_hash, true)
        .await
        .unwrap();

    let c = app.client();
    let page = c.login("eleve@college.fr", "kpwdra07").await;
    assert_eq!(page.path(), "/mon-compte/mot-de-passe");
    page.assert_contains("Vous avez actuellement un mot de passe temporaire");
    // Every other page sends back to the change form.
    assert_eq!(
        c.get("/mon-compte").await.path(),
        "/mon-compte/mot-de-passe"
    );

    let wrong = c
        .post(
            "/mon-compte/mot-de-passe",
            &[
                ("current", "mauvais"),
                ("password", "Nouveau123"),
                ("confirmation", "Nouveau123"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 422);
    wrong.assert_contains("Le mot de passe actuel est incorrect.");
    let mismatch = c
        .post(
            "/mon-compte/mot-de-passe",
            &[
                ("current", "kpwdra07"),
                ("password", "Nouveau123"),
                ("confirmation", "Nouveau124"),
            ],
        )
        .await;
    mismatch.assert_contains("Les deux mots de passe saisis ne sont pas identiques.");

    let page = c
        .post(
            "/mon-compte/mot-de-passe",
            &[
                ("current", "kpwdra07"),
                ("password", "Nouveau123"),
                ("confirmation", "Nouveau123"),
            ],
        )
        .await;
    assert_eq!(page.path(), "/mon-compte");
    page.assert_contains("Votre mot de passe a été modifié.");
    let fresh = app.store.find_user(user.id).await.unwrap().unwrap();
    assert!(!fresh.must_change_password);
    let c = app.client();
    assert_eq!(
        c.login("eleve@college.fr", "Nouveau123").await.path(),
        "/mon-compte"
    );
}

#[tokio::test]
async fn only_invited_members_enter_an_establishment_space() {
    let app = TestApp::spawn().await;
    app.user("seul@exemple.fr", "Sam", "Seul").await;
    let c = app.client();
    c.login("seul@exemple.fr", PASSWORD).await;
    let page = c.get("/orga").await;
    assert_eq!(page.status, 403);
    page.assert_contains("L'accès est limité aux membres invités");
}

#[tokio::test]
async fn a_member_of_several_establishments_switches_between_them() {
    let app = TestApp::spawn().await;
    let a = app.org("Collège Alpha", "0000001A").await;
    let b = app.org("Collège Bêta", "0000002B").await;
    let (user, _) = app
        .member(&a, "prof@college.fr", "Paul", "Prof", Role::Member)
        .await;
    app.add_member(&b, &user, Role::Admin).await;

    let c = app.client();
    c.login("prof@college.fr", PASSWORD).await;
    let chooser = c.get("/orga").await;
    chooser.assert_contains("Choisissez un établissement");
    chooser.assert_contains("Collège Alpha");
    chooser.assert_contains("Collège Bêta");

    let page = c.get(&format!("/orga/{}", b.id)).await;
    assert_eq!(page.path(), format!("/orga/{}/campagnes", b.id));
    page.assert_contains("Collège Bêta");
    page.assert_contains("Changer d'établissement");
    // The last one chosen opens next time.
    assert_eq!(
        c.get("/orga").await.path(),
        format!("/orga/{}/campagnes", b.id)
    );
    let page = c.get(&format!("/orga/{}", a.id)).await;
    page.assert_contains("Collège Alpha");
    assert_eq!(
        c.get("/orga").await.path(),
        format!("/orga/{}/campagnes", a.id)
    );
}

#[tokio::test]
async fn establishment_space_shell_shows_name_user_and_menu() {
    let app = TestApp::spawn().await;
    let org = app.org("Lycée Pix", "0754321X").await;
    app.member(&org, "chef@lycee.fr", "Claire", "Chef", Role::Admin)
        .await;
    let c = app.client();
    c.login("chef@lycee.fr", PASSWORD).await;
    for (section, title) in [
        ("campagnes", "Campagnes"),
        ("eleves", "Élèves"),
        ("equipe", "Équipe"),
        ("documentation", "Documentation"),
    ] {
        let page = c.get(&format!("/orga/{}/{section}", org.id)).await;
        assert_eq!(page.status, 200, "{section}");
        page.assert_contains("Lycée Pix");
        page.assert_contains("Claire Chef");
        page.assert_contains("Campagnes Élèves Équipe Documentation");
        page.assert_contains(title);
        assert!(page.body.contains("aria-current=\"page\""), "{section}");
    }
    // The documentation is the establishment-space guide of docs/.
    let guide = c.get(&format!("/orga/{}/documentation", org.id)).await;
    guide.assert_contains("Guide de l'espace établissement d'Acquis");
    assert!(guide.body.contains("<h2"), "rendered from Markdown");
    // Its tables are tables (in a box that scrolls on a phone), not lines of pipes.
    assert!(
        guide.body.contains(r#"<div class="table-scroll"><table>"#),
        "the guide's tables are rendered"
    );
    assert!(!guide.text().contains("|---|"), "no raw Markdown table");
}

#[tokio::test]
async fn a_student_logs_in_with_a_generated_username() {
    let app = TestApp::spawn().await;
    app.store
        .create_user(&acquis_store::NewUser {
            email: None,
            username: Some("lea.dupont0107".into()),
            first_name: "Léa".into(),
            last_name: "Dupont".into(),
            password_hash: Some(app.state.hasher.hash(PASSWORD.into()).await.unwrap()),
            must_change_password: false,
            platform_role: None,
            accepted_terms: true,
        })
        .await
        .unwrap();
    let c = app.client();
    let page = c.login("Lea.Dupont0107", PASSWORD).await;
    assert_eq!(page.path(), "/mon-compte");
    page.assert_contains("lea.dupont0107");
}
