//! Élèves: the SIECLE import (all or nothing, re-import, every bad input), the list, the
//! student page, and the reconciliation of a student joining a campaign with the imported list.

use acquis_interop::siecle::sample;
use acquis_tenants::{Role, TenantScope};

use crate::harness::{Client, PASSWORD, Page, TestApp};
use crate::student::{Setup, campaign};

pub async fn upload(c: &Client, org: uuid::Uuid, filename: &str, bytes: Vec<u8>) -> Page {
    c.upload(
        &format!("/orga/{org}/eleves/import"),
        "file",
        filename,
        bytes,
    )
    .await
}

/// A campaign in an establishment that imports its students, its administrator signed in.
pub async fn managed(app: &TestApp, uai: &str) -> (Setup, Client) {
    let setup = campaign(app, uai, "competence-4-1", false).await;
    app.store
        .set_manages_students(&TenantScope::system(setup.org.tenant()), true)
        .await
        .unwrap();
    let admin = app.client();
    admin.login(&format!("admin.{uai}@test.fr"), PASSWORD).await;
    (setup, admin)
}

async fn count_learners(app: &TestApp, org: uuid::Uuid, active_only: bool) -> i64 {
    let cond = if active_only { " AND NOT disabled" } else { "" };
    if app.db.postgres {
        app.count(&format!(
            "SELECT COUNT(*) FROM learners WHERE organization_id = '{org}'{cond}"
        ))
        .await
    } else {
        app.count(&format!(
            "SELECT COUNT(*) FROM learners WHERE hex(organization_id) = '{}'{cond}",
            org.simple().to_string().to_uppercase()
        ))
        .await
    }
}

#[tokio::test]
async fn an_administrator_imports_a_siecle_zip_then_reimports_an_updated_export() {
    let app = TestApp::spawn().await;
    let (setup, admin) = managed(&app, "0330001A").await;
    let org = setup.org.id;
    let list = admin.get(&format!("/orga/{org}/eleves")).await;
    list.assert_contains("Importer (.xml ou .zip)");
    list.assert_contains("Importez la liste de vos élèves");

    let students = sample::students(30);
    let zip = sample::zip(&[(
        "ElevesSansAdresses.xml",
        &sample::xml("0330001A", &students),
    )]);
    let done = upload(&admin, org, "export.zip", zip).await;
    assert_eq!(
        done.path(),
        format!("/orga/{org}/eleves"),
        "{}",
        done.text()
    );
    done.assert_contains("Import terminé : 30 élève(s) ajouté(s), 0 mis à jour, 0 désactivé(s).");
    done.assert_contains("30 élèves");
    done.assert_contains("Léa");
    assert_eq!(count_learners(&app, org, true).await, 30);

    // Next year's export: five left, five arrived, the others renamed.
    let mut next = sample::students(35)[5..].to_vec();
    next[0].last_name = "Nouveaunom".into();
    let again = upload(&admin, org, "export2.xml", sample::xml("0330001A", &next)).await;
    again.assert_contains("Import terminé : 5 élève(s) ajouté(s), 25 mis à jour, 5 désactivé(s).");
    assert_eq!(count_learners(&app, org, true).await, 30);
    assert_eq!(count_learners(&app, org, false).await, 35);
    let found = admin
        .get(&format!("/orga/{org}/eleves?nom=nouveaunom"))
        .await;
    found.assert_contains("1 élève");
    found.assert_contains("NOUVEAUNOM");
    // Accented names imported in capitals are found typed in lower case, on both databases.
    let accented = admin.get(&format!("/orga/{org}/eleves?nom=lefèvre")).await;
    accented.assert_contains("LEFÈVRE");
    accented.assert_contains(" 1 élève ");

    let history = admin.get(&format!("/orga/{org}/eleves/import")).await;
    history.assert_contains("Historique des imports");
    history.assert_contains("export2.xml");
    history.assert_contains("Ada Admin");
}

