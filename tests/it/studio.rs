//! The content designers' studio and its API (with `acquis-pack publish` itself), and operators
//! choosing which establishments are offered each target profile and who is a designer.

use acquis_plugin_host::package::{self, PackageMeta};
use acquis_plugin_host::{Host, builtin};
use acquis_store::User;
use acquis_tenants::Role;

use crate::harness::{Client, PASSWORD, Page, TestApp};

const PROFILE_NAME: &str = "Essai : recherche d'information";

type Files = Vec<(String, Vec<u8>)>;

/// A small content package made of the built-in competence 1.1 and its profile, renamed.
fn package(id: &str, version: &str, tweak: impl FnOnce(&mut Files)) -> Vec<u8> {
    let mut files: Files = builtin::CRCN_FILES
        .iter()
        .filter(|(p, _)| {
            [
                "data/framework.json",
                "data/competences/1.1.json",
                "data/target-profiles/competence-1-1.json",
            ]
            .contains(p)
        })
        .map(|(p, b)| ((*p).to_owned(), b.to_vec()))
        .collect();
    edit_json(
        &mut files,
        "data/target-profiles/competence-1-1.json",
        |v| {
            v["name"] = PROFILE_NAME.into();
        },
    );
    tweak(&mut files);
    pack(files, id, version, "content")
}

fn pack(files: Files, id: &str, version: &str, kind: &str) -> Vec<u8> {
    package::pack_files(
        files,
        PackageMeta {
            id: id.into(),
            version: version.into(),
            kind: kind.into(),
            api: "0.1.0".into(),
        },
        None,
    )
    .unwrap()
}

fn edit_json(files: &mut Files, path: &str, edit: impl FnOnce(&mut serde_json::Value)) {
    let (_, bytes) = files.iter_mut().find(|(p, _)| p == path).unwrap();
    let mut v: serde_json::Value = serde_json::from_slice(bytes).unwrap();
    edit(&mut v);
    *bytes = serde_json::to_vec(&v).unwrap();
}

/// The first challenge of competence 1.1 of this type: (id, solution).
fn first_challenge(kind: &str) -> (String, String) {
    let (_, bytes) = builtin::CRCN_FILES
        .iter()
        .find(|(p, _)| *p == "data/competences/1.1.json")
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(bytes).unwrap();
    for t in v["tubes"].as_array().unwrap() {
        for s in t["skills"].as_array().unwrap() {
            for c in s["challenges"].as_array().unwrap() {
                if c["type"] == kind {
                    return (
                        c["id"].as_str().unwrap().into(),
                        c["solution"].as_str().unwrap().into(),
                    );
                }
            }
        }
    }
    panic!("no {kind} challenge in 1.1");
}

/// An account with the designer's role.
async fn new_designer(app: &TestApp, email: &str) -> User {
    let u = app.user(email, "Dora", "Conceptrice").await;
    app.store
        .set_platform_role(u.id, Some("DESIGNER"))
        .await
        .unwrap();
    u
}

async fn designer(app: &TestApp, email: &str) -> (User, Client) {
    let u = new_designer(app, email).await;
    let c = app.client();
    let home = c.login(email, PASSWORD).await;
    assert_eq!(home.path(), "/studio");
    (u, c)
}

async fn upload(c: &Client, name: &str, bytes: Vec<u8>) -> Page {
    c.upload("/studio/paquets", "paquet", name, bytes).await
}

async fn packages(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) FROM content_packages").await
}

async fn new_token(c: &Client, name: &str) -> String {
    let page = c.post("/studio/jetons", &[("name", name)]).await;
    assert_eq!(page.status, 200);
    page.assert_contains("Voici votre jeton. Il ne sera plus affiché.");
    let doc = scraper::Html::parse_document(&page.body);
    let sel = scraper::Selector::parse("#new-token").unwrap();
    doc.select(&sel).next().unwrap().text().collect()
}

#[tokio::test]
async fn a_designer_checks_publishes_and_previews_a_package() {
    let app = TestApp::spawn().await;
    let (_, c) = designer(&app, "dora@studio.test").await;
    let before = packages(&app).await;

    let bytes = package("essai", "1.0.0", |_| {});
    let digest = Host::digest(&bytes);
    let report = upload(&c, "essai-1.0.0.zip", bytes.clone()).await;
    assert_eq!(report.status, 200, "{}", report.text());
    report.assert_contains("Le paquet a passé toutes les vérifications.");
    report.assert_contains(PROFILE_NAME);
    report.assert_contains(&digest);
    // Nothing is stored before « Publier ».
    assert_eq!(packages(&app).await, before);

    // Another designer cannot publish what Dora uploaded.
    let (_, other) = designer(&app, "otto@studio.test").await;
    let page = other
        .post(&format!("/studio/paquets/{digest}/publier"), &[])
        .await;
    assert_eq!(page.path(), "/studio");
    page.assert_contains("La vérification de ce paquet a expiré");
    assert_eq!(packages(&app).await, before);

    let page = c
        .post(&format!("/studio/paquets/{digest}/publier"), &[])
        .await;
    assert_eq!(page.status, 200);
    assert_eq!(page.path(), format!("/studio/paquets/{digest}"));
    page.assert_contains("Version 1.0.0 du paquet essai publiée.");
    assert_eq!(packages(&app).await, before + 1);
    let stored = app.store.package(&digest).await.unwrap().unwrap();
    assert_eq!(stored.published_by.as_deref(), Some("Dora Conceptrice"));
    assert_eq!(
        (stored.package_id.as_str(), stored.version.as_str()),
        ("essai", "1.0.0")
    );
    let home = c.get("/studio").await;
    home.assert_contains("essai");
    home.assert_contains("Dora Conceptrice");

    // The same bytes again: already there, nothing new.
    let again = upload(&c, "essai-1.0.0.zip", bytes).await;
    assert_eq!(again.status, 200);
    again.assert_contains("déjà publiée, avec exactement ce contenu");
    assert_eq!(packages(&app).await, before + 1);

    // Preview and try answers through the plugin.
    let (qcu, solution) = first_challenge("qcu");
    let pkg = c.get(&format!("/studio/paquets/{digest}")).await;
    pkg.assert_contains(&qcu);
    pkg.assert_contains(PROFILE_NAME);
    let path = format!("/studio/paquets/{digest}/epreuves/{qcu}");
    let preview = c.get(&path).await;
    assert_eq!(preview.status, 200);
    preview.assert_contains("Aperçu rendu par le type « qcu »");
    let right = c
        .post(
            &path,
            &[
                ("graine", "1"),
                ("answer", &solution),
                ("action", "valider"),
            ],
        )
        .await;
    right.assert_contains("Bonne réponse");
    right.assert_contains("instructions");
    let wrong_choice = if solution == "1" { "2" } else { "1" };
    let wrong = c
        .post(
            &path,
            &[
                ("graine", "1"),
                ("answer", wrong_choice),
                ("action", "valider"),
            ],
        )
        .await;
    wrong.assert_contains("Mauvaise réponse");
    let skipped = c
        .post(&path, &[("graine", "1"), ("action", "passer")])
        .await;
    skipped.assert_contains("#ABAND#");
    let empty = c
        .post(&path, &[("graine", "1"), ("action", "valider")])
        .await;
    assert_eq!(empty.status, 422);
    empty.assert_contains("Pour valider, répondez à la question.");
    assert_eq!(
        c.get(&format!("/studio/paquets/{digest}/epreuves/inconnue"))
            .await
            .status,
        404
    );
    assert_eq!(c.get("/studio/paquets/0000/").await.status, 404);
}

