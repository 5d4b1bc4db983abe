//! Browser journeys in Debian's chromium, with axe-core on every page visited.

use crate::browser::Browser;
use crate::harness::{PASSWORD, TestApp};

/// An operator creates an establishment and sends its invitation; the head of establishment
/// accepts it, accepts the terms, logs in again, invites a colleague who joins, and makes that
/// colleague an administrator.
#[tokio::test]
async fn head_of_establishment_activates_the_space_and_builds_the_team() {
    let app = TestApp::spawn().await;
    app.operator("ops@acquis.test").await;
    let b = Browser::start(&app.base).await;

    // Operator.
    b.goto("/connexion").await;
    b.assert_accessible().await;
    b.fill("#login", "ops@acquis.test").await;
    b.fill("#password", PASSWORD).await;
    b.click_text("Je me connecte").await;
    b.wait_path("/admin", |p| p == "/admin").await;
    b.assert_accessible().await;
    b.click_text("Créer un établissement").await;
    b.assert_accessible().await;
    b.fill("#name", "Lycée Pix").await;
    b.fill("#uai", "0754321X").await;
    b.find(fantoccini::Locator::Css("#kind"))
        .await
        .select_by_value("LYCEE")
        .await
        .unwrap();
    b.fill("#contact_email", "ce.0754321x@ac-paris.fr").await;
    b.click_text("Créer l'établissement").await;
    b.assert_text("L'établissement « Lycée Pix » a été créé.")
        .await;
    b.assert_accessible().await;
    b.click_text("Envoyer l'invitation administrateur").await;
    b.assert_text("L'invitation administrateur a été envoyée à ce.0754321x@ac-paris.fr.")
        .await;
    b.click_text("Se déconnecter").await;
    b.wait_path("the login page", |p| p == "/connexion").await;

    // Head of establishment follows the e-mailed link.
    let link = app.last_mail_to("ce.0754321x@ac-paris.fr").link(&app.base);
    b.goto(link.trim_start_matches(&app.base)).await;
    b.assert_text("Vous êtes invité(e) à rejoindre l'établissement Lycée Pix")
        .await;
    b.assert_accessible().await;
    b.fill("#last_name", "Établissement").await;
    b.fill("#first_name", "Chef").await;
    b.fill("#email", "chef@lycee-pix.fr").await;
    b.fill("#password", "Direction1").await;
    b.click("#cgu").await;
    b.click_text("Je m'inscris").await;
    b.wait_path("the terms", |p| p.starts_with("/orga/cgu"))
        .await;
    b.assert_accessible().await;
    b.click_text("J'accepte les conditions d'utilisation").await;
    b.assert_text("Liste des membres (1)").await;
    b.assert_text("Administrateur").await;
    b.assert_accessible().await;

    // Logs out and in again.
    b.click_text("Se déconnecter").await;
    b.wait_path("the login page", |p| p == "/connexion").await;
    b.goto("/connexion").await;
    b.fill("#login", "chef@lycee-pix.fr").await;
    b.fill("#password", "Direction1").await;
    b.click_text("Je me connecte").await;
    b.wait_path("campaigns", |p| p.ends_with("/campagnes"))
        .await;
    b.assert_text("Lycée Pix").await;
    b.assert_accessible().await;
    b.click_text("Documentation").await;
    b.assert_accessible().await;

    // Invites a colleague.
    b.click_text("Équipe").await;
    b.click_text("Inviter un membre").await;
    b.assert_accessible().await;
    b.fill("#emails", "prof.un@lycee-pix.fr, Prof.Un@lycee-pix.fr")
        .await;
    b.click_text("Inviter").await;
    b.assert_text("Une invitation a été envoyée.").await;
    b.assert_text("prof.un@lycee-pix.fr").await;
    b.assert_accessible().await;
    b.click_text("Se déconnecter").await;
    b.wait_path("the login page", |p| p == "/connexion").await;

    // The colleague joins.
    let link = app.last_mail_to("prof.un@lycee-pix.fr").link(&app.base);
    b.goto(link.trim_start_matches(&app.base)).await;
    b.fill("#last_name", "Un").await;
    b.fill("#first_name", "Prof").await;
    b.fill("#email", "prof.un@lycee-pix.fr").await;
    b.fill("#password", "Enseigne1").await;
    b.click("#cgu").await;
    b.click_text("Je m'inscris").await;
    b.click_text("J'accepte les conditions d'utilisation").await;
    b.assert_text("Liste des membres (2)").await;
    b.click_text("Se déconnecter").await;
    b.wait_path("the login page", |p| p == "/connexion").await;

    // The head makes the colleague an administrator.
    b.goto("/connexion").await;
    b.fill("#login", "chef@lycee-pix.fr").await;
    b.fill("#password", "Direction1").await;
    b.click_text("Je me connecte").await;
    b.click_text("Équipe").await;
    let row = b
        .find(fantoccini::Locator::XPath(
            "//tr[td[normalize-space(.)='Un']]",
        ))
        .await;
    row.find(fantoccini::Locator::Css("summary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    row.find(fantoccini::Locator::Css("select"))
        .await
        .unwrap()
        .select_by_value("ADMIN")
        .await
        .unwrap();
    b.assert_accessible().await;
    row.find(fantoccini::Locator::XPath(
        ".//button[normalize-space(.)='Enregistrer']",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    b.assert_text("Le rôle de Prof Un est maintenant : Administrateur.")
        .await;
    b.assert_accessible().await;
    b.close().await;

    let prof = app
        .store
        .find_user_by_login("prof.un@lycee-pix.fr")
        .await
        .unwrap()
        .unwrap();
    let m = app.store.memberships_of_user(prof.id).await.unwrap();
    assert_eq!(m[0].membership.role, acquis_tenants::Role::Admin);
}

/// The accessibility check itself can fail: an unlabelled field added to a real page is caught.
#[tokio::test]
async fn the_accessibility_check_catches_a_violation() {
    let app = TestApp::spawn().await;
    let b = Browser::start(&app.base).await;
    b.goto("/connexion").await;
    b.assert_accessible().await;
    b.client
        .execute("document.querySelector('main').insertAdjacentHTML('beforeend', '<input type=\"text\" id=\"orphan\">');", vec![])
        .await
        .unwrap();
    let caught = tokio::spawn({
        let client = b.client.clone();
        let base = b.base.clone();
        async move {
            let probe = crate::browser::Browser::attach(client, base);
            probe.assert_accessible().await;
        }
    })
    .await;
    assert!(caught.is_err(), "axe-core did not flag an unlabelled input");
    b.close().await;
}