#[tokio::test]
async fn bad_files_are_refused_with_a_french_message_and_change_nothing() {
    let app = TestApp::spawn_with(|c| c.import_max_mib = 1).await;
    let (setup, admin) = managed(&app, "0330002B").await;
    let org = setup.org.id;
    let good = sample::xml("0330002B", &sample::students(10));
    assert_eq!(
        upload(&admin, org, "ok.xml", good.clone()).await.status,
        200
    );
    assert_eq!(count_learners(&app, org, false).await, 10);

    let eleve = |ine: &str, naiss: &str| {
        format!(
            "<ELEVE ELEVE_ID=\"{ine}\"><ID_NATIONAL>{ine}</ID_NATIONAL><NOM_DE_FAMILLE>Durand</NOM_DE_FAMILLE><PRENOM>Zoé</PRENOM><CODE_SEXE>2</CODE_SEXE>{naiss}<CODE_PAYS>99134</CODE_PAYS></ELEVE>"
        )
    };
    let file = |eleves: &str, structures: &str| {
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><BEE_ELEVES><PARAMETRES><UAJ>0330002B</UAJ></PARAMETRES><DONNEES><ELEVES>{eleves}</ELEVES><STRUCTURES>{structures}</STRUCTURES></DONNEES></BEE_ELEVES>").into_bytes()
    };
    let st = |ine: &str| {
        format!(
            "<STRUCTURES_ELEVE ELEVE_ID=\"{ine}\"><STRUCTURE><CODE_STRUCTURE>3A</CODE_STRUCTURE><TYPE_STRUCTURE>D</TYPE_STRUCTURE></STRUCTURE></STRUCTURES_ELEVE>"
        )
    };
    let mut bomb = b"<?xml version=\"1.0\"?><BEE_ELEVES>".to_vec();
    // 20 MiB of spaces: a few KiB zipped, past the 16 MiB of XML a 1 MiB upload may hold.
    bomb.extend(std::iter::repeat_n(b' ', 20 << 20));
    let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        ("autre-uai.xml", sample::xml("0999999Z", &sample::students(3)), 422, "L'UAI du fichier SIECLE (0999999Z) ne correspond pas à celui de votre établissement (0330002B)."),
        ("casse.xml", b"<?xml version=\"1.0\"?><BEE_ELEVES><PARAMETRES><UAJ>0330002B</UAJ></PARAMETRES><DONNEES></ELEVES>".to_vec(), 422, "Le fichier n'est pas un export SIECLE lisible"),
        ("klingon.xml", b"<?xml version=\"1.0\" encoding=\"KLINGON-8\"?><BEE_ELEVES/>".to_vec(), 422, "L'encodage « KLINGON-8 » déclaré par le fichier n'est pas pris en charge."),
        ("vide.zip", sample::zip(&[("lisezmoi.txt", b"x")]), 422, "L'archive ne contient aucun fichier .xml."),
        ("deux.zip", sample::zip(&[("a.xml", &good), ("b.xml", &good)]), 422, "L'archive contient 2 fichiers .xml : un seul est attendu."),
        ("bombe.zip", sample::zip(&[("e.xml", &bomb)]), 422, "dépasserait 16 Mo une fois décompressée"),
        ("doublon.xml", file(&format!("{}{}", eleve("000000001AA", "<DATE_NAISS>01/01/2012</DATE_NAISS>"), eleve("000000001AA", "<DATE_NAISS>01/01/2012</DATE_NAISS>").replacen("ELEVE_ID=\"000000001AA\"", "ELEVE_ID=\"autre\"", 1)), &format!("{}{}", st("000000001AA"), st("autre"))), 422, "INE 000000001AA, Durand Zoé : cet INE figure déjà ligne 1."),
        ("sans-date.xml", file(&eleve("000000002AA", ""), &st("000000002AA")), 422, "INE 000000002AA, Durand Zoé : la date de naissance est obligatoire."),
        ("mauvaise-date.xml", file(&eleve("000000003AA", "<DATE_NAISS>2012-01-01</DATE_NAISS>"), &st("000000003AA")), 422, "la date de naissance « 2012-01-01 » n'est pas au format JJ/MM/AAAA."),
        ("gros.xml", vec![b' '; (1 << 20) + 10], 413, "La taille du fichier doit être inférieure à 1 Mo."),
    ];
    for (name, bytes, status, message) in cases {
        let page = upload(&admin, org, name, bytes).await;
        assert_eq!(page.status, status, "{name}: {}", page.text());
        page.assert_contains(message);
        if status == 422 {
            page.assert_contains("Aucun élève n'a été importé");
        }
        assert_eq!(
            count_learners(&app, org, false).await,
            10,
            "{name} changed the list"
        );
        assert_eq!(
            count_learners(&app, org, true).await,
            10,
            "{name} disabled students"
        );
    }
    // No file at all.
    let form = reqwest::multipart::Form::new().text("autre", "x");
    let res = admin
        .http
        .post(format!("{}/orga/{org}/eleves/import", admin.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("Choisissez le fichier SIECLE à importer")
    );
    assert_eq!(count_learners(&app, org, false).await, 10);
    // Both errors of one file are listed together.
    let two = file(
        &format!(
            "{}{}",
            eleve("000000004AA", ""),
            eleve("000000005AA", "<DATE_NAISS>99/99/2012</DATE_NAISS>")
        ),
        &format!("{}{}", st("000000004AA"), st("000000005AA")),
    );
    let page = upload(&admin, org, "deux-erreurs.xml", two).await;
    page.assert_contains("000000004AA");
    page.assert_contains("000000005AA");
    let history = admin.get(&format!("/orga/{org}/eleves/import")).await;
    assert!(
        !history.text().contains("deux-erreurs.xml"),
        "a refused file is not an import"
    );
}

#[tokio::test]
async fn only_administrators_of_an_importing_establishment_import_and_others_get_404() {
    let app = TestApp::spawn().await;
    let (a, admin_a) = managed(&app, "0330003C").await;
    let member = app.client();
    app.member(&a.org, "prof@a.fr", "Paul", "Prof", Role::Member)
        .await;
    member.login("prof@a.fr", PASSWORD).await;
    let bytes = sample::xml("0330003C", &sample::students(3));
    let refused = upload(&member, a.org.id, "x.xml", bytes.clone()).await;
    assert_eq!(refused.status, 403);
    refused.assert_contains("Seuls les administrateurs");
    assert_eq!(count_learners(&app, a.org.id, false).await, 0);
    // The member still reads the list.
    assert_eq!(
        member
            .get(&format!("/orga/{}/eleves", a.org.id))
            .await
            .status,
        200
    );

    // An establishment that does not import its students.
    let b = campaign(&app, "0330004D", "competence-4-1", false).await;
    let admin_b = app.client();
    admin_b.login("admin.0330004D@test.fr", PASSWORD).await;
    let not_managing = upload(
        &admin_b,
        b.org.id,
        "x.xml",
        sample::xml("0330004D", &sample::students(2)),
    )
    .await;
    assert_eq!(not_managing.status, 403);
    not_managing.assert_contains("n'importe pas sa liste d'élèves");

    // B's administrator reaches nothing of A's.
    upload(&admin_a, a.org.id, "x.xml", bytes).await;
    let learner = a_learner_id(&app, &admin_a, a.org.id).await;
    for path in [
        format!("/orga/{}/eleves", a.org.id),
        format!("/orga/{}/eleves/import", a.org.id),
        format!("/orga/{}/eleves/{learner}", a.org.id),
        format!("/orga/{}/eleves/import/{}", a.org.id, uuid::Uuid::now_v7()),
        format!(
            "/orga/{}/eleves/import/{}/erreurs",
            a.org.id,
            uuid::Uuid::now_v7()
        ),
        format!("/orga/{}/eleves/{learner}", b.org.id),
    ] {
        assert_eq!(admin_b.get(&path).await.status, 404, "{path}");
    }
    let cross = upload(
        &admin_b,
        a.org.id,
        "x.xml",
        sample::xml("0330003C", &sample::students(5)),
    )
    .await;
    assert_eq!(cross.status, 404);
    assert_eq!(count_learners(&app, a.org.id, false).await, 3);
}

async fn a_learner_id(_app: &TestApp, c: &Client, org: uuid::Uuid) -> String {
    let list = c.get(&format!("/orga/{org}/eleves")).await;
    let marker = format!("/orga/{org}/eleves/");
    let at = list.body.find(&marker).expect("a student link") + marker.len();
    list.body[at..at + 36].to_owned()
}

