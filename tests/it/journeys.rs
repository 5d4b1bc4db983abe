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
    b.log_in("chef@lycee-pix.fr", "Direction1").await;
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
    b.log_in("chef@lycee-pix.fr", "Direction1").await;
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

/// Words longer than a phone's line (web addresses in a campaign's text, a long name) break
/// instead of widening the page: at 320 px no page of the way into a test scrolls sideways.
/// (A checkpoint listing questions that quote such addresses once did, when the test happened
/// to draw them.)
#[tokio::test]
async fn long_words_do_not_widen_a_students_pages_on_a_phone() {
    let app = TestApp::spawn().await;
    // No hyphen: a line may break at one.
    let address = "https://particulier.impots.gouv.fr.remboursements.net/connexion?dossier=2026";
    let s = crate::student::campaign_worded(
        &app,
        "0000032B",
        "competence-4-1",
        false,
        &format!("Vérifier {address}"),
        &format!("Avant de commencer, ouvrez {address} pour comparer."),
    )
    .await;
    let b = Browser::start(&app.base).await;
    b.goto(&format!("/campagnes/{}", s.code)).await;
    b.assert_text("remboursements.net").await;
    b.assert_fits(320).await;
    b.goto(&format!("/inscription?next=/campagnes/{}/parcours", s.code))
        .await;
    b.fill("#last_name", "Sklodowska-Curie-Langevin").await;
    b.fill("#first_name", "Marie-Geneviève-Alexandrine").await;
    b.fill(
        "#email",
        "marie.sklodowska-curie.premiere-annee@etablissement-scolaire.test",
    )
    .await;
    b.fill("#password", PASSWORD).await;
    b.click("#cgu").await;
    b.click_text("Je m'inscris").await;
    b.assert_text("Les règles du jeu").await;
    b.assert_fits(320).await;
    b.click_text("Je commence").await;
    b.assert_text("Je valide").await;
    b.assert_fits(320).await;
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
        if path.contains("/point-etape") {
            b.assert_text("Réponses et tutos").await;
            b.assert_accessible().await;
            if !paused {
                // Stop here, come back later from the home page.
                paused = true;
                b.goto("/").await;
                b.assert_text("Mes parcours").await;
                b.assert_accessible().await;
                b.click_text("Reprendre : Parcours de test").await;
                b.wait_path("the checkpoint again", |p| p.contains("/point-etape"))
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
            b.wait_path("the next step", |p| !p.contains("/point-etape"))
                .await;
            continue;
        }
        // A timed challenge's warning: read it (axe), then start the clock.
        if b.client
            .find(fantoccini::Locator::XPath(
                "//button[normalize-space(.)='Commencer']",
            ))
            .await
            .is_ok()
        {
            b.assert_accessible().await;
            b.click_text("Commencer").await;
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
    // The student's own pages: profile, tutorials recommended after the skips, a reset refused
    // (too early, or nothing answered on that competence).
    b.goto("/mon-profil").await;
    b.assert_text("M'entraîner").await;
    b.assert_accessible().await;
    b.goto("/mes-tutos").await;
    b.assert_text("Recommandés").await;
    b.assert_accessible().await;
    b.goto("/mon-profil/competences/1.1/remise-a-zero").await;
    b.assert_text("Remettre à zéro").await;
    b.assert_accessible().await;
    b.close().await;
}

/// Reads a file of the establishment space with the browser's own session, as a download would.
async fn fetch_text(b: &Browser, path: &str) -> String {
    let text = b
        .client
        .execute_async(
            "const [path, done] = arguments;
             fetch(path).then(r => r.text()).then(done).catch(e => done('error: ' + e));",
            vec![serde_json::json!(path)],
        )
        .await
        .expect("fetch in the page");
    text.as_str().unwrap_or_default().to_owned()
}

/// An administrator imports a SIECLE zip, creates a campaign and copies its code; students send
/// results; the administrator reads the activity, results, analysis and a participant, downloads
/// both exports and resets two students' passwords; axe-core on every page.
#[tokio::test]
async fn an_administrator_runs_a_campaign_from_import_to_exports() {
    use acquis_interop::siecle::sample;
    let app = TestApp::spawn().await;
    let (setup, _) = crate::students::managed(&app, "0660001A").await;
    let org = setup.org.id;
    let students = sample::students(24);
    let dir = std::env::temp_dir().join(format!("acquis-journey-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let zip = dir.join("ElevesSansAdresses.zip");
    std::fs::write(
        &zip,
        sample::zip(&[(
            "ElevesSansAdresses.xml",
            &sample::xml("0660001A", &students),
        )]),
    )
    .unwrap();
    let profile = app
        .store
        .offered_target_profiles(setup.org.tenant())
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.profile_key == "competence-4-1")
        .unwrap();

    let b = Browser::start(&app.base).await;
    b.log_in("admin.0660001A@test.fr", PASSWORD).await;
    b.wait_path("the establishment space", |p| p.starts_with("/orga/"))
        .await;

    // Import.
    b.goto(&format!("/orga/{org}/eleves/import")).await;
    b.assert_accessible().await;
    b.find(fantoccini::Locator::Css("#file"))
        .await
        .send_keys(zip.to_str().unwrap())
        .await
        .unwrap();
    b.click_text("Importer").await;
    b.assert_text("Import terminé : 24 élève(s) ajouté(s)")
        .await;
    b.assert_accessible().await;

    // A campaign, its code copied.
    b.goto(&format!("/orga/{org}/campagnes/nouvelle")).await;
    b.assert_accessible().await;
    // The external identifier's label and type only show once « Oui » is chosen.
    let shown = || async {
        let label = b.find(fantoccini::Locator::Css("#external_id_label")).await;
        label.is_displayed().await.unwrap()
    };
    assert!(!shown().await, "no identifier asked: its fields are hidden");
    b.click("input[name=external_id][value=oui]").await;
    assert!(shown().await, "« Oui »: the identifier's label is asked");
    b.click("input[name=external_id][value=non]").await;
    assert!(!shown().await);
    b.fill("#name", "Sécurité 4e").await;
    b.find(fantoccini::Locator::Css("#target_profile_id"))
        .await
        .select_by_value(&profile.id.to_string())
        .await
        .unwrap();
    b.click_text("Créer la campagne").await;
    b.assert_text("La campagne a été créée.").await;
    b.assert_accessible().await;
    let code = b
        .find(fantoccini::Locator::Css("code.code-big"))
        .await
        .text()
        .await
        .unwrap();
    let copy = b.find(fantoccini::Locator::Css("button[data-copy]")).await;
    assert!(
        copy.is_displayed().await.unwrap(),
        "the copy button shows with JavaScript"
    );
    copy.click().await.unwrap();
    // The clipboard answers asynchronously: wait for the label to change.
    let mut label = copy.text().await.unwrap();
    for _ in 0..50 {
        if label != "Copier le code" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        label = copy.text().await.unwrap();
    }
    assert!(
        label == "Copié !" || label.starts_with("Copie impossible"),
        "the button says what happened: {label}"
    );
    // Created, the campaign opens on its Paramètres tab.
    let campaign_path = b.path().await.trim_end_matches("/parametres").to_owned();

    // Students send their results (over HTTP: their own journey is tested elsewhere).
    crate::results::takes_the_test(&app, &code, &students[0], true, true).await;
    crate::results::takes_the_test(&app, &code, &students[1], false, true).await;
    crate::results::takes_the_test(&app, &code, &students[2], true, false).await;

    for (tab, text) in [
        ("", "Participations et envois cumulés par jour"),
        ("/resultats", "Répartition des participants par résultat"),
        ("/analyse", "Recommandation de sujets à travailler"),
    ] {
        b.goto(&format!("{campaign_path}{tab}")).await;
        b.assert_text(text).await;
        b.assert_accessible().await;
    }
    b.goto(&format!("{campaign_path}/resultats")).await;
    b.click(&format!("a[href^='{campaign_path}/participants/']"))
        .await;
    b.assert_text("Résultats par compétence").await;
    b.assert_accessible().await;
    b.click_text("Analyse").await;
    b.assert_text("Recommandation de sujets à travailler").await;
    b.assert_accessible().await;

    // Both exports: this assessment, and a profiles collection.
    let csv = fetch_text(&b, &format!("{campaign_path}/export")).await;
    let header = csv
        .trim_start_matches('\u{feff}')
        .lines()
        .next()
        .unwrap_or_default();
    assert!(header.starts_with("Nom de l'organisation;"), "{header}");
    assert_eq!(csv.lines().count(), 4, "a header and three participants");
    b.goto(&format!("/orga/{org}/campagnes/nouvelle")).await;
    b.fill("#name", "Profils 4e").await;
    b.click("input[name=kind][value=PROFILES_COLLECTION]").await;
    b.click_text("Créer la campagne").await;
    b.assert_text("La campagne a été créée.").await;
    let profiles_path = b.path().await.trim_end_matches("/parametres").to_owned();
    let csv = fetch_text(&b, &format!("{profiles_path}/export")).await;
    let header = csv
        .trim_start_matches('\u{feff}')
        .lines()
        .next()
        .unwrap_or_default();
    assert!(header.contains("Nombre de pix total"), "{header}");

    // Two students' passwords reset, their sheet downloaded.
    b.goto(&format!("/orga/{org}/eleves?connexion=identifiant"))
        .await;
    b.assert_text("3 élèves").await;
    b.assert_accessible().await;
    let boxes = b
        .client
        .find_all(fantoccini::Locator::Css("input[name=eleve]"))
        .await
        .unwrap();
    boxes[0].click().await.unwrap();
    boxes[1].click().await.unwrap();
    let sheet = b
        .client
        .execute_async(
            "const done = arguments[0];
             const form = document.getElementById('selection');
             fetch(form.action, { method: 'POST', body: new URLSearchParams(new FormData(form)) })
               .then(r => r.text()).then(done).catch(e => done('error: ' + e));",
            vec![],
        )
        .await
        .unwrap();
    let sheet = sheet
        .as_str()
        .unwrap_or_default()
        .trim_start_matches('\u{feff}')
        .to_owned();
    let mut lines = sheet.lines();
    assert_eq!(
        lines.next(),
        Some("Classe;Nom;Prénom;Identifiant;Mot de passe")
    );
    assert_eq!(lines.count(), 2, "{sheet}");
    b.close().await;
    let _ = std::fs::remove_dir_all(dir);
}
