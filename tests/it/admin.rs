//! Operators: the first operator from the command line, establishments one by one or from a CSV,
//! list, search, archive, and the administrator invitation.

use acquis_server::cli::create_operator;
use acquis_tenants::Role;

use crate::harness::{Client, PASSWORD, TestApp};

async fn operator_client(app: &TestApp) -> Client {
    app.operator("ops@acquis.test").await;
    let c = app.client();
    assert_eq!(c.login("ops@acquis.test", PASSWORD).await.path(), "/admin");
    c
}

async fn upload_csv(c: &Client, csv: &str, kind: &str) -> crate::harness::Page {
    let form = reqwest::multipart::Form::new()
        .text("kind", kind.to_owned())
        .part(
            "file",
            reqwest::multipart::Part::bytes(csv.as_bytes().to_vec())
                .file_name("etablissements.csv"),
        );
    let res = c
        .http
        .post(format!("{}/admin/etablissements/import", c.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    crate::harness::Page {
        status: res.status().as_u16(),
        url: res.url().to_string(),
        body: res.text().await.unwrap(),
    }
}

#[tokio::test]
async fn the_first_operator_is_created_from_the_command_line() {
    let app = TestApp::spawn().await;
    let (user, generated) = create_operator(&app.state, " Ops@Acquis.test ", "Olga", "Ops", None)
        .await
        .unwrap();
    assert!(user.is_operator());
    let password = generated.expect("a generated password is shown");
    let c = app.client();
    assert_eq!(c.login("ops@acquis.test", &password).await.path(), "/admin");

    let (_, shown) = create_operator(
        &app.state,
        "deux@acquis.test",
        "D",
        "E",
        Some("Choisi123".into()),
    )
    .await
    .unwrap();
    assert!(shown.is_none());
    assert_eq!(
        app.client()
            .login("deux@acquis.test", "Choisi123")
            .await
            .path(),
        "/admin"
    );

    let dup = create_operator(&app.state, "ops@acquis.test", "O", "P", None)
        .await
        .unwrap_err();
    assert!(dup.to_string().contains("un compte existe déjà"), "{dup}");
    let weak = create_operator(
        &app.state,
        "trois@acquis.test",
        "O",
        "P",
        Some("faible".into()),
    )
    .await
    .unwrap_err();
    assert!(weak.to_string().contains("8 caractères"), "{weak}");
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 2);
}

#[tokio::test]
async fn operator_creates_an_establishment_and_duplicates_are_refused() {
    let app = TestApp::spawn().await;
    let c = operator_client(&app).await;
    let page = c
        .post(
            "/admin/etablissements",
            &[
                ("name", "Collège Jean Moulin"),
                ("uai", "0123456a"),
                ("kind", "COLLEGE"),
                ("contact_email", "ce.0123456a@ac-lyon.fr"),
            ],
        )
        .await;
    page.assert_contains("L'établissement « Collège Jean Moulin » a été créé.");
    page.assert_contains("0123456A");
    page.assert_contains("Collège");
    // The action log speaks French, not the codes it stores.
    page.assert_contains("Établissement créé — 0123456A");
    assert!(!page.text().contains("organization.created"));

    let dup = c
        .post(
            "/admin/etablissements",
            &[
                ("name", "Autre"),
                ("uai", "0123456A"),
                ("kind", "LYCEE"),
                ("contact_email", "x@ac-lyon.fr"),
            ],
        )
        .await;
    assert_eq!(dup.status, 422);
    dup.assert_contains("Un établissement avec l'UAI 0123456A existe déjà.");

    let bad = c
        .post(
            "/admin/etablissements",
            &[
                ("name", ""),
                ("uai", "12345"),
                ("kind", "LYCEE"),
                ("contact_email", "non"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    bad.assert_contains("Le nom de l'établissement n'est pas renseigné.");
    bad.assert_contains("L'UAI « 12345 » n'est pas valide");
    bad.assert_contains("L'e-mail de contact « non » n'est pas valide.");
    assert_eq!(app.count("SELECT COUNT(*) FROM organizations").await, 1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'organization.created'")
            .await,
        1
    );
}

#[tokio::test]
async fn csv_import_is_all_or_nothing_with_every_error_by_line() {
    let app = TestApp::spawn().await;
    app.org("Existant", "0000009Z").await;
    let c = operator_client(&app).await;
    let bad = "UAI;Nom;E-mail\n0754321X;Lycée Pix;ce.0754321x@ac-paris.fr\n12;Collège Court;a@b.fr\n0000009Z;Déjà là;c@d.fr\n0754321X;Doublon;e@f.fr\n0754322Y;Sans e-mail;\n";
    let page = upload_csv(&c, bad, "LYCEE").await;
    assert_eq!(page.status, 422);
    page.assert_contains("Aucun établissement n'a été créé.");
    page.assert_contains("Ligne 3 : L'UAI « 12 » n'est pas valide");
    page.assert_contains("Ligne 5 : l'UAI 0754321X figure déjà ligne 2.");
    page.assert_contains("Ligne 6 : L'e-mail de contact « » n'est pas valide.");
    assert_eq!(app.count("SELECT COUNT(*) FROM organizations").await, 1);

    // The UAI already taken is reported once the file itself is clean.
    let taken = "0754321X;Lycée Pix;ce.0754321x@ac-paris.fr\n0000009Z;Déjà là;c@d.fr\n";
    let page = upload_csv(&c, taken, "LYCEE").await;
    assert_eq!(page.status, 422);
    page.assert_contains("Ligne 2 : un établissement avec l'UAI 0000009Z existe déjà.");
    assert_eq!(app.count("SELECT COUNT(*) FROM organizations").await, 1);

    let good = "\u{FEFF}UAI;Nom;E-mail\n0754321X;Lycée Pix;ce.0754321x@ac-paris.fr\n0754322Y;Lycée Deux;ce.0754322y@ac-paris.fr\n";
    let page = upload_csv(&c, good, "LYCEE").await;
    assert_eq!(page.path(), "/admin");
    page.assert_contains("2 établissements ont été créés.");
    assert_eq!(app.count("SELECT COUNT(*) FROM organizations").await, 3);
}

#[tokio::test]
async fn operator_lists_searches_and_archives() {
    let app = TestApp::spawn().await;
    let a = app.org("Collège Alpha", "0000001A").await;
    app.org("Lycée Bêta", "0000002B").await;
    let c = operator_client(&app).await;
    let page = c.get("/admin").await;
    page.assert_contains("2 établissements");
    page.assert_contains("Collège Alpha");
    let page = c.get("/admin?q=alpha").await;
    page.assert_contains("1 établissement");
    assert!(!page.text().contains("Lycée Bêta"));
    let page = c.get("/admin?q=0000002").await;
    page.assert_contains("Lycée Bêta");

    let page = c
        .post(&format!("/admin/etablissements/{}/archiver", a.id), &[])
        .await;
    page.assert_contains("L'établissement « Collège Alpha » a été archivé.");
    let page = c.get("/admin").await;
    page.assert_contains("1 établissement");
    let page = c.get("/admin?archived=on").await;
    page.assert_contains("Archivé");
    page.assert_contains("Collège Alpha");
}

#[tokio::test]
async fn operator_sends_the_administrator_invitation_to_the_contact_email() {
    let app = TestApp::spawn().await;
    let org = app.org("Lycée Pix", "0754321X").await;
    let c = operator_client(&app).await;
    let page = c
        .post(&format!("/admin/etablissements/{}/invitation", org.id), &[])
        .await;
    page.assert_contains("L'invitation administrateur a été envoyée à ce.0754321x@ac-test.fr.");
    let mail = app.last_mail_to("ce.0754321x@ac-test.fr");
    assert!(mail.subject().contains("Lyc"), "{}", mail.subject());
    let link = mail.link(&app.base);

    // The head of establishment follows it and becomes administrator.
    let head = app.client();
    let path = link.trim_start_matches(&app.base).to_owned();
    let id = path
        .split("invitationId=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_owned();
    let code = path.split("code=").nth(1).unwrap().to_owned();
    head.post(
        "/rejoindre/inscription",
        &[
            ("invitation_id", &id),
            ("code", &code),
            ("last_name", "Chef"),
            ("first_name", "Claire"),
            ("email", "claire@lycee.fr"),
            ("password", "Direction1"),
            ("cgu", "on"),
        ],
    )
    .await;
    let user = app
        .store
        .find_user_by_login("claire@lycee.fr")
        .await
        .unwrap()
        .unwrap();
    let m = app.store.memberships_of_user(user.id).await.unwrap();
    assert_eq!(m[0].membership.role, Role::Admin);
    let page = c.get(&format!("/admin/etablissements/{}", org.id)).await;
    page.assert_contains("Claire Chef");
    page.assert_contains("Invitation acceptée — ce.0754321x@ac-test.fr");
}

#[tokio::test]
async fn the_admin_area_does_not_exist_for_non_operators() {
    let app = TestApp::spawn().await;
    let org = app.org("Lycée Pix", "0754321X").await;
    app.member(&org, "chef@lycee.fr", "Claire", "Chef", Role::Admin)
        .await;
    let c = app.client();
    c.login("chef@lycee.fr", PASSWORD).await;
    assert_eq!(c.get("/admin").await.status, 404);
    assert_eq!(
        c.get(&format!("/admin/etablissements/{}", org.id))
            .await
            .status,
        404
    );
    assert_eq!(
        c.post(&format!("/admin/etablissements/{}/archiver", org.id), &[])
            .await
            .status,
        404
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM organizations WHERE archived_at IS NOT NULL")
            .await,
        0
    );
}