/// « Qui êtes-vous ? » answered with the student's own names and birth date.
pub async fn identify(c: &Client, code: &str, s: &sample::SampleStudent) -> Page {
    let (day, month, year) = birth(s);
    c.post(
        &format!("/campagnes/{code}/eleve"),
        &[
            ("first_name", s.first_name.as_str()),
            ("last_name", s.last_name.as_str()),
            ("day", &day),
            ("month", &month),
            ("year", &year),
        ],
    )
    .await
}

pub fn birth(s: &sample::SampleStudent) -> (String, String, String) {
    let d = s.birthdate;
    (
        format!("{:02}", d.day()),
        format!("{:02}", u8::from(d.month())),
        d.year().to_string(),
    )
}

#[tokio::test]
async fn an_imported_student_is_reconciled_creates_a_username_account_and_takes_the_test() {
    let app = TestApp::spawn().await;
    let (setup, admin) = managed(&app, "0330005E").await;
    let students = sample::students(40);
    upload(
        &admin,
        setup.org.id,
        "e.xml",
        sample::xml("0330005E", &students),
    )
    .await;
    let code = &setup.code;
    let me = &students[3];
    let (day, month, year) = birth(me);

    let c = app.client();
    let landing = c.get(&format!("/campagnes/{code}")).await;
    assert!(
        landing.body.contains(&format!("/campagnes/{code}/eleve")),
        "anonymous visitors identify first"
    );
    // Joining directly sends to the identification.
    let id_form = c.get(&format!("/campagnes/{code}/eleve")).await;
    id_form.assert_contains("Qui êtes-vous ?");

    // Not in the list.
    let unknown = c
        .post(
            &format!("/campagnes/{code}/eleve"),
            &[
                ("first_name", "Personne"),
                ("last_name", "Inconnu"),
                ("day", &day),
                ("month", &month),
                ("year", &year),
            ],
        )
        .await;
    assert_eq!(unknown.status, 422);
    unknown.assert_contains("Nous ne trouvons pas d'élève");
    let bad_date = c
        .post(
            &format!("/campagnes/{code}/eleve"),
            &[
                ("first_name", "A"),
                ("last_name", "B"),
                ("day", "31"),
                ("month", "02"),
                ("year", "2012"),
            ],
        )
        .await;
    assert_eq!(bad_date.status, 422);
    bad_date.assert_contains("Votre date de naissance n'est pas valide");

    // A typo in the last name and no accent still match, then the username is proposed.
    let typo = format!("{}x", me.last_name.to_lowercase());
    let first = me.first_name.replace('é', "e");
    let signup = c
        .post(
            &format!("/campagnes/{code}/eleve"),
            &[
                ("first_name", &first),
                ("last_name", &typo),
                ("day", &day),
                ("month", &month),
                ("year", &year),
            ],
        )
        .await;
    assert_eq!(
        signup.path(),
        format!("/campagnes/{code}/inscription"),
        "{}",
        signup.text()
    );
    signup.assert_contains("Je m'inscris avec :");
    let expected_username =
        acquis_interop::names::username(&me.first_name, &me.last_name, me.birthdate);
    assert!(
        signup.body.contains(&expected_username),
        "{expected_username} proposed"
    );

    let weak = c
        .post(
            &format!("/campagnes/{code}/inscription"),
            &[("with", "username"), ("password", "court"), ("cgu", "on")],
        )
        .await;
    assert_eq!(weak.status, 422);
    weak.assert_contains("Votre mot de passe doit contenir 8 caractères au minimum");
    let bad_email = c
        .post(
            &format!("/campagnes/{code}/inscription"),
            &[
                ("with", "email"),
                ("email", "pas-une-adresse"),
                ("password", PASSWORD),
                ("cgu", "on"),
            ],
        )
        .await;
    assert_eq!(bad_email.status, 422);
    bad_email.assert_contains("Votre adresse e-mail n'est pas valide");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM learners WHERE user_id IS NOT NULL")
            .await,
        0,
        "no account linked while the form is refused"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE email IS NULL")
            .await,
        0
    );
    let started = c
        .post(
            &format!("/campagnes/{code}/inscription"),
            &[("with", "username"), ("password", PASSWORD), ("cgu", "on")],
        )
        .await;
    started.assert_contains("Les règles du jeu");
    let test = c.post(&format!("/campagnes/{code}/parcours"), &[]).await;
    assert!(test.path().starts_with("/parcours/"), "{}", test.text());

    // The student logs in later with the username.
    let again = app.client();
    assert_ne!(
        again.login(&expected_username, PASSWORD).await.path(),
        "/connexion"
    );

    // Staff see the account and the participation.
    let list = admin
        .get(&format!(
            "/orga/{}/eleves?connexion=identifiant",
            setup.org.id
        ))
        .await;
    list.assert_contains("1 élève");
    list.assert_contains("Identifiant");
    list.assert_contains("Campagne competence-4-1");

    // Someone else claiming the same identity is told an account exists, without seeing it.
    let other = app.client();
    let claimed = identify(&other, code, me).await;
    assert_eq!(claimed.status, 409);
    claimed.assert_contains("Vous possédez déjà un compte rattaché à cet élève");
    assert!(
        !claimed.text().contains(&expected_username),
        "the login is obfuscated"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE username IS NOT NULL")
            .await,
        1
    );
}

