//! Students' school SSO against a real OpenID Connect provider (panva's oidc-provider under
//! `tests/peers/oidc`, one process for the test binary, one registered client per test): the
//! whole flow over HTTP, every bad case with its own error page and nothing created, isolation
//! between establishments, staff kept out, logout through the provider.

use acquis_interop::siecle::sample;
use acquis_store::IdentityProvider;
use acquis_tenants::Role;

use crate::harness::{Client, PASSWORD, TestApp};
use crate::oidc_peer::{
    Who, as_page, peer, provider, provider_at, submit_login, through_provider, who,
};
use crate::student::Setup;
use crate::students::{birth, identify, managed, upload};

/// A browser that stops before coming back to Acquis, to hold the provider's answer.
fn stopping_client(app: &TestApp) -> Client {
    Client {
        http: reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::custom(|a| {
                if a.url().path() == "/sso/retour" {
                    a.stop()
                } else {
                    a.follow()
                }
            }))
            .build()
            .unwrap(),
        base: app.base.clone(),
    }
}

async fn callback_url(c: &Client, start: &str, w: Option<Who<'_>>) -> String {
    let res = match w {
        Some(w) => {
            let login = c.get(start).await;
            submit_login(c, &login, w).await
        }
        // Already signed in at the provider: it answers at once.
        None => c
            .http
            .get(format!("{}{start}", c.base))
            .send()
            .await
            .unwrap(),
    };
    assert_eq!(res.status().as_u16(), 303, "{}", res.url());
    res.headers()["location"].to_str().unwrap().to_owned()
}

async fn count_accounts(app: &TestApp) -> (i64, i64) {
    (
        app.count("SELECT COUNT(*) FROM users").await,
        app.count("SELECT COUNT(*) FROM user_identities").await,
    )
}

/// An establishment that imports its students and uses the provider, 30 students imported.
async fn school(
    app: &TestApp,
    uai: &str,
) -> (Setup, Client, IdentityProvider, Vec<sample::SampleStudent>) {
    let (setup, admin) = managed(app, uai).await;
    let students = sample::students(30);
    upload(&admin, setup.org.id, "e.xml", sample::xml(uai, &students)).await;
    let p = provider(app, "ENT / Médiacentre").await;
    app.store
        .set_students_provider(setup.org.id, Some(p.id))
        .await
        .unwrap();
    (setup, admin, p, students)
}

fn birth_form<'a>(code: &'a str, b: &'a (String, String, String)) -> Vec<(&'a str, &'a str)> {
    vec![
        ("code", code),
        ("day", &b.0),
        ("month", &b.1),
        ("year", &b.2),
        ("cgu", "on"),
    ]
}