#[tokio::test]
async fn bad_packages_are_refused_with_every_problem_listed_and_nothing_stored() {
    let app = TestApp::spawn().await;
    let (_, c) = designer(&app, "dora@studio.test").await;
    let (qcu, solution) = first_challenge("qcu");
    let before = packages(&app).await;

    let page = upload(&c, "vide.zip", Vec::new()).await;
    assert_eq!(page.status, 422);
    page.assert_contains("Choisissez le fichier .zip du paquet.");

    let page = upload(&c, "gros.zip", vec![0u8; 21 << 20]).await;
    assert_eq!(page.status, 413);
    page.assert_contains("Le paquet dépasse 20 Mo.");

    let page = upload(&c, "texte.zip", b"pas une archive".to_vec()).await;
    assert_eq!(page.status, 422);
    page.assert_contains("Le paquet est refusé");

    // Two problems in one file: both listed, each naming the file.
    let bad = package("essai", "1.0.0", |files| {
        edit_json(files, "data/competences/1.1.json", |v| {
            let challenges = v["tubes"][0]["skills"][0]["challenges"]
                .as_array_mut()
                .unwrap();
            for c in challenges.iter_mut() {
                if c["id"] == qcu.as_str() {
                    c["examples"] = serde_json::json!([{"answer": solution, "verdict": "ko"}]);
                } else if c["type"] != "qcu" {
                    c["type"] = "glisser-deposer".into();
                }
            }
        });
    });
    let page = upload(&c, "essai.zip", bad).await;
    assert_eq!(page.status, 422);
    page.assert_contains("2 problèmes à corriger");
    page.assert_contains(&format!(
        "épreuve {qcu} : la réponse « {solution} » obtient « ok » au lieu de « ko »"
    ));
    page.assert_contains("type « glisser-deposer » inconnu");
    page.assert_contains("data/competences/1.1.json");

    // Verified, but not content the platform can serve.
    let no_framework = package("essai", "1.0.0", |files| {
        files.retain(|(p, _)| p != "data/framework.json");
    });
    let page = upload(&c, "essai.zip", no_framework).await;
    assert_eq!(page.status, 422);
    page.assert_contains(
        "data/framework.json absent : un paquet de contenu décrit son référentiel",
    );

    let files: Files = vec![("README.md".into(), b"type seul".to_vec())];
    let page = upload(
        &c,
        "type.zip",
        pack(files, "ordre", "1.0.0", "challenge-type"),
    )
    .await;
    assert_eq!(page.status, 422);
    page.assert_contains("on publie des paquets de contenu");

    // A published version never changes.
    let token = new_token(&c, "Poste").await;
    let first = acquis_pack::publish(&app.base, &token, package("essai", "1.0.0", |_| {}))
        .await
        .unwrap();
    assert!(matches!(first, acquis_pack::Outcome::Published { .. }));
    let other_content = package("essai", "1.0.0", |files| {
        edit_json(files, "data/target-profiles/competence-1-1.json", |v| {
            v["description"] = "Une autre description.".into();
        });
    });
    let page = upload(&c, "essai.zip", other_content).await;
    assert_eq!(page.status, 422);
    page.assert_contains(
        "La version 1.0.0 du paquet essai est déjà publiée avec un autre contenu.",
    );
    assert_eq!(packages(&app).await, before + 1);
}