#[tokio::test]
async fn a_signed_in_student_is_linked_and_students_outside_the_list_cannot_join() {
    let app = TestApp::spawn().await;
    let (setup, admin) = managed(&app, "0330006F").await;
    let students = sample::students(12);
    upload(
        &admin,
        setup.org.id,
        "e.xml",
        sample::xml("0330006F", &students),
    )
    .await;
    let code = &setup.code;

    // An account that is on nobody's list cannot start, even by posting directly.
    let outsider = app.client();
    app.user("dehors@test.fr", "Jean", "Dehors").await;
    outsider.login("dehors@test.fr", PASSWORD).await;
    let entry = outsider.get(&format!("/campagnes/{code}/parcours")).await;
    assert_eq!(entry.path(), format!("/campagnes/{code}/eleve"));
    let direct = outsider
        .post(&format!("/campagnes/{code}/parcours"), &[])
        .await;
    assert_eq!(direct.path(), format!("/campagnes/{code}/eleve"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM campaign_participations")
            .await,
        0
    );

    // An existing e-mail account reconciles and is linked.
    let me = &students[7];
    let c = app.client();
    app.user("eleve@test.fr", "X", "Y").await;
    c.login("eleve@test.fr", PASSWORD).await;
    let linked = identify(&c, code, me).await;
    linked.assert_contains("Les règles du jeu");
    let test = c.post(&format!("/campagnes/{code}/parcours"), &[]).await;
    assert!(test.path().starts_with("/parcours/"));

    // The outsider claiming the same student is told it belongs to another account.
    let claimed = identify(&outsider, code, me).await;
    assert_eq!(claimed.status, 409);
    claimed.assert_contains("Cet élève est déjà rattaché à un autre compte");

    // A re-import without this student disables them: they may not start another campaign.
    let without: Vec<_> = students
        .iter()
        .filter(|s| s.ine != me.ine)
        .cloned()
        .collect();
    upload(
        &admin,
        setup.org.id,
        "e2.xml",
        sample::xml("0330006F", &without),
    )
    .await;
    let second = second_campaign(&app, &setup, "0330006F").await;
    let refused = c.get(&format!("/campagnes/{second}/parcours")).await;
    assert_eq!(refused.status, 403);
    refused.assert_contains("Vous n'êtes pas autorisé à rejoindre la campagne.");
    // Their account link survived the re-import.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM learners WHERE disabled AND user_id IS NOT NULL")
            .await,
        1
    );
}

/// Another assessment campaign in the same establishment; returns its code.
async fn second_campaign(app: &TestApp, setup: &Setup, uai: &str) -> String {
    let owner = app
        .store
        .find_user_by_login(&format!("admin.{uai}@test.fr"))
        .await
        .unwrap()
        .unwrap();
    let tp = app
        .store
        .offered_target_profiles(setup.org.tenant())
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.profile_key == "competence-4-1")
        .unwrap();
    let mut tx = app
        .store
        .tenant_tx(&TenantScope::system(setup.org.tenant()))
        .await
        .unwrap();
    let code = acquis_tenants::campaign_code();
    tx.create_campaign(
        &acquis_store::NewCampaign {
            name: "Deuxième".into(),
            kind: acquis_store::CampaignKind::Assessment,
            target_profile_id: Some(tp.id),
            title: None,
            landing_text: None,
            external_id_label: None,
            external_id_type: None,
            multiple_sendings: false,
            owner_id: owner.id,
        },
        &code,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    code
}

/// Reconciles `s` on `code` and signs up with a generated username; returns the username.
async fn student_with_username(app: &TestApp, code: &str, s: &sample::SampleStudent) -> String {
    let c = app.client();
    identify(&c, code, s).await;
    let page = c
        .post(
            &format!("/campagnes/{code}/inscription"),
            &[("with", "username"), ("password", PASSWORD), ("cgu", "on")],
        )
        .await;
    page.assert_contains("Les règles du jeu");
    acquis_interop::names::username(&s.first_name, &s.last_name, s.birthdate)
}