#[tokio::test]
async fn a_new_student_joins_through_the_provider_then_comes_back_without_a_password() {
    let app = TestApp::spawn().await;
    let (setup, admin, p, students) = school(&app, "0331001A").await;
    let code = &setup.code;
    let me = &students[4];
    let b = birth(me);
    let before = count_accounts(&app).await;

    let c = app.client();
    let landing = c.get(&format!("/campagnes/{code}")).await;
    landing.assert_contains("Se connecter avec l'ENT (ENT / Médiacentre)");
    let start = format!("/sso/{}/connexion?code={code}", p.id);
    assert!(
        landing.body.contains(&start),
        "the landing page's button starts the sign-in"
    );

    // The provider spells the names its own way (capitals, no accents): reconciliation copes.
    let upper_first = me.first_name.to_uppercase().replace(['É', 'Ë'], "E");
    let upper_last = me.last_name.to_uppercase();
    let new = through_provider(&c, &start, who("ent-4242", &upper_first, &upper_last)).await;
    assert_eq!(new.path(), "/sso/nouveau");
    new.assert_contains("ENT / Médiacentre vous a bien identifié");
    assert!(
        new.body.contains(&format!("value=\"{code}\"")),
        "the code is kept"
    );

    // Every problem at once, nothing created.
    let empty = c.post("/sso/nouveau", &[("code", code.as_str())]).await;
    assert_eq!(empty.status, 422);
    empty.assert_contains("Votre date de naissance n'est pas valide");
    empty.assert_contains("Vous devez accepter les conditions d'utilisation");
    let wrong_day = (b.0.clone(), b.1.clone(), "1990".to_owned());
    let not_found = c.post("/sso/nouveau", &birth_form(code, &wrong_day)).await;
    assert_eq!(not_found.status, 422);
    not_found.assert_contains("Nous ne trouvons pas d'élève à votre nom");
    assert_eq!(count_accounts(&app).await, before);

    let joined = c.post("/sso/nouveau", &birth_form(code, &b)).await;
    assert_eq!(joined.status, 200, "{}", joined.text());
    assert!(
        joined.path().starts_with(&format!("/campagnes/{code}")),
        "{}",
        joined.path()
    );
    let (users, identities) = count_accounts(&app).await;
    assert_eq!((users, identities), (before.0 + 1, before.1 + 1));
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM users WHERE email IS NULL AND username IS NULL AND password_hash IS NULL"
        )
        .await,
        1,
        "an account without password, e-mail or username"
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM learners l JOIN user_identities i ON i.user_id = l.user_id"
        )
        .await,
        1,
        "linked to the imported student"
    );

    // A session opened through the provider does not open the establishment space.
    let orga = c.get("/orga").await;
    assert_eq!(orga.status, 403);
    orga.assert_contains("ne s'ouvrent pas avec une connexion ENT");

    // Logging out goes through the provider's end-session endpoint.
    let out = c.post("/deconnexion", &[]).await;
    out.assert_contains("Vous êtes déconnecté d'Acquis");
    let end_session = scraper::Html::parse_document(&out.body)
        .select(&scraper::Selector::parse("#end-session").unwrap())
        .next()
        .and_then(|a| a.value().attr("href").map(str::to_owned))
        .expect("the provider's end-session link");
    assert!(
        end_session.starts_with(&format!("{}/session/end?", peer()))
            && end_session.contains("id_token_hint="),
        "logout goes through the provider: {end_session}"
    );
    assert!(out.body.contains("http-equiv=\"refresh\""), "at once");
    assert!(c.get("/mon-compte").await.path().starts_with("/connexion"));

    // Staff see the connection method and can add a username with a one-time password.
    let list = admin
        .get(&format!(
            "/orga/{}/eleves?connexion=mediacentre",
            setup.org.id
        ))
        .await;
    list.assert_contains(&me.last_name.to_uppercase());
    list.assert_contains("1 élève");
    let marker = format!("/orga/{}/eleves/", setup.org.id);
    let learner_id = list
        .body
        .match_indices(&marker)
        .map(|(i, _)| &list.body[i + marker.len()..])
        .find_map(|rest| uuid::Uuid::parse_str(rest.get(..36)?).ok())
        .expect("the student's link");
    let added = admin
        .post(
            &format!("/orga/{}/eleves/{learner_id}/identifiant", setup.org.id),
            &[],
        )
        .await;
    assert_eq!(added.status, 200);
    added.assert_contains("Médiacentre");
    let doc = scraper::Html::parse_document(&added.body);
    let sel = scraper::Selector::parse("code.otp").unwrap();
    let otp = doc
        .select(&sel)
        .next()
        .map(|e| e.text().collect::<String>())
        .expect("a one-time password shown once");

    // Back another day through the provider (a new browser): signed in, nothing created.
    let again = app.client();
    let login = again.get("/connexion").await;
    login.assert_contains("Se connecter avec l'ENT (ENT / Médiacentre)");
    let back = through_provider(
        &again,
        &format!("/sso/{}/connexion", p.id),
        who("ent-4242", "Léa", "Autre"),
    )
    .await;
    assert_eq!(back.status, 200);
    assert!(
        !back.path().starts_with("/connexion") && !back.path().starts_with("/sso"),
        "{}",
        back.path()
    );
    assert_eq!(count_accounts(&app).await, (users, identities));
    let mine = again.get(&format!("/campagnes/{code}/eleve")).await;
    assert!(
        mine.path().starts_with(&format!("/campagnes/{code}")),
        "{}",
        mine.path()
    );
    assert!(!mine.text().contains("Qui êtes-vous ?"), "already linked");

    // The username and one-time password work too.
    let username: String = {
        let sel = scraper::Selector::parse("code.username").unwrap();
        doc.select(&sel)
            .next()
            .map(|e| e.text().collect())
            .expect("the username")
    };
    let by_password = app.client();
    let page = by_password.login(username.trim(), otp.trim()).await;
    assert_eq!(page.path(), "/mon-compte/mot-de-passe");
    // A password session logs out straight to the login page.
    let staff_out = admin.post("/deconnexion", &[]).await;
    assert_eq!(staff_out.path(), "/connexion");
}

