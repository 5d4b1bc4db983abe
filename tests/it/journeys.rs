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

/// A student takes a whole campaign in the browser: the code on the home page, sign-up, the
/// rules, answers (one skipped), a checkpoint, a pause and "Reprendre" from "Mes parcours", the
/// end, and sending the results; axe-core on every kind of page.
#[tokio::test]
async fn a_student_takes_a_whole_campaign_in_the_browser() {
    let app = TestApp::spawn().await;
    let s = crate::student::campaign(&app, "0000031A", "competence-4-1", false).await;
    let b = Browser::start(&app.base).await;

    b.goto("/").await;
    b.assert_accessible().await;
    b.fill("#code", &s.code.to_lowercase()).await;
    b.click_text("Accéder au parcours").await;
    b.assert_text("Commencez votre parcours").await;
    b.assert_accessible().await;
    b.click_text("Je commence").await;
    b.wait_path("the login page", |p| p.starts_with("/connexion"))
        .await;
    b.goto(&format!("/inscription?next=/campagnes/{}/parcours", s.code))
        .await;
    b.fill("#last_name", "Curie").await;
    b.fill("#first_name", "Marie").await;
    b.fill("#email", "marie@eleve.test").await;
    b.fill("#password", PASSWORD).await;
    b.click("#cgu").await;
    b.click_text("Je m'inscris").await;
    b.assert_text("Les règles du jeu").await;
    b.assert_accessible().await;
    b.click_text("Je commence").await;
    b.assert_text("Je valide").await;
    b.assert_accessible().await;

    let mut answered = 0;
    let mut paused = false;
    for _ in 0..200 {
        let path = b.path().await;
        if path.ends_with("/resultats") {
            break;
        }
        if path.ends_with("/point-etape") {
            b.assert_text("Réponses et tutos").await;
            b.assert_accessible().await;
            if !paused {
                // Stop here, come back later from the home page.
                paused = true;
                b.goto("/").await;
                b.assert_text("Mes parcours").await;
                b.assert_accessible().await;
                b.click_text("Reprendre : Parcours de test").await;
                b.wait_path("the checkpoint again", |p| p.ends_with("/point-etape"))
                    .await;
            }
            let last = b
                .client
                .find(fantoccini::Locator::XPath(
                    "//button[normalize-space(.)='Voir mes résultats']",
                ))
                .await
                .is_ok();
            b.click_text(if last {
                "Voir mes résultats"
            } else {
                "Continuer mon parcours"
            })
            .await;
            b.wait_path("the next step", |p| !p.ends_with("/point-etape"))
                .await;
            continue;
        }
        let challenge = b
            .find(fantoccini::Locator::Css("input[name=challenge]"))
            .await
            .attr("value")
            .await
            .unwrap()
            .unwrap();
        if answered == 0 {
            b.click_text("Je passe").await;
        } else {
            for (name, value) in crate::student::right_answer(&challenge) {
                if name == "answer" {
                    b.click(&format!("#p{value}")).await;
                } else if b
                    .client
                    .find(fantoccini::Locator::Css(&format!("select#{name}")))
                    .await
                    .is_ok()
                {
                    b.find(fantoccini::Locator::Css(&format!("#{name}")))
                        .await
                        .select_by_value(&value)
                        .await
                        .unwrap();
                } else {
                    b.fill(&format!("#{name}"), &value).await;
                }
            }
            b.click_text("Je valide").await;
        }
        answered += 1;
        // Wait for the answer to land: the challenge on the page changes or the page does.
        for _ in 0..100 {
            let same = match b
                .client
                .find(fantoccini::Locator::Css("input[name=challenge]"))
                .await
            {
                Ok(el) => el.attr("value").await.ok().flatten().as_deref() == Some(&challenge),
                Err(_) => false,
            };
            if !same {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }
    assert!(paused, "a checkpoint was reached");
    b.assert_text("des compétences testées").await;
    b.assert_accessible().await;
    b.click_text("J'envoie mes résultats").await;
    b.assert_text("Vos résultats ont bien été envoyés").await;
    b.assert_accessible().await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM campaign_participations WHERE status = 'SHARED'")
            .await,
        1
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM answers").await, answered);
    b.close().await;
}