#[tokio::test]
async fn staff_reset_passwords_add_usernames_and_dissociate_accounts() {
    let app = TestApp::spawn().await;
    let (setup, admin) = managed(&app, "0330007G").await;
    let org = setup.org.id;
    let students = sample::students(20);
    upload(&admin, org, "e.xml", sample::xml("0330007G", &students)).await;
    let lea = student_with_username(&app, &setup.code, &students[1]).await;
    let noe = student_with_username(&app, &setup.code, &students[2]).await;
    let ids = |list: &Page| -> Vec<String> {
        let marker = format!("/orga/{org}/eleves/");
        list.body
            .match_indices(&marker)
            .map(|(i, _)| list.body[i + marker.len()..i + marker.len() + 36].to_owned())
            .filter(|s| uuid::Uuid::parse_str(s).is_ok())
            .collect()
    };
    let with_accounts = admin
        .get(&format!("/orga/{org}/eleves?connexion=identifiant"))
        .await;
    let linked = ids(&with_accounts);
    assert_eq!(linked.len(), 2);

    // One student: a one-time password, shown once, to change at next login.
    let page = admin
        .post(
            &format!("/orga/{org}/eleves/{}/mot-de-passe", linked[0]),
            &[],
        )
        .await;
    page.assert_contains("Nouveau mot de passe à usage unique");
    let doc = scraper::Html::parse_document(&page.body);
    let otp = doc
        .select(&scraper::Selector::parse("code.otp").unwrap())
        .next()
        .unwrap()
        .text()
        .collect::<String>();
    assert_eq!(otp.len(), 8);
    let again = admin
        .get(&format!("/orga/{org}/eleves/{}", linked[0]))
        .await;
    assert!(!again.body.contains(&otp), "shown once");
    let student = app.client();
    let who = if page.body.contains(&lea) { &lea } else { &noe };
    let login = student.login(who, &otp).await;
    assert_eq!(
        login.path(),
        "/mon-compte/mot-de-passe",
        "must choose a new password"
    );

    // Nothing selected.
    let none = admin
        .post(&format!("/orga/{org}/eleves/mots-de-passe"), &[])
        .await;
    assert_eq!(none.status, 422);
    none.assert_contains("Sélectionnez au moins un élève.");
    // A selection including a student without a username changes nothing.
    let all = admin.get(&format!("/orga/{org}/eleves?par_page=100")).await;
    let without = ids(&all).into_iter().find(|i| !linked.contains(i)).unwrap();
    let refused = admin
        .post(
            &format!("/orga/{org}/eleves/mots-de-passe"),
            &[("eleve", &linked[1]), ("eleve", &without)],
        )
        .await;
    assert_eq!(refused.status, 422);
    refused.assert_contains("Aucun mot de passe n'a été réinitialisé.");
    let other = if who == &lea { &noe } else { &lea };
    assert_eq!(app.client().login(other, PASSWORD).await.status, 200);
    assert_ne!(
        app.client().login(other, PASSWORD).await.path(),
        "/connexion",
        "old password still valid"
    );

    // Both: the CSV to hand out.
    let res = admin
        .http
        .post(format!("{}/orga/{org}/eleves/mots-de-passe", admin.base))
        .form(&[("eleve", &linked[0]), ("eleve", &linked[1])])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("mots-de-passe-")
    );
    let csv = res.text().await.unwrap();
    assert!(
        csv.starts_with("\u{feff}Classe;Nom;Prénom;Identifiant;Mot de passe\r\n"),
        "{csv}"
    );
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3);
    let row: Vec<&str> = lines
        .iter()
        .find(|l| l.contains(&lea))
        .unwrap()
        .split(';')
        .collect();
    assert_eq!(row[0], students[1].division);
    assert_eq!(row[2], students[1].first_name);
    let login = app.client().login(&lea, row[4]).await;
    assert_eq!(login.path(), "/mon-compte/mot-de-passe");

    // An e-mail account gets a username and keeps its own password.
    let c = app.client();
    app.user("zoe@test.fr", "Z", "Z").await;
    c.login("zoe@test.fr", PASSWORD).await;
    let s = &students[5];
    identify(&c, &setup.code, s)
        .await
        .assert_contains("Les règles du jeu");
    let emails = admin
        .get(&format!("/orga/{org}/eleves?connexion=email"))
        .await;
    let zoe = ids(&emails).remove(0);
    let added = admin
        .post(&format!("/orga/{org}/eleves/{zoe}/identifiant"), &[])
        .await;
    added.assert_contains("L'identifiant a été ajouté");
    assert!(!added.text().contains("Mot de passe à usage unique"));
    let username = acquis_interop::names::username(&s.first_name, &s.last_name, s.birthdate);
    assert_ne!(
        app.client().login(&username, PASSWORD).await.path(),
        "/connexion"
    );

    // Dissociation: administrators only, recorded.
    let (_, _) = app
        .member(
            &setup.org,
            "prof@g.fr",
            "Paul",
            "Prof",
            acquis_tenants::Role::Member,
        )
        .await;
    let member = app.client();
    member.login("prof@g.fr", PASSWORD).await;
    assert_eq!(
        member
            .post(&format!("/orga/{org}/eleves/{zoe}/dissocier"), &[])
            .await
            .status,
        403
    );
    let done = admin
        .post(&format!("/orga/{org}/eleves/{zoe}/dissocier"), &[])
        .await;
    done.assert_contains("Le compte a été dissocié de l'élève.");
    done.assert_contains("Cet élève n'a pas encore de compte");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'learner.dissociated'")
            .await,
        1
    );

    // Another establishment reaches none of it.
    let b = campaign(&app, "0330008H", "competence-4-1", false).await;
    let admin_b = app.client();
    admin_b.login("admin.0330008H@test.fr", PASSWORD).await;
    for action in ["mot-de-passe", "identifiant", "dissocier"] {
        assert_eq!(
            admin_b
                .post(&format!("/orga/{org}/eleves/{}/{action}", linked[0]), &[])
                .await
                .status,
            404
        );
        assert_eq!(
            admin_b
                .post(
                    &format!("/orga/{}/eleves/{}/{action}", b.org.id, linked[0]),
                    &[]
                )
                .await
                .status,
            404
        );
    }
    let cross = admin_b
        .post(
            &format!("/orga/{}/eleves/mots-de-passe", b.org.id),
            &[("eleve", &linked[0])],
        )
        .await;
    assert_eq!(cross.status, 422);
    assert_eq!(
        app.client().login(&lea, row[4]).await.path(),
        "/mon-compte/mot-de-passe",
        "unchanged"
    );
}

#[tokio::test]
async fn certificability_comes_from_the_profile_sent_or_the_daily_computation() {
    let app = TestApp::spawn().await;
    let (setup, admin) = managed(&app, "0330011L").await;
    let org = setup.org.id;
    let students = sample::students(10);
    upload(&admin, org, "e.xml", sample::xml("0330011L", &students)).await;
    let strong = student_with_username(&app, &setup.code, &students[0]).await;
    student_with_username(&app, &setup.code, &students[1]).await;
    let list = admin
        .get(&format!("/orga/{org}/eleves?certificabilite=inconnu"))
        .await;
    list.assert_contains("10 élèves");

    // The first has every tube of five competences validated; the second nothing.
    let user = app
        .store
        .find_user_by_login(&strong)
        .await
        .unwrap()
        .unwrap();
    let catalog = app.state.contents.builtin().await.unwrap();
    let id = if app.db.postgres {
        format!("'{}'", user.id)
    } else {
        format!("X'{}'", user.id.simple())
    };
    for tube in catalog.bank.tubes.iter().filter(|t| t.competence < 5) {
        app.owner_exec(
            &format!(
                "INSERT INTO knowledge_states (user_id, tube_id, state, updated_at) VALUES \
                 ({id}, '{t}', '{{\"floor\":8,\"ceiling\":null,\"ceiling_at\":0,\"direct\":[]}}', \
                 '2026-11-01T00:00:00Z')",
                t = tube.id
            ),
            None,
        )
        .await;
    }
    let updated = acquis_server::jobs::certificability(&app.state)
        .await
        .unwrap();
    assert_eq!(updated, 2, "the two students who have an account");
    let yes = admin
        .get(&format!("/orga/{org}/eleves?certificabilite=oui"))
        .await;
    yes.assert_contains(" 1 élève ");
    yes.assert_contains(&students[0].last_name.to_uppercase());
    let no = admin
        .get(&format!("/orga/{org}/eleves?certificabilite=non"))
        .await;
    no.assert_contains(" 1 élève ");
    no.assert_contains(&students[1].last_name.to_uppercase());
    no.assert_contains("Non certifiable");
}

async fn join_by_identity(c: &Client, code: &str, s: &sample::SampleStudent) -> Page {
    c.get(&format!("/campagnes/{code}/parcours")).await;
    identify(c, code, s).await;
    c.post(
        &format!("/campagnes/{code}/inscription"),
        &[("with", "username"), ("password", PASSWORD), ("cgu", "on")],
    )
    .await
}

async fn linked_in(app: &TestApp, org: uuid::Uuid) -> i64 {
    let org = if app.db.postgres {
        format!("'{org}'")
    } else {
        format!("X'{}'", org.simple())
    };
    app.count(&format!(
        "SELECT COUNT(*) FROM learners WHERE organization_id = {org} AND user_id IS NOT NULL"
    ))
    .await
}