#[tokio::test]
async fn acquis_pack_publishes_with_a_designer_token() {
    use acquis_pack::Outcome;
    let app = TestApp::spawn().await;
    let (dora, c) = designer(&app, "dora@studio.test").await;
    let unnamed = c.post("/studio/jetons", &[("name", "  ")]).await;
    assert_eq!(unnamed.status, 422);
    unnamed.assert_contains("Donnez un nom au jeton (100 caractères au maximum).");
    assert_eq!(app.count("SELECT COUNT(*) FROM designer_tokens").await, 0);
    let token = new_token(&c, "Serveur de Dora").await;
    assert!(token.starts_with("acq_"));
    // Only its hash is stored.
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM designer_tokens WHERE token_sha256 = '{}'",
            Host::digest(token.as_bytes())
        ))
        .await,
        1
    );
    let before = packages(&app).await;

    let out = acquis_pack::publish(&app.base, &token, package("essai", "1.0.0", |_| {}))
        .await
        .unwrap();
    let Outcome::Published { id, version, .. } = out else {
        panic!("{out:?}")
    };
    assert_eq!((id.as_str(), version.as_str()), ("essai", "1.0.0"));
    assert_eq!(packages(&app).await, before + 1);
    let out = acquis_pack::publish(&app.base, &token, package("essai", "1.0.0", |_| {}))
        .await
        .unwrap();
    assert!(matches!(out, Outcome::AlreadyPublished { .. }), "{out:?}");

    let bad = package("essai", "1.1.0", |files| {
        edit_json(files, "data/competences/1.1.json", |v| {
            v["tubes"][0]["skills"][0]["challenges"][0]["type"] = "inconnu".into();
        });
    });
    let Outcome::Refused(problems) = acquis_pack::publish(&app.base, &token, bad).await.unwrap()
    else {
        panic!("accepted")
    };
    assert!(
        problems.iter().any(
            |(f, m)| f == "data/competences/1.1.json" && m.contains("type « inconnu » inconnu")
        ),
        "{problems:?}"
    );
    assert_eq!(packages(&app).await, before + 1);
    let tokens = c.get("/studio/jetons").await;
    tokens.assert_contains("Serveur de Dora");
    assert!(!tokens.text().contains(&token), "a token is shown once");

    // No token, a wrong one: 401 with a French reason.
    let res = reqwest::Client::new()
        .post(format!("{}/api/studio/paquets", app.base))
        .body(package("essai", "1.2.0", |_| {}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(res.headers()["www-authenticate"], "Bearer");
    let err = acquis_pack::publish(&app.base, "acq_faux", package("essai", "1.2.0", |_| {}))
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("Jeton absent, inconnu ou révoqué"),
        "{err}"
    );

    // Another designer can neither see nor revoke Dora's token.
    let (_, otto) = designer(&app, "otto@studio.test").await;
    assert!(
        !otto
            .get("/studio/jetons")
            .await
            .text()
            .contains("Serveur de Dora")
    );
    let id: uuid::Uuid = app
        .store
        .designer_tokens(dora.id)
        .await
        .unwrap()
        .remove(0)
        .id;
    let page = otto
        .post(&format!("/studio/jetons/{id}/revoquer"), &[])
        .await;
    assert_eq!(page.status, 404);

    // A designer who lost the role, then a revoked token: refused.
    app.store.set_platform_role(dora.id, None).await.unwrap();
    assert!(
        acquis_pack::publish(&app.base, &token, package("essai", "1.2.0", |_| {}))
            .await
            .is_err()
    );
    app.store
        .set_platform_role(dora.id, Some("DESIGNER"))
        .await
        .unwrap();
    let page = c.post(&format!("/studio/jetons/{id}/revoquer"), &[]).await;
    page.assert_contains("Jeton révoqué");
    assert!(
        acquis_pack::publish(&app.base, &token, package("essai", "1.2.0", |_| {}))
            .await
            .is_err()
    );
    assert_eq!(packages(&app).await, before + 1);
}

#[tokio::test]
async fn only_designers_enter_the_studio() {
    let app = TestApp::spawn().await;
    let org = app.org("Collège Nord", "0771001A").await;
    app.member(&org, "staff@test.fr", "Sam", "Staff", Role::Admin)
        .await;
    app.operator("op@test.fr").await;
    app.user("eleve@test.fr", "Eva", "Élève").await;
    let digest = app.state.contents.builtin().await.unwrap().digest.clone();
    for login in ["staff@test.fr", "op@test.fr", "eleve@test.fr"] {
        let c = app.client();
        c.login(login, PASSWORD).await;
        for path in [
            "/studio".to_owned(),
            "/studio/jetons".to_owned(),
            format!("/studio/paquets/{digest}"),
        ] {
            assert_eq!(c.get(&path).await.status, 404, "{login} {path}");
        }
        assert_eq!(c.post("/studio/jetons", &[("name", "x")]).await.status, 404);
    }
    let anonymous = app.client().get("/studio").await;
    assert_eq!(anonymous.path(), "/connexion?next=/studio");
    assert_eq!(app.count("SELECT COUNT(*) FROM designer_tokens").await, 0);
}