#[tokio::test]
async fn a_student_who_has_an_account_links_the_provider_identity_to_it() {
    let app = TestApp::spawn().await;
    let (setup, _admin, p, students) = school(&app, "0331002B").await;
    let code = &setup.code;
    let me = &students[7];
    let b = birth(me);

    // The student joined earlier with an e-mail account.
    let earlier = app.client();
    identify(&earlier, code, me).await;
    let signed = earlier
        .post(
            &format!("/campagnes/{code}/inscription"),
            &[
                ("with", "email"),
                ("email", "eleve.sept@example.fr"),
                ("password", PASSWORD),
                ("cgu", "on"),
            ],
        )
        .await;
    assert_eq!(signed.status, 200, "{}", signed.text());
    let before = count_accounts(&app).await;

    // Through the provider, the student is told the account exists; nothing is created.
    let c = app.client();
    let start = format!("/sso/{}/connexion?code={code}", p.id);
    through_provider(&c, &start, who("ent-7", &me.first_name, &me.last_name)).await;
    let conflict = c.post("/sso/nouveau", &birth_form(code, &b)).await;
    assert_eq!(conflict.status, 409);
    conflict.assert_contains("Cet élève possède déjà un compte (e***@e***.fr)");
    assert_eq!(count_accounts(&app).await, before);

    // « J'ai déjà un compte »: log in, confirm, linked.
    let login = c
        .http
        .post(format!("{}/connexion", app.base))
        .form(&[
            ("login", "eleve.sept@example.fr"),
            ("password", PASSWORD),
            ("next", "/sso/associer"),
        ])
        .send()
        .await
        .unwrap();
    let confirm = as_page(login).await;
    assert_eq!(confirm.path(), "/sso/associer");
    confirm
        .assert_contains("Voulez-vous relier cette connexion à votre compte eleve.sept@example.fr");
    let linked = c.post("/sso/associer", &[]).await;
    linked.assert_contains("Votre compte est maintenant relié à ENT / Médiacentre");
    assert_eq!(count_accounts(&app).await, (before.0, before.1 + 1));

    // Next time the provider alone signs the student in to that same account.
    let fresh = app.client();
    let back = through_provider(&fresh, &start, who("ent-7", &me.first_name, &me.last_name)).await;
    assert!(
        back.path().starts_with(&format!("/campagnes/{code}")),
        "{}",
        back.path()
    );
    let account = fresh.get("/mon-compte").await;
    account.assert_contains("eleve.sept@example.fr");
}