/// A student linked in one establishment who moves to another that imports them with the same
/// INE and birth date is recognised there without « Qui êtes-vous ? »; with another birth date
/// on file, or after a dissociation, they are asked who they are.
#[tokio::test]
async fn a_student_who_moves_is_recognised_by_ine_in_the_new_establishment() {
    let app = TestApp::spawn().await;
    let (a, admin_a) = managed(&app, "0330020A").await;
    let (b, admin_b) = managed(&app, "0330021B").await;
    let students = sample::students(6);
    let mut moved = students.clone();
    // In B the third student has another birth date on file: no automatic link for them.
    moved[2].birthdate = moved[2].birthdate.previous_day().unwrap();
    upload(
        &admin_a,
        a.org.id,
        "a.xml",
        sample::xml("0330020A", &students),
    )
    .await;
    upload(&admin_b, b.org.id, "b.xml", sample::xml("0330021B", &moved)).await;

    // The student joins A: « Qui êtes-vous ? », then an account. In B: recognised at once.
    let c = app.client();
    join_by_identity(&c, &a.code, &students[0])
        .await
        .assert_contains("Les règles du jeu");
    assert_eq!(linked_in(&app, b.org.id).await, 0);
    let page = c.get(&format!("/campagnes/{}/parcours", b.code)).await;
    page.assert_contains("Les règles du jeu");
    assert_eq!(linked_in(&app, b.org.id).await, 1);

    // Another birth date on file in B: asked who they are, nothing linked.
    let d = app.client();
    join_by_identity(&d, &a.code, &students[2])
        .await
        .assert_contains("Les règles du jeu");
    let page = d.get(&format!("/campagnes/{}/parcours", b.code)).await;
    assert_eq!(page.path(), format!("/campagnes/{}/eleve", b.code));
    assert_eq!(linked_in(&app, b.org.id).await, 1);

    // B's administrator dissociates the first student: the INE is forgotten, no automatic
    // link comes back on the next visit.
    let linked: Vec<uuid::Uuid> = {
        let mut tx = app
            .store
            .tenant_tx(&TenantScope::system(b.org.tenant()))
            .await
            .unwrap();
        let ids = tx
            .linked_learners()
            .await
            .unwrap()
            .into_iter()
            .map(|(learner, _)| learner)
            .collect();
        tx.commit().await.unwrap();
        ids
    };
    let page = admin_b
        .post(
            &format!("/orga/{}/eleves/{}/dissocier", b.org.id, linked[0]),
            &[],
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.text());
    assert_eq!(linked_in(&app, b.org.id).await, 0);
    let page = c.get(&format!("/campagnes/{}/parcours", b.code)).await;
    assert_eq!(page.path(), format!("/campagnes/{}/eleve", b.code));
    assert_eq!(linked_in(&app, b.org.id).await, 0);
}

/// The reference's re-import rule: when an establishment imports a student already linked
/// elsewhere (same INE and birth date), the account is linked at import.
#[tokio::test]
async fn an_import_links_a_student_already_known_elsewhere_by_ine() {
    let app = TestApp::spawn().await;
    let (a, admin_a) = managed(&app, "0330030A").await;
    let (b, admin_b) = managed(&app, "0330031B").await;
    let students = sample::students(4);
    upload(
        &admin_a,
        a.org.id,
        "a.xml",
        sample::xml("0330030A", &students),
    )
    .await;
    let c = app.client();
    join_by_identity(&c, &a.code, &students[1])
        .await
        .assert_contains("Les règles du jeu");
    let done = upload(
        &admin_b,
        b.org.id,
        "b.xml",
        sample::xml("0330031B", &students),
    )
    .await;
    done.assert_contains("Import terminé : 4 élève(s) ajouté(s)");
    assert_eq!(linked_in(&app, b.org.id).await, 1);
    // Re-importing changes nothing more; the student goes straight to the rules in B.
    upload(
        &admin_b,
        b.org.id,
        "b.xml",
        sample::xml("0330031B", &students),
    )
    .await;
    assert_eq!(linked_in(&app, b.org.id).await, 1);
    c.get(&format!("/campagnes/{}/parcours", b.code))
        .await
        .assert_contains("Les règles du jeu");
}

/// A SIECLE file of `eleves` (already formed `ELEVE` elements), each in class 3A.
fn siecle_file(uai: &str, eleves: &[String], ids: &[String]) -> Vec<u8> {
    let structures: String = ids
        .iter()
        .map(|id| format!("<STRUCTURES_ELEVE ELEVE_ID=\"{id}\"><STRUCTURE><CODE_STRUCTURE>3A</CODE_STRUCTURE><TYPE_STRUCTURE>D</TYPE_STRUCTURE></STRUCTURE></STRUCTURES_ELEVE>"))
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<BEE_ELEVES>\n<PARAMETRES><UAJ>{uai}</UAJ></PARAMETRES>\n<DONNEES>\n<ELEVES>\n{}\n</ELEVES>\n<STRUCTURES>{structures}</STRUCTURES>\n</DONNEES>\n</BEE_ELEVES>\n",
        eleves.join("\n")
    )
    .into_bytes()
}

/// One `ELEVE` on a single line, born in France abroad-free (no commune code needed).
fn one_eleve(ine: &str, last: &str, first: &str, birth: &str) -> String {
    format!(
        "<ELEVE ELEVE_ID=\"{ine}\"><ID_NATIONAL>{ine}</ID_NATIONAL><NOM_DE_FAMILLE>{last}</NOM_DE_FAMILLE><PRENOM>{first}</PRENOM><CODE_SEXE>2</CODE_SEXE><DATE_NAISS>{birth}</DATE_NAISS><CODE_PAYS>99134</CODE_PAYS></ELEVE>"
    )
}

async fn count_jobs(app: &TestApp, state: &str) -> i64 {
    app.count(&format!(
        "SELECT COUNT(*) FROM learner_import_jobs WHERE state = '{state}'"
    ))
    .await
}

async fn count_imports(app: &TestApp) -> i64 {
    app.count("SELECT COUNT(*) FROM learner_imports").await
}