#[tokio::test]
async fn operators_choose_which_establishments_are_offered_a_profile() {
    let app = TestApp::spawn().await;
    let a = app.org("Collège Alpha", "0771002B").await;
    let b = app.org("Collège Bêta", "0771003C").await;
    app.member(&a, "admin.a@test.fr", "Ada", "Alpha", Role::Admin)
        .await;
    app.member(&b, "admin.b@test.fr", "Bob", "Bêta", Role::Admin)
        .await;
    let (_, d) = designer(&app, "dora@studio.test").await;
    let token = new_token(&d, "Poste").await;
    acquis_pack::publish(&app.base, &token, package("essai", "1.0.0", |_| {}))
        .await
        .unwrap();

    let staff_a = app.client();
    staff_a.login("admin.a@test.fr", PASSWORD).await;
    let staff_b = app.client();
    staff_b.login("admin.b@test.fr", PASSWORD).await;
    let form_a = format!("/orga/{}/campagnes/nouvelle", a.id);
    let form_b = format!("/orga/{}/campagnes/nouvelle", b.id);
    // A profile from the studio is offered to no one until an operator decides.
    assert!(!staff_a.get(&form_a).await.text().contains(PROFILE_NAME));

    let op = app.client();
    app.operator("op@test.fr").await;
    op.login("op@test.fr", PASSWORD).await;
    let list = op.get("/admin/profils-cibles").await;
    list.assert_contains(PROFILE_NAME);
    list.assert_contains("Aucun établissement");
    let essai = app
        .store
        .latest_target_profiles()
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.package_id == "essai")
        .unwrap();
    let path = format!("/admin/profils-cibles/{}", essai.id);

    // Unknown and malformed UAIs: each reported, nothing changed.
    let page = op
        .post(
            &path,
            &[
                ("offre", "liste"),
                ("uai", "0771002B\n0999999Z, pas-un-uai"),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    page.assert_contains("Aucun établissement n'a l'UAI 0999999Z.");
    page.assert_contains("pas-un-uai");
    let page = op.post(&path, &[("offre", "liste"), ("uai", "")]).await;
    assert_eq!(page.status, 422);
    page.assert_contains("Indiquez au moins un UAI");
    let page = op.post(&path, &[("uai", "0771002B")]).await;
    assert_eq!(page.status, 422);
    page.assert_contains("Choisissez à qui proposer ce profil cible.");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM target_profile_offers")
            .await,
        0
    );

    let page = op
        .post(&path, &[("offre", "liste"), ("uai", "0771002b")])
        .await;
    assert_eq!(page.path(), "/admin/profils-cibles");
    page.assert_contains("est proposé à 1 établissement");
    assert!(staff_a.get(&form_a).await.text().contains(PROFILE_NAME));
    assert!(!staff_b.get(&form_b).await.text().contains(PROFILE_NAME));

    // B cannot create a campaign on it by posting its id; A can.
    let before = app.count("SELECT COUNT(*) FROM campaigns").await;
    let id = essai.id.to_string();
    let fields = [
        ("name", "Essai"),
        ("kind", "ASSESSMENT"),
        ("target_profile_id", id.as_str()),
    ];
    let page = staff_b
        .post(&format!("/orga/{}/campagnes", b.id), &fields)
        .await;
    assert_eq!(page.status, 422);
    page.assert_contains("Choisissez un parcours parmi ceux proposés à votre établissement.");
    assert_eq!(app.count("SELECT COUNT(*) FROM campaigns").await, before);
    let page = staff_a
        .post(&format!("/orga/{}/campagnes", a.id), &fields)
        .await;
    assert_eq!(page.status, 200, "{}", page.text());
    assert_eq!(
        app.count("SELECT COUNT(*) FROM campaigns").await,
        before + 1
    );

    // The next version keeps the choice.
    acquis_pack::publish(&app.base, &token, package("essai", "1.1.0", |_| {}))
        .await
        .unwrap();
    let latest = app
        .store
        .offered_target_profiles(a.tenant())
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.name == PROFILE_NAME)
        .expect("still offered to A");
    assert_ne!(latest.id, essai.id, "the new version's profile");
    assert!(
        !app.store
            .offered_target_profiles(b.tenant())
            .await
            .unwrap()
            .iter()
            .any(|p| p.name == PROFILE_NAME)
    );

    // Offered to all: B sees it too. Staff never reach these pages.
    let latest_id = latest.id;
    let page = op
        .post(
            &format!("/admin/profils-cibles/{latest_id}"),
            &[("offre", "tous"), ("uai", "")],
        )
        .await;
    page.assert_contains("est proposé à tous les établissements");
    assert!(staff_b.get(&form_b).await.text().contains(PROFILE_NAME));
    assert_eq!(staff_a.get("/admin/profils-cibles").await.status, 404);
    assert_eq!(
        staff_a
            .post(&path, &[("offre", "tous"), ("uai", "")])
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn operators_make_and_unmake_designers() {
    let app = TestApp::spawn().await;
    app.operator("op@test.fr").await;
    let op = app.client();
    op.login("op@test.fr", PASSWORD).await;

    let page = op
        .post(
            "/admin/concepteurs",
            &[
                ("email", "new.designer@test.fr"),
                ("first_name", ""),
                ("last_name", ""),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    page.assert_contains("Indiquez le prénom du nouveau concepteur.");
    let page = op
        .post(
            "/admin/concepteurs",
            &[
                ("email", "op@test.fr"),
                ("first_name", ""),
                ("last_name", ""),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    page.assert_contains("Ce compte est celui d'un opérateur");
    let page = op
        .post(
            "/admin/concepteurs",
            &[
                ("email", "pas-une-adresse"),
                ("first_name", "Nina"),
                ("last_name", "Nouvelle"),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    page.assert_contains("L'adresse e-mail « pas-une-adresse » n'est pas valide.");
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE platform_role = 'DESIGNER'")
            .await,
        0
    );

    let page = op
        .post(
            "/admin/concepteurs",
            &[
                ("email", "new.designer@test.fr"),
                ("first_name", "Nina"),
                ("last_name", "Nouvelle"),
            ],
        )
        .await;
    assert_eq!(page.status, 200);
    let doc = scraper::Html::parse_document(&page.body);
    let sel = scraper::Selector::parse(".notice--success code").unwrap();
    let codes: Vec<String> = doc.select(&sel).map(|e| e.text().collect()).collect();
    assert_eq!(codes[0], "new.designer@test.fr");
    let nina = app.client();
    let landed = nina.login("new.designer@test.fr", &codes[1]).await;
    assert_eq!(landed.path(), "/mon-compte/mot-de-passe");

    // An existing account becomes a designer, then stops being one.
    let sam = app.user("sam@test.fr", "Sam", "Existant").await;
    let page = op
        .post(
            "/admin/concepteurs",
            &[
                ("email", "SAM@test.fr"),
                ("first_name", ""),
                ("last_name", ""),
            ],
        )
        .await;
    page.assert_contains("Sam Existant est maintenant concepteur.");
    let c = app.client();
    c.login("sam@test.fr", PASSWORD).await;
    assert_eq!(c.get("/studio").await.status, 200);
    let page = op
        .post(&format!("/admin/concepteurs/{}/retirer", sam.id), &[])
        .await;
    page.assert_contains("Sam Existant n'est plus concepteur.");
    assert_eq!(c.get("/studio").await.status, 404);
    assert_eq!(
        op.post(&format!("/admin/concepteurs/{}/retirer", sam.id), &[])
            .await
            .status,
        404
    );
}

/// Every built-in question that quotes code or a long address, in its instruction or its
/// proposals, fits a 320 px phone: its code blocks wrap, its long words break (seen in the
/// studio's preview, which shows the question as the test does).
#[tokio::test]
async fn built_in_questions_with_code_or_long_words_fit_a_phone() {
    use crate::browser::Browser;
    let app = TestApp::spawn().await;
    new_designer(&app, "dora@studio.test").await;
    let digest = app.state.contents.builtin_digest.clone();
    let catalog = app.state.contents.builtin().await.unwrap();
    let wide: Vec<&str> = catalog
        .bank
        .challenges
        .iter()
        .zip(&catalog.challenges)
        .filter(|(_, info)| {
            let proposals = crate::student::proposals_of(info);
            info.instruction.contains("```")
                || [info.instruction.as_str(), proposals.as_str()]
                    .iter()
                    .flat_map(|text| text.split_whitespace())
                    .any(|w| w.chars().count() >= 30)
        })
        .map(|(c, _)| c.id.as_str())
        .collect();
    assert!(
        (30..100).contains(&wide.len()),
        "the bank quotes code and addresses in some questions: {} found",
        wide.len()
    );
    let b = Browser::start(&app.base).await;
    b.log_in("dora@studio.test", PASSWORD).await;
    b.wait_path("the studio", |p| p == "/studio").await;
    for id in wide {
        b.goto(&format!("/studio/paquets/{digest}/epreuves/{id}"))
            .await;
        b.assert_text(id).await;
        b.assert_fits(320).await;
    }
    b.close().await;
}

/// In chromium, with axe-core on every page: a designer uploads a refused then a good package,
/// publishes it, previews a challenge and tries an answer, creates a token; an operator offers
/// the new profile to an establishment and manages designers.
#[tokio::test]
async fn designer_and_operator_journey_in_the_browser() {
    use crate::browser::Browser;
    use fantoccini::Locator;
    let app = TestApp::spawn().await;
    app.org("Collège Alpha", "0771002B").await;
    new_designer(&app, "dora@studio.test").await;
    app.operator("op@test.fr").await;
    let dir = std::env::temp_dir().join(format!("acquis-studio-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("essai-1.0.0.zip");
    std::fs::write(&good, package("essai", "1.0.0", |_| {})).unwrap();
    let bad = dir.join("essai-casse.zip");
    std::fs::write(
        &bad,
        package("essai", "1.0.0", |files| {
            edit_json(files, "data/competences/1.1.json", |v| {
                v["tubes"][0]["skills"][0]["challenges"][0]["type"] = "inconnu".into();
            });
        }),
    )
    .unwrap();

    let b = Browser::start(&app.base).await;
    b.log_in("dora@studio.test", PASSWORD).await;
    b.wait_path("the studio", |p| p == "/studio").await;
    b.assert_accessible().await;

    for (file, expect) in [
        (&bad, "Le paquet est refusé"),
        (&good, "Le paquet a passé toutes les vérifications."),
    ] {
        b.goto("/studio").await;
        b.find(Locator::Css("#paquet"))
            .await
            .send_keys(file.to_str().unwrap())
            .await
            .unwrap();
        b.click_text("Vérifier le paquet").await;
        b.assert_text(expect).await;
        b.assert_accessible().await;
    }
    b.click_text("Publier").await;
    b.assert_text("Version 1.0.0 du paquet essai publiée.")
        .await;
    b.assert_accessible().await;

    let (qcu, solution) = first_challenge("qcu");
    b.click_text(&qcu).await;
    b.assert_text("Aperçu rendu par le type « qcu »").await;
    b.assert_accessible().await;
    b.click(&format!("input[name=answer][value='{solution}']"))
        .await;
    b.click_text("Corriger ma réponse").await;
    b.assert_text("Bonne réponse").await;
    b.assert_accessible().await;

    b.goto("/studio/jetons").await;
    b.assert_accessible().await;
    b.fill("#name", "Poste de Dora").await;
    b.click_text("Créer le jeton").await;
    b.assert_text("Voici votre jeton. Il ne sera plus affiché.")
        .await;
    b.assert_accessible().await;
    b.close().await;

    let b = Browser::start(&app.base).await;
    b.log_in("op@test.fr", PASSWORD).await;
    b.wait_path("the operators' space", |p| p == "/admin").await;
    b.goto("/admin/profils-cibles").await;
    b.assert_accessible().await;
    b.click_text(PROFILE_NAME).await;
    b.assert_accessible().await;
    b.click("#offre-liste").await;
    b.fill("#uai", "0771002B").await;
    b.click_text("Enregistrer").await;
    b.assert_text("est proposé à 1 établissement").await;
    // Who owns which package and type id, where operators transfer them.
    b.goto("/admin/paquets").await;
    b.assert_accessible().await;
    b.assert_text("crcn").await;
    b.goto("/admin/concepteurs").await;
    b.assert_accessible().await;
    b.fill("#email", "nina@studio.test").await;
    b.fill("#first_name", "Nina").await;
    b.fill("#last_name", "Nouvelle").await;
    b.click_text("Ajouter").await;
    b.assert_text("Compte créé.").await;
    b.assert_accessible().await;
    b.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// `acquis-pack new package` writes a package that verifies and publishes as it is.
#[tokio::test]
async fn a_fresh_package_skeleton_publishes_as_it_is() {
    let app = TestApp::spawn().await;
    let (_, c) = designer(&app, "dora@studio.test").await;
    let token = new_token(&c, "Poste").await;
    let dir = std::env::temp_dir().join(format!("acquis-skeleton-{}", uuid::Uuid::new_v4()));
    acquis_pack::package_skeleton(&dir).unwrap();
    let bytes = package::pack(
        &dir,
        PackageMeta {
            id: "mon-contenu".into(),
            version: "1.0.0".into(),
            kind: "content".into(),
            api: "0.1".into(),
        },
        None,
    )
    .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let out = acquis_pack::publish(&app.base, &token, bytes)
        .await
        .unwrap();
    assert!(
        matches!(out, acquis_pack::Outcome::Published { .. }),
        "{out:?}"
    );
    let profiles = app.store.latest_target_profiles().await.unwrap();
    let mine = profiles
        .iter()
        .find(|p| p.package_id == "mon-contenu")
        .unwrap();
    assert_eq!(mine.name, "Mon profil cible");
    assert!(!mine.offered_to_all);
}

/// What publication wrote: versions, target profiles, claimed ids.
async fn written(app: &TestApp) -> (i64, i64, i64) {
    (
        packages(app).await,
        app.count("SELECT COUNT(*) FROM target_profiles").await,
        app.count("SELECT COUNT(*) FROM package_owners").await,
    )
}

async fn refused_by_api(app: &TestApp, token: &str, bytes: Vec<u8>) -> Vec<(String, String)> {
    match acquis_pack::publish(&app.base, token, bytes).await.unwrap() {
        acquis_pack::Outcome::Refused(problems) => problems,
        other => panic!("accepted: {other:?}"),
    }
}

fn has(problems: &[(String, String)], file: &str, needle: &str) -> bool {
    problems
        .iter()
        .any(|(f, m)| f == file && m.replace('\u{a0}', " ").contains(needle))
}

/// Issue 19, point 15: a package id belongs to the account that first published it; built-in
/// ids are the platform's; an operator transfers an id; nothing is offered without an operator.
#[tokio::test]
async fn package_ids_belong_to_their_first_publisher_and_operators_transfer_them() {
    let app = TestApp::spawn().await;
    let org = app.org("Collège Alpha", "0771002B").await;
    let (_, dora) = designer(&app, "dora@studio.test").await;
    let (otto, otto_c) = designer(&app, "otto@studio.test").await;
    let dora_token = new_token(&dora, "Poste").await;
    let otto_token = new_token(&otto_c, "Poste").await;
    let offered = |app: &TestApp| {
        let store = app.store.clone();
        let tenant = org.tenant();
        async move { store.offered_target_profiles(tenant).await.unwrap() }
    };
    let builtin_offered = offered(&app).await;
    assert!(
        builtin_offered.len() > 20,
        "the built-in profiles are offered"
    );
    let before = written(&app).await;

    // The built-in id (the one the skeleton's files suggest): refused in the studio and the API.
    let page = upload(&dora, "crcn.zip", package("crcn", "9.0.0", |_| {})).await;
    assert_eq!(page.status, 422);
    page.assert_contains("l'identifiant « crcn » est réservé au contenu intégré de la plateforme");
    let problems = refused_by_api(&app, &dora_token, package("crcn", "9.0.0", |_| {})).await;
    assert!(
        has(&problems, "manifest.toml", "« crcn » est réservé"),
        "{problems:?}"
    );
    assert_eq!(written(&app).await, before);
    let still = offered(&app).await;
    assert_eq!(
        still.iter().map(|p| p.id).collect::<Vec<_>>(),
        builtin_offered.iter().map(|p| p.id).collect::<Vec<_>>(),
        "the built-in profiles stay, and nothing else is offered"
    );

    // Dora's id: Otto cannot publish under it, in the studio or the API.
    acquis_pack::publish(&app.base, &dora_token, package("essai", "1.0.0", |_| {}))
        .await
        .unwrap();
    let after_dora = written(&app).await;
    let page = upload(&otto_c, "essai.zip", package("essai", "1.1.0", |_| {})).await;
    assert_eq!(page.status, 422);
    page.assert_contains(
        "Le paquet « essai » a été publié par un autre compte : choisissez un autre identifiant, \
         ou demandez à un opérateur de vous le transférer.",
    );
    let problems = refused_by_api(&app, &otto_token, package("essai", "1.1.0", |_| {})).await;
    assert!(
        has(&problems, "manifest.toml", "publié par un autre compte"),
        "{problems:?}"
    );
    assert_eq!(written(&app).await, after_dora);
    // Her profile is offered to no one until an operator decides.
    assert_eq!(offered(&app).await.len(), builtin_offered.len());

    // An operator transfers it to Otto: a wrong address changes nothing.
    app.operator("op@test.fr").await;
    let op = app.client();
    op.login("op@test.fr", PASSWORD).await;
    let list = op.get("/admin/paquets").await;
    assert_eq!(list.status, 200);
    list.assert_contains("essai");
    list.assert_contains("dora@studio.test");
    list.assert_contains("Plateforme (réservé)");
    let owner_of_essai = || async {
        app.store
            .package_owners()
            .await
            .unwrap()
            .into_iter()
            .find(|o| o.kind == "package" && o.name == "essai")
            .and_then(|o| o.owner_id)
    };
    let dora_id = owner_of_essai().await.expect("Dora owns essai");
    let page = op
        .post(
            "/admin/paquets",
            &[
                ("kind", "package"),
                ("name", "essai"),
                ("email", "inconnu@test.fr"),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    page.assert_contains("Aucun concepteur n'a l'adresse « inconnu@test.fr ».");
    let page = op
        .post(
            "/admin/paquets",
            &[
                ("kind", "package"),
                ("name", "crcn"),
                ("email", "otto@studio.test"),
            ],
        )
        .await;
    assert_eq!(page.status, 404, "the platform's ids are no one's to give");
    assert_eq!(owner_of_essai().await, Some(dora_id));
    let page = op
        .post(
            "/admin/paquets",
            &[
                ("kind", "package"),
                ("name", "essai"),
                ("email", "OTTO@studio.test"),
            ],
        )
        .await;
    assert_eq!(page.path(), "/admin/paquets");
    // (Every test designer is called Dora Conceptrice: the row names Otto's address.)
    page.assert_contains("« essai » appartient maintenant à Dora Conceptrice.");
    page.assert_contains("otto@studio.test");
    assert_eq!(owner_of_essai().await, Some(otto.id));
    // Staff never reach the page.
    let member = app.client();
    app.member(&org, "staff@test.fr", "Sam", "Staff", Role::Admin)
        .await;
    member.login("staff@test.fr", PASSWORD).await;
    assert_eq!(member.get("/admin/paquets").await.status, 404);

    let out = acquis_pack::publish(&app.base, &otto_token, package("essai", "1.1.0", |_| {}))
        .await
        .unwrap();
    assert!(
        matches!(out, acquis_pack::Outcome::Published { .. }),
        "{out:?}"
    );
    let problems = refused_by_api(&app, &dora_token, package("essai", "1.2.0", |_| {})).await;
    assert!(
        has(&problems, "manifest.toml", "publié par un autre compte"),
        "{problems:?}"
    );
}

/// Issue 19, point 16: a package's component never takes a built-in type's id, and a type id
/// belongs to the account that first shipped it.
#[tokio::test]
async fn challenge_type_ids_are_owned_and_builtin_types_cannot_be_replaced() {
    let app = TestApp::spawn().await;
    let (_, dora) = designer(&app, "dora@studio.test").await;
    let (_, otto) = designer(&app, "otto@studio.test").await;
    let dora_token = new_token(&dora, "Poste").await;
    let otto_token = new_token(&otto, "Poste").await;
    let before = written(&app).await;

    let page = upload(
        &dora,
        "essai.zip",
        package("essai", "1.0.0", |files| {
            files.push(("components/qcu.wasm".into(), builtin::HOSTILE.to_vec()));
        }),
    )
    .await;
    assert_eq!(page.status, 422);
    page.assert_contains("components/qcu.wasm");
    page.assert_contains(
        "« qcu » est un type intégré de la plateforme : un paquet ne peut pas le remplacer",
    );
    assert_eq!(written(&app).await, before);

    // Dora ships the type `ordre` first; Otto's package shipping an `ordre` is refused.
    let with_ordre = |id: &str| {
        let id = id.to_owned();
        package(&id, "1.0.0", |files| {
            files.push(("components/ordre.wasm".into(), builtin::ORDRE.to_vec()));
        })
    };
    let out = acquis_pack::publish(&app.base, &dora_token, with_ordre("essai"))
        .await
        .unwrap();
    assert!(
        matches!(out, acquis_pack::Outcome::Published { .. }),
        "{out:?}"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM package_owners WHERE kind = 'type' AND name = 'ordre'")
            .await,
        1
    );
    let after = written(&app).await;
    let page = upload(&otto, "autre.zip", with_ordre("autre")).await;
    assert_eq!(page.status, 422);
    page.assert_contains("Le type d'épreuve « ordre » a été publié par un autre compte");
    page.assert_contains("components/ordre.wasm");
    let problems = refused_by_api(&app, &otto_token, with_ordre("autre")).await;
    assert!(
        has(
            &problems,
            "components/ordre.wasm",
            "publié par un autre compte"
        ),
        "{problems:?}"
    );
    assert_eq!(
        written(&app).await,
        after,
        "not even the package id is claimed"
    );
}

/// Issue 19, point 17: versions only go up, by semver (1.10.0 is above 1.9.0); an older one is
/// refused, and the report says why and what to publish instead.
#[tokio::test]
async fn an_older_version_is_refused_and_the_current_one_stays() {
    let app = TestApp::spawn().await;
    let (_, dora) = designer(&app, "dora@studio.test").await;
    let token = new_token(&dora, "Poste").await;
    for version in ["1.9.0", "1.10.0"] {
        let out = acquis_pack::publish(&app.base, &token, package("essai", version, |_| {}))
            .await
            .unwrap();
        assert!(
            matches!(out, acquis_pack::Outcome::Published { .. }),
            "{out:?}"
        );
    }
    let before = written(&app).await;
    let page = upload(&dora, "essai-0.9.0.zip", package("essai", "0.9.0", |_| {})).await;
    assert_eq!(page.status, 422);
    page.assert_contains(
        "La version 0.9.0 n'est pas supérieure à la version courante 1.10.0 du paquet essai : \
         elle n'est pas publiée. Publiez une version supérieure (par exemple 1.10.1).",
    );
    let problems = refused_by_api(&app, &token, package("essai", "1.9.5", |_| {})).await;
    assert!(
        has(&problems, "manifest.toml", "version courante 1.10.0"),
        "{problems:?}"
    );
    assert_eq!(written(&app).await, before);
    let current = app
        .store
        .latest_target_profiles()
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.package_id == "essai")
        .unwrap();
    assert_eq!(current.version, "1.10.0");
}

/// Issue 19, points 18 and 19: what publication refuses, `acquis-pack test`'s verifier refuses
/// too, with every problem at once, each naming its file, in French: descending stages, an
/// unknown category, tube and formats, a duplicate id, level 12, a custom type's view no student
/// can answer, and a plugin's panic with its message.
#[tokio::test]
async fn publication_and_acquis_pack_test_report_every_problem_with_its_file() {
    let app = TestApp::spawn().await;
    let (_, dora) = designer(&app, "dora@studio.test").await;
    let token = new_token(&dora, "Poste").await;
    let bad = package("essai", "1.0.0", |files| {
        files.push(("components/hostile.wasm".into(), builtin::HOSTILE.to_vec()));
        edit_json(files, "data/competences/1.1.json", |v| {
            let skills = v["tubes"][0]["skills"].as_array_mut().unwrap();
            skills[1]["level"] = 12.into();
            let twin = skills[0]["challenges"][0]["id"].clone();
            skills[1]["challenges"][0]["id"] = twin;
            skills[0]["challenges"][1]["format"] = "nombres".into();
            skills[0]["challenges"]
                .as_array_mut()
                .unwrap()
                .push(serde_json::json!({
                    "id": "radios", "type": "hostile", "choices": [[1, "a"], [2, "b"]],
                    "examples": [{"answer": "1", "verdict": "ok"}]
                }));
            skills[0]["challenges"]
                .as_array_mut()
                .unwrap()
                .push(serde_json::json!({
                    "id": "panique", "type": "hostile",
                    "segments": [{"Field": {"key": "r", "kind": "Input"}}],
                    "examples": [{"answer": "r: oui", "verdict": "ok"}, {"answer": "panic", "verdict": "ko"}]
                }));
        });
        edit_json(files, "data/target-profiles/competence-1-1.json", |v| {
            v["category"] = "SECRET".into();
            v["capped_tubes"][0]["tube"] = "tubeInconnu".into();
            v["stages"].as_array_mut().unwrap().reverse();
        });
    });
    let before = written(&app).await;
    let page = upload(&dora, "essai.zip", bad.clone()).await;
    assert_eq!(page.status, 422);
    let comp = "data/competences/1.1.json";
    let profile = "data/target-profiles/competence-1-1.json";
    let expected = [
        (
            comp,
            "acquis motsClesRecherche2 : niveau « 12 » hors de l'échelle 1 à 8",
        ),
        (comp, "épreuve « motsClesRecherche1-a » en double"),
        (
            comp,
            "épreuve motsClesRecherche1-b : format « nombres » inconnu",
        ),
        (comp, "épreuve radios : la vue rendue propose des choix"),
        (
            comp,
            "épreuve panique : réponse « panic » : question neutralisée, problème technique (le plugin a paniqué : le plugin a paniqué",
        ),
        (profile, "catégorie « SECRET » inconnue"),
        (
            profile,
            "sujet (tube) « tubeInconnu » inconnu dans ce paquet",
        ),
        (
            profile,
            "palier n° 2 : seuil 50 après le seuil 75 ; les paliers vont dans l'ordre croissant",
        ),
    ];
    for (_, needle) in expected {
        page.assert_contains(needle);
    }
    assert!(
        !page.text().contains("data/ "),
        "every problem names its file"
    );
    let api = refused_by_api(&app, &token, bad.clone()).await;
    for (file, needle) in expected {
        assert!(has(&api, file, needle), "{file}: {needle} in {api:#?}");
    }
    assert_eq!(written(&app).await, before);

    // `acquis-pack test` runs this very verifier: the same problems, in the same order.
    let host = &app.state.contents.host;
    let types: Vec<(String, acquis_plugin_host::ChallengeType)> = builtin::CHALLENGE_TYPES
        .iter()
        .map(|(id, b)| (id.to_string(), host.load_challenge_type(b).unwrap()))
        .collect();
    let local = package::verify_publication(host, &bad, &package::Caps::default(), &types)
        .unwrap_err()
        .into_iter()
        .map(|p| (p.file, p.message))
        .collect::<Vec<_>>();
    assert_eq!(local, api);
}

/// Issue 19, point 20: the guide's worked example of a new challenge type, as `acquis-pack new
/// challenge-type` writes it (the platform's build compiles that very source), is published
/// with the package the command writes, and answers through the studio's preview.
#[tokio::test]
async fn the_guides_own_challenge_type_is_generated_built_and_published() {
    let app = TestApp::spawn().await;
    let (_, c) = designer(&app, "dora@studio.test").await;
    let token = new_token(&c, "Poste").await;
    let dir = std::env::temp_dir().join(format!("acquis-type-{}", uuid::Uuid::new_v4()));
    acquis_pack::challenge_type_skeleton(&dir, "ordre").unwrap();
    assert_eq!(
        std::fs::read_to_string(dir.join("src/lib.rs")).unwrap(),
        builtin::ORDRE_SOURCE,
        "the generated source is the one the build compiled"
    );
    let guide = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/plugin-authors.md"),
    )
    .unwrap();
    for step in [
        "acquis-pack -- new challenge-type ordre",
        "paquet/components/ordre.wasm",
        "\"segments\"",
        "p1: ",
    ] {
        assert!(guide.contains(step), "the guide shows {step:?}");
    }
    let pkg = dir.join("paquet");
    std::fs::write(pkg.join("components/ordre.wasm"), builtin::ORDRE).unwrap();
    let bytes = package::pack(
        &pkg,
        PackageMeta {
            id: "mon-ordre".into(),
            version: "1.0.0".into(),
            kind: "content".into(),
            api: "0.1".into(),
        },
        None,
    )
    .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let digest = Host::digest(&bytes);
    let out = acquis_pack::publish(&app.base, &token, bytes)
        .await
        .unwrap();
    assert!(
        matches!(out, acquis_pack::Outcome::Published { .. }),
        "{out:?}"
    );

    let path = format!("/studio/paquets/{digest}/epreuves/ordre-exemple");
    let preview = c.get(&path).await;
    assert_eq!(preview.status, 200, "{}", preview.text());
    preview.assert_contains("Aperçu rendu par le type « ordre »");
    for key in ["f_p1", "f_p2", "f_p3", "f_p4"] {
        assert!(preview.body.contains(&format!("name=\"{key}\"")), "{key}");
    }
    let steps = [
        "Choisir ses mots-clés",
        "Lancer la recherche",
        "Comparer les résultats",
        "Vérifier la source retenue",
    ];
    let form = |order: [usize; 4]| {
        let mut f: Vec<(String, String)> = vec![("graine".into(), "1".into())];
        for (i, s) in order.iter().enumerate() {
            f.push((format!("f_p{}", i + 1), steps[*s].into()));
        }
        f.push(("action".into(), "valider".into()));
        f
    };
    fn as_refs(f: &[(String, String)]) -> Vec<(&str, &str)> {
        f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
    }
    let right = c.post(&path, &as_refs(&form([0, 1, 2, 3]))).await;
    right.assert_contains("Bonne réponse");
    let wrong = c.post(&path, &as_refs(&form([1, 0, 2, 3]))).await;
    wrong.assert_contains("Mauvaise réponse");
}