#[tokio::test]
async fn an_identity_linked_to_another_account_is_refused_with_its_message() {
    let app = TestApp::spawn().await;
    let (setup, _admin, p, students) = school(&app, "0331003C").await;
    let code = &setup.code;
    let me = &students[2];
    let b = birth(me);
    let c = app.client();
    let start = format!("/sso/{}/connexion?code={code}", p.id);
    through_provider(
        &c,
        &start,
        who("ent-partage", &me.first_name, &me.last_name),
    )
    .await;
    c.post("/sso/nouveau", &birth_form(code, &b)).await;

    // Someone signed in with another account goes through the provider with that identity.
    let other = app.user("autre.compte@example.fr", "Autre", "Compte").await;
    let before = count_accounts(&app).await;
    assert_eq!(before.1, 1);
    let o = app.client();
    o.login("autre.compte@example.fr", PASSWORD).await;
    let refused = through_provider(
        &o,
        &start,
        who("ent-partage", &me.first_name, &me.last_name),
    )
    .await;
    assert_eq!(refused.status, 409);
    refused.assert_contains("Cette connexion ENT est déjà reliée à un autre compte Acquis");
    assert_eq!(count_accounts(&app).await, before);
    assert!(
        app.store
            .identities_of_user(other.id)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_forged_or_replayed_answer_is_refused_and_creates_nothing() {
    let app = TestApp::spawn().await;
    let (setup, _admin, p, students) = school(&app, "0331004D").await;
    let me = &students[1];
    let start = format!("/sso/{}/connexion?code={}", p.id, setup.code);
    let before = count_accounts(&app).await;

    // Wrong state: an answer this browser never asked for.
    let c = stopping_client(&app);
    let answer = callback_url(
        &c,
        &start,
        Some(who("ent-1", &me.first_name, &me.last_name)),
    )
    .await;
    let forged = answer.replace("state=", "state=x");
    let wrong_state = c.get(forged.trim_start_matches(&app.base)).await;
    assert_eq!(wrong_state.status, 400);
    wrong_state.assert_contains("état de la demande différent");
    assert_eq!(count_accounts(&app).await, before);

    // Replayed authorization code: a new sign-in presents the code already spent.
    let c = stopping_client(&app);
    let first = callback_url(
        &c,
        &start,
        Some(who("ent-1", &me.first_name, &me.last_name)),
    )
    .await;
    let used = c.get(first.trim_start_matches(&app.base)).await;
    assert_eq!(used.path(), "/sso/nouveau");
    let old_code = first
        .split("code=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_owned();
    let second = callback_url(&c, &start, None).await;
    let replay = second.replace(
        &format!(
            "code={}",
            second
                .split("code=")
                .nth(1)
                .unwrap()
                .split('&')
                .next()
                .unwrap()
        ),
        &format!("code={old_code}"),
    );
    let replayed = c.get(replay.trim_start_matches(&app.base)).await;
    assert_eq!(replayed.status, 401);
    replayed.assert_contains("l'ENT a refusé le code de connexion");
    // The same answer twice: the pending sign-in was used once.
    let twice = c.get(first.trim_start_matches(&app.base)).await;
    assert_eq!(twice.status, 400);
    assert_eq!(count_accounts(&app).await, before);
}

async fn trapped(trap: &str, expected_status: u16, expected: &str) {
    let app = TestApp::spawn().await;
    let (setup, _admin, p, students) = school(&app, "0331005E").await;
    let me = &students[0];
    let before = count_accounts(&app).await;
    let c = app.client();
    let start = format!("/sso/{}/connexion?code={}", p.id, setup.code);
    // One subject per trap: the provider process is shared by tests running at once.
    let sub = format!("ent-piege-{trap}");
    let mut w = who(&sub, &me.first_name, &me.last_name);
    w.trap = trap;
    let page = through_provider(&c, &start, w).await;
    assert_eq!(page.status, expected_status, "{}", page.text());
    page.assert_contains("La connexion avec ENT / Médiacentre n'a pas abouti");
    page.assert_contains(expected);
    page.assert_contains("Aucun compte n'a été créé ni modifié");
    assert_eq!(count_accounts(&app).await, before);
    assert!(
        c.get("/mon-compte").await.path().starts_with("/connexion"),
        "not signed in"
    );
}

#[tokio::test]
async fn an_id_token_for_another_audience_is_refused() {
    trapped("audience", 401, "motif : audience").await;
}

#[tokio::test]
async fn an_expired_id_token_is_refused() {
    trapped("expired", 401, "motif : jeton expiré").await;
}

#[tokio::test]
async fn a_nonce_mismatch_is_refused() {
    trapped("nonce", 401, "motif : nonce").await;
}

#[tokio::test]
async fn a_missing_required_claim_is_refused() {
    let app = TestApp::spawn().await;
    let (setup, _admin, p, _) = school(&app, "0331006F").await;
    let before = count_accounts(&app).await;
    let c = app.client();
    let start = format!("/sso/{}/connexion?code={}", p.id, setup.code);
    let page = through_provider(&c, &start, who("ent-sans-nom", "Léa", "")).await;
    assert_eq!(page.status, 422);
    page.assert_contains("l'ENT n'a pas transmis une information obligatoire (family_name)");
    assert_eq!(count_accounts(&app).await, before);
}

#[tokio::test]
async fn an_unreachable_provider_gives_a_clear_page() {
    let app = TestApp::spawn().await;
    // A port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let issuer = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let p = provider_at(&app, "ENT absent", &issuer, false).await;
    let c = app.client();
    let page = c.get(&format!("/sso/{}/connexion", p.id)).await;
    assert_eq!(page.status, 502);
    page.assert_contains("le service de connexion de l'ENT ne répond pas");
    assert_eq!(count_accounts(&app).await, (0, 0));
    // A disabled or unknown provider is not offered.
    let unknown = c
        .get(&format!("/sso/{}/connexion", uuid::Uuid::new_v4()))
        .await;
    assert_eq!(unknown.status, 404);
}

#[tokio::test]
async fn a_provider_of_one_establishment_cannot_be_used_to_join_another() {
    let app = TestApp::spawn().await;
    let (setup_a, _admin, p, students) = school(&app, "0331007G").await;
    // B imports the same kind of list but does not use the provider.
    let (setup_b, admin_b) = managed(&app, "0331008H").await;
    upload(
        &admin_b,
        setup_b.org.id,
        "e.xml",
        sample::xml("0331008H", &students),
    )
    .await;
    let landing_b = app
        .client()
        .get(&format!("/campagnes/{}", setup_b.code))
        .await;
    assert!(!landing_b.text().contains("Se connecter avec l'ENT"));

    let me = &students[5];
    let b = birth(me);
    let before = count_accounts(&app).await;
    let c = app.client();
    through_provider(
        &c,
        &format!("/sso/{}/connexion?code={}", p.id, setup_a.code),
        who("ent-5", &me.first_name, &me.last_name),
    )
    .await;
    let refused = c.post("/sso/nouveau", &birth_form(&setup_b.code, &b)).await;
    assert_eq!(refused.status, 403);
    refused.assert_contains(
        "Cette campagne n'appartient pas à un établissement qui utilise ENT / Médiacentre",
    );
    assert_eq!(count_accounts(&app).await, before);
    // The right establishment still works.
    let ok = c.post("/sso/nouveau", &birth_form(&setup_a.code, &b)).await;
    assert!(
        ok.path()
            .starts_with(&format!("/campagnes/{}", setup_a.code)),
        "{}",
        ok.path()
    );
}

#[tokio::test]
async fn staff_cannot_enter_the_establishment_space_through_the_students_provider() {
    let app = TestApp::spawn().await;
    let (setup, admin, p, _) = school(&app, "0331009J").await;
    // A teacher links the provider identity to the staff account (it can happen on a shared ENT).
    let start = format!("/sso/{}/connexion", p.id);
    let linked = through_provider(&admin, &start, who("ent-prof", "Paul", "Prof")).await;
    assert_eq!(linked.path(), "/sso/associer");
    admin.post("/sso/associer", &[]).await;
    // With a password the space opens…
    assert_eq!(
        admin
            .get(&format!("/orga/{}/eleves", setup.org.id))
            .await
            .status,
        200
    );
    // …through the provider it does not.
    let t = app.client();
    through_provider(&t, &start, who("ent-prof", "Paul", "Prof")).await;
    for path in [format!("/orga/{}/eleves", setup.org.id), "/orga".into()] {
        let page = t.get(&path).await;
        assert_eq!(page.status, 403, "{path}");
        page.assert_contains("ne s'ouvrent pas avec une connexion ENT");
    }
}

#[tokio::test]
async fn operators_configure_providers_and_choose_them_per_establishment() {
    let app = TestApp::spawn().await;
    let org = app.org("Collège Jean Zay", "0331010K").await;
    app.operator("ops@acquis.test").await;
    let op = app.client();
    op.login("ops@acquis.test", PASSWORD).await;

    // Bad input: every problem listed, nothing saved.
    let bad = op
        .post(
            "/admin/sso",
            &[
                ("name", ""),
                ("issuer", "http://ent.example.fr"),
                ("scopes", "profile"),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    bad.assert_contains("Indiquez le nom affiché aux élèves.");
    bad.assert_contains("L'émetteur doit être une adresse HTTPS");
    bad.assert_contains("Indiquez le secret client.");
    bad.assert_contains("Les portées doivent contenir openid.");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM identity_providers").await,
        0
    );

    let created = op
        .post(
            "/admin/sso",
            &[
                ("name", "ENT Nouvelle-Aquitaine"),
                ("issuer", "https://ent.example.fr/"),
                ("client_id", "acquis"),
                ("client_secret", "tres-secret-42"),
                ("scopes", "openid profile"),
                ("claim_subject", "sub"),
                ("claim_first_name", "given_name"),
                ("claim_last_name", "family_name"),
                ("claim_uai", "uai"),
                ("enabled", "on"),
            ],
        )
        .await;
    assert_eq!(created.status, 200);
    created.assert_contains("Le fournisseur ENT Nouvelle-Aquitaine a été créé.");
    assert!(
        !created.body.contains("tres-secret-42"),
        "the secret is never shown"
    );
    let saved = app.store.identity_providers().await.unwrap().remove(0);
    assert_eq!(saved.issuer, "https://ent.example.fr");
    assert!(!saved.client_secret_sealed.contains("tres-secret-42"));
    assert_eq!(
        app.state.sealer.open(&saved.client_secret_sealed).unwrap(),
        "tres-secret-42"
    );

    // Editing without a secret keeps it.
    let edited = op
        .post(
            &format!("/admin/sso/{}", saved.id),
            &[
                ("name", "ENT / Médiacentre"),
                ("issuer", "https://ent.example.fr"),
                ("client_id", "acquis"),
                ("client_secret", ""),
                ("scopes", "openid profile"),
                ("claim_subject", "sub"),
                ("claim_first_name", "given_name"),
                ("claim_last_name", "family_name"),
            ],
        )
        .await;
    edited.assert_contains("Les modifications ont été enregistrées.");
    let after = app
        .store
        .identity_provider(saved.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.name, "ENT / Médiacentre");
    assert!(!after.enabled);
    assert_eq!(after.claim_uai, None);
    assert_eq!(
        app.state.sealer.open(&after.client_secret_sealed).unwrap(),
        "tres-secret-42"
    );

    // The establishment's students use it.
    let page = op.get(&format!("/admin/etablissements/{}", org.id)).await;
    page.assert_contains("Fournisseur d'identité des élèves");
    let chosen = op
        .post(
            &format!("/admin/etablissements/{}/sso", org.id),
            &[("provider", &saved.id.to_string())],
        )
        .await;
    chosen.assert_contains(
        "Les élèves de cet établissement se connectent désormais avec ENT / Médiacentre.",
    );
    let o = app
        .store
        .find_organization(org.tenant())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(o.identity_provider_id, Some(saved.id));
    let list = op.get("/admin/sso").await;
    list.assert_contains("ENT / Médiacentre");
    list.assert_contains("Désactivé");

    // Not for anyone else.
    let (_, _) = app
        .member(&org, "prof@college.fr", "Paul", "Prof", Role::Admin)
        .await;
    let staff = app.client();
    staff.login("prof@college.fr", PASSWORD).await;
    assert_eq!(staff.get("/admin/sso").await.status, 404);
    assert_eq!(
        staff.get(&format!("/admin/sso/{}", saved.id)).await.status,
        404
    );
}

#[tokio::test]
async fn the_sso_pages_work_in_a_real_browser_and_pass_axe() {
    let app = TestApp::spawn().await;
    let (setup, _admin, _p, students) = school(&app, "0331011L").await;
    let me = &students[3];
    let (day, month, year) = birth(me);
    let b = crate::browser::Browser::start(&app.base).await;

    b.goto(&format!("/campagnes/{}", setup.code)).await;
    b.assert_accessible().await;
    b.click_text("Se connecter avec l'ENT (ENT / Médiacentre)")
        .await;
    // The provider's own page (not ours: no accessibility check).
    b.fill("input[name=sub]", "ent-navigateur").await;
    b.fill("input[name=given_name]", &me.first_name).await;
    b.fill("input[name=family_name]", &me.last_name).await;
    b.click("button[type=submit]").await;
    b.wait_path("/sso/nouveau", |p| p.starts_with("/sso/nouveau"))
        .await;
    b.assert_text("ENT / Médiacentre vous a bien identifié")
        .await;
    b.assert_accessible().await;

    b.click_text("Continuer").await;
    b.assert_text("Votre date de naissance n'est pas valide")
        .await;
    b.assert_accessible().await;
    b.fill("#day", &day).await;
    b.fill("#month", &month).await;
    b.fill("#year", &year).await;
    b.click("#cgu").await;
    b.click_text("Continuer").await;
    let code = setup.code.clone();
    b.wait_path("the campaign", |p| {
        p.starts_with(&format!("/campagnes/{code}"))
    })
    .await;
    b.assert_accessible().await;

    // Logging out passes through the provider, which asks to confirm, then comes back.
    b.click_text("Se déconnecter").await;
    b.click("button[name=logout]").await;
    b.wait_path("/connexion", |p| p.starts_with("/connexion"))
        .await;
    b.assert_text("Se connecter avec l'ENT (ENT / Médiacentre)")
        .await;
    b.assert_accessible().await;

    // The operators' pages.
    app.operator("ops@acquis.test").await;
    b.fill("#login", "ops@acquis.test").await;
    b.fill("#password", PASSWORD).await;
    b.click_text("Je me connecte").await;
    b.wait_path("/admin", |p| p.starts_with("/admin")).await;
    b.goto("/admin/sso").await;
    b.assert_text("ENT / Médiacentre").await;
    b.assert_accessible().await;
    b.goto("/admin/sso/nouveau").await;
    b.click_text("Créer le fournisseur").await;
    b.assert_text("Indiquez le nom affiché aux élèves.").await;
    b.assert_accessible().await;
    b.goto(&format!("/admin/etablissements/{}", setup.org.id))
        .await;
    b.assert_text("Fournisseur d'identité des élèves").await;
    b.assert_accessible().await;
    b.close().await;
}