/// The error report's address on a refused import's page.
fn report_link(page: &Page, org: uuid::Uuid) -> String {
    let marker = format!("/orga/{org}/eleves/import/");
    let at = page
        .body
        .find(&marker)
        .unwrap_or_else(|| panic!("no report link: {}", page.text()));
    let end = page.body[at..].find('"').unwrap() + at;
    page.body[at..end].to_owned()
}

#[tokio::test]
async fn a_refused_file_lists_its_first_errors_and_any_server_serves_its_full_report() {
    let app = TestApp::spawn().await;
    let (setup, admin) = managed(&app, "0330006F").await;
    let org = setup.org.id;
    upload(
        &admin,
        org,
        "ok.xml",
        sample::xml("0330006F", &sample::students(10)),
    )
    .await;
    assert_eq!(count_learners(&app, org, false).await, 10);
    assert_eq!(count_imports(&app).await, 1);

    // 120 students, each with an impossible birth date; one's name is a spreadsheet formula.
    let ids: Vec<String> = (0..120).map(|i| format!("{i:09}ZZ")).collect();
    let eleves: Vec<String> = ids
        .iter()
        .enumerate()
        .map(|(i, ine)| {
            let last = if i == 7 { "=HYPERLINK(x)" } else { "Durand" };
            one_eleve(ine, last, "Zoé", "31/02/2012")
        })
        .collect();
    let page = upload(
        &admin,
        org,
        "erreurs.xml",
        siecle_file("0330006F", &eleves, &ids),
    )
    .await;
    assert_eq!(page.status, 422, "{}", page.text());
    page.assert_contains("Aucun élève n'a été importé");
    page.assert_contains("121 erreurs.");
    page.assert_contains("Voici les 50 premières ; le rapport d'erreurs les contient toutes.");
    page.assert_contains(
        "Ligne 6, INE 000000000ZZ, Durand Zoé : la date de naissance « 31/02/2012 » n'existe pas dans le calendrier.",
    );
    assert_eq!(
        page.body.matches("<li>Ligne ").count(),
        50,
        "the page lists the first 50 errors only"
    );
    assert!(
        !page.text().contains("000000119ZZ"),
        "the last error is in the report only"
    );
    page.assert_contains("Télécharger le rapport d'erreurs (CSV)");
    let report_path = report_link(&page, org);
    let status_path = report_path.trim_end_matches("/erreurs").to_owned();

    // Nothing written: the list, its history and no running import left.
    assert_eq!(count_learners(&app, org, false).await, 10);
    assert_eq!(count_learners(&app, org, true).await, 10);
    assert_eq!(count_imports(&app).await, 1);
    assert_eq!(count_jobs(&app, "RUNNING").await, 0);

    // Another app server, with none of this one's memory, serves the outcome and the report.
    let (other, _) = app.another_server().await;
    let elsewhere = admin.on(other);
    for c in [&admin, &elsewhere] {
        let again = c.get(&status_path).await;
        assert_eq!(again.status, 422, "{}", again.text());
        again.assert_contains("121 erreurs.");
        let res = c
            .http
            .get(format!("{}{report_path}", c.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(
            res.headers()["content-type"].to_str().unwrap(),
            "text/csv; charset=utf-8"
        );
        let csv = res.text().await.unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 122, "a header and every error");
        assert_eq!(lines[0], "\u{feff}Ligne;INE;Nom;Erreur");
        assert_eq!(
            lines[1],
            "6;000000000ZZ;Durand Zoé;la date de naissance «\u{a0}31/02/2012\u{a0}» n'existe pas dans le calendrier."
        );
        assert!(csv.contains("000000119ZZ"));
        // The formula is text in a spreadsheet, in its name cell.
        assert!(csv.contains(";'=HYPERLINK(x) Zoé;"), "{csv}");
        assert!(!csv.contains(";=HYPERLINK"));
    }

    // Another establishment's administrator finds neither.
    let b = campaign(&app, "0330007G", "competence-4-1", false).await;
    app.store
        .set_manages_students(&TenantScope::system(b.org.tenant()), true)
        .await
        .unwrap();
    let admin_b = app.client();
    admin_b.login("admin.0330007G@test.fr", PASSWORD).await;
    let job = status_path.rsplit('/').next().unwrap();
    for path in [
        status_path.clone(),
        report_path.clone(),
        format!("/orga/{}/eleves/import/{job}", b.org.id),
        format!("/orga/{}/eleves/import/{job}/erreurs", b.org.id),
    ] {
        assert_eq!(admin_b.get(&path).await.status, 404, "{path}");
    }
}

#[tokio::test]
async fn one_import_runs_at_a_time_per_establishment_whichever_server_started_it() {
    let app = TestApp::spawn().await;
    let (setup, admin) = managed(&app, "0330008H").await;
    let org = setup.org.id;
    let scope = TenantScope::system(setup.org.tenant());
    upload(
        &admin,
        org,
        "ok.xml",
        sample::xml("0330008H", &sample::students(10)),
    )
    .await;
    assert_eq!(count_imports(&app).await, 1);

    // Two starts together: the database lets one through.
    let user = app.user("autre@test.fr", "Autre", "Admin").await;
    let mut first = app.store.tenant_tx(&scope).await.unwrap();
    first
        .start_import_job(
            uuid::Uuid::now_v7(),
            user.id,
            "a.xml",
            std::time::Duration::from_secs(60),
        )
        .await
        .unwrap();
    let store = app.store.clone();
    let second = tokio::spawn(async move {
        let mut tx = store.tenant_tx(&scope).await?;
        tx.start_import_job(
            uuid::Uuid::now_v7(),
            user.id,
            "b.xml",
            std::time::Duration::from_secs(60),
        )
        .await?;
        tx.commit().await
    });
    first.commit().await.unwrap();
    assert!(
        matches!(
            second.await.unwrap(),
            Err(acquis_store::StoreError::Conflict(_))
        ),
        "the second start is refused"
    );
    assert_eq!(count_jobs(&app, "RUNNING").await, 1);

    // While that import runs (on another server, alive), an upload here is refused in French.
    let mut next = sample::students(12);
    next[0].last_name = "Nouveaunom".into();
    let refused = upload(&admin, org, "pendant.xml", sample::xml("0330008H", &next)).await;
    assert_eq!(refused.status, 409, "{}", refused.text());
    refused.assert_contains(
        "Un import de la liste des élèves est déjà en cours pour votre établissement : attendez qu'il se termine",
    );
    refused.assert_contains("Cette demande n'a modifié aucun élève.");
    assert!(
        !refused.text().contains("corrigez le fichier"),
        "the file is not the problem"
    );
    assert_eq!(count_learners(&app, org, false).await, 10);
    assert_eq!(count_imports(&app).await, 1);
    assert_eq!(count_jobs(&app, "RUNNING").await, 1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM learners WHERE last_name = 'NOUVEAUNOM'")
            .await,
        0
    );

    // That server died without a word: past a minute without a heartbeat, the next import
    // takes its place and the dead one reads as interrupted.
    app.owner_exec(
        "UPDATE learner_import_jobs SET heartbeat_at = $1 WHERE state = 'RUNNING'",
        Some(time::OffsetDateTime::now_utc() - time::Duration::minutes(5)),
    )
    .await;
    let done = upload(&admin, org, "apres.xml", sample::xml("0330008H", &next)).await;
    assert_eq!(
        done.path(),
        format!("/orga/{org}/eleves"),
        "{}",
        done.text()
    );
    done.assert_contains("Import terminé : 2 élève(s) ajouté(s), 10 mis à jour, 0 désactivé(s).");
    assert_eq!(count_learners(&app, org, false).await, 12);
    assert_eq!(count_jobs(&app, "RUNNING").await, 0);
    assert_eq!(count_jobs(&app, "FAILED").await, 1);
    assert_eq!(count_jobs(&app, "DONE").await, 2);
}

/// The page an import ends on: a large file's progress page is followed until it ends.
async fn settled(c: &Client, mut page: Page) -> Page {
    for _ in 0..600 {
        if !(page.status == 200 && page.path().contains("/eleves/import/")) {
            return page;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        page = c.get(&page.path()).await;
    }
    panic!("the import did not end: {}", page.text());
}

#[tokio::test]
async fn two_uploads_at_once_never_both_add_the_same_students() {
    let app = TestApp::spawn().await;
    let (setup, admin) = managed(&app, "0330009J").await;
    // The same administrator in a second browser (each session shows its own outcome).
    let again = app.client();
    again.login("admin.0330009J@test.fr", PASSWORD).await;
    let org = setup.org.id;
    let file = sample::xml("0330009J", &sample::students(2000));
    let (a, b) = tokio::join!(
        async { settled(&admin, upload(&admin, org, "a.xml", file.clone()).await).await },
        async { settled(&again, upload(&again, org, "b.xml", file.clone()).await).await }
    );
    let added = |p: &Page| -> i64 {
        p.text()
            .split("Import terminé : ")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    for p in [&a, &b] {
        match p.status {
            200 => p.assert_contains("Import terminé"),
            409 => p.assert_contains("Un import de la liste des élèves est déjà en cours"),
            other => panic!("{other}: {}", p.text()),
        }
    }
    assert_eq!(added(&a) + added(&b), 2000, "{}\n{}", a.text(), b.text());
    assert_eq!(count_learners(&app, org, false).await, 2000);
}

#[tokio::test]
async fn each_refusal_says_what_is_wrong_with_the_line_ine_and_name() {
    let app = TestApp::spawn_with(|c| c.import_max_mib = 1).await;
    let (setup, admin) = managed(&app, "0330010K").await;
    let org = setup.org.id;
    upload(
        &admin,
        org,
        "ok.xml",
        sample::xml("0330010K", &sample::students(10)),
    )
    .await;
    let ids = [
        "000000001AB".to_owned(),
        "000000002AB".to_owned(),
        "000000003AB".to_owned(),
    ];
    let file = siecle_file(
        "0330010K",
        &[
            one_eleve(&ids[0], "Martin", "Léa", "31/02/2012"),
            one_eleve(&ids[1], "Martin2", "Léo", "01/02/2012"),
            one_eleve(&ids[2], "Martin", "Léon@", "01/02/2012"),
        ],
        &ids,
    );
    let page = upload(&admin, org, "fautes.xml", file).await;
    assert_eq!(page.status, 422, "{}", page.text());
    page.assert_contains("Aucun élève n'a été importé");
    page.assert_contains("3 erreurs.");
    page.assert_contains(
        "Ligne 6, INE 000000001AB, Martin Léa : la date de naissance « 31/02/2012 » n'existe pas dans le calendrier.",
    );
    page.assert_contains(
        "Ligne 7, INE 000000002AB, Martin2 Léo : le nom de famille « Martin2 » contient un chiffre, ce qu'un nom ou un prénom ne peut pas contenir",
    );
    page.assert_contains(
        "Ligne 8, INE 000000003AB, Martin Léon@ : le prénom « Léon@ » contient le caractère « @ », qui n'a pas sa place dans un nom ou un prénom",
    );
    assert!(
        !page.text().contains("format JJ/MM/AAAA"),
        "{}",
        page.text()
    );
    assert!(!page.text().contains("encodage"), "{}", page.text());

    // A small archive whose content would pass 16 Mo: suspicious, not « over 1 Mo ».
    let mut bomb = b"<?xml version=\"1.0\"?><BEE_ELEVES>".to_vec();
    bomb.extend(std::iter::repeat_n(b' ', 20 << 20));
    let zip = sample::zip(&[("e.xml", &bomb)]);
    assert!(zip.len() < 100 << 10);
    let page = upload(&admin, org, "bombe.zip", zip).await;
    assert_eq!(page.status, 422, "{}", page.text());
    page.assert_contains("Aucun élève n'a été importé");
    page.assert_contains("dépasserait 16 Mo une fois décompressée : aucun export SIECLE ne se comprime autant, elle est donc refusée comme suspecte.");
    assert!(
        !page.text().contains("inférieure à 1 Mo"),
        "{}",
        page.text()
    );
    assert_eq!(count_learners(&app, org, false).await, 10);
    assert_eq!(count_learners(&app, org, true).await, 10);
    assert_eq!(count_imports(&app).await, 1);
}
