//! Bad input never breaks a page, never writes, never opens a door (issue 19): every text
//! through one normalisation, one e-mail validator, refused unknown choices, creations that a
//! double click does not repeat, French pages for every rejection, the last-administrator rule
//! on every path, sessions closed with a changed password, attempt limits shared by servers.

use acquis_interop::siecle::sample;
use acquis_tenants::Role;

use crate::harness::{Client, PASSWORD, Page, TestApp};
use crate::student::{Setup, campaign};
use crate::students::{birth, identify, managed, upload};

fn assert_refused(page: &Page, status: u16, message: &str) {
    assert_eq!(page.status, status, "{}: {}", page.url, page.text());
    page.assert_contains(message);
}

const CONTROL: &str = "contient un caractère invisible ou de contrôle";

async fn staff(app: &TestApp, uai: &str) -> (Setup, Client) {
    let s = campaign(app, uai, "competence-1-1", false).await;
    let c = app.client();
    c.login(&format!("admin.{uai}@test.fr"), PASSWORD).await;
    c.post("/orga/cgu", &[("next", "/orga")]).await;
    (s, c)
}

/// The fields of the campaign creation form, as the page renders them (with its key).
async fn campaign_form(app: &TestApp, c: &Client, s: &Setup) -> Vec<(String, String)> {
    let page = c
        .get(&format!("/orga/{}/campagnes/nouvelle", s.org.id))
        .await;
    assert_eq!(page.status, 200, "{}", page.text());
    let doc = scraper::Html::parse_document(&page.body);
    let sel = scraper::Selector::parse("input[name=submission]").unwrap();
    let key = doc
        .select(&sel)
        .next()
        .and_then(|e| e.value().attr("value"))
        .expect("the form's submission key")
        .to_owned();
    let profile = app
        .store
        .offered_target_profiles(s.org.tenant())
        .await
        .unwrap()
        .into_iter()
        .next()
        .unwrap();
    [
        ("name", "Rentrée 2026"),
        ("kind", "ASSESSMENT"),
        ("target_profile_id", &profile.id.to_string()),
        ("multiple_sendings", "non"),
        ("external_id", "non"),
        ("external_id_type", "TEXT"),
        ("title", ""),
        ("landing_text", ""),
        ("submission", &key),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

fn with(fields: &[(String, String)], key: &str, value: &str) -> Vec<(String, String)> {
    fields
        .iter()
        .map(|(k, v)| {
            (
                k.clone(),
                if k == key {
                    value.to_owned()
                } else {
                    v.clone()
                },
            )
        })
        .collect()
}

async fn post_owned(c: &Client, path: &str, fields: &[(String, String)]) -> Page {
    let form: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    c.post(path, &form).await
}

#[tokio::test]
async fn a_nul_byte_or_a_control_character_anywhere_is_a_french_422_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let anonymous = app.client();
    assert_refused(
        &anonymous
            .post("/connexion", &[("login", "a\0b@c.fr"), ("password", "x")])
            .await,
        422,
        CONTROL,
    );
    assert_refused(
        &anonymous.post("/campagnes", &[("code", "ABC\0DEF")]).await,
        422,
        CONTROL,
    );
    let users = app.count("SELECT COUNT(*) FROM users").await;
    for (field, value) in [
        ("first_name", "Zo\u{1b}[31mé"),
        ("last_name", "Cu\u{7}rie"),
        ("last_name", "Cu\u{FFFD}rie"),
        ("password", "Motdepasse1\0"),
    ] {
        let mut form = vec![
            ("first_name", "Zoé"),
            ("last_name", "Curie"),
            ("email", "zoe@exemple.fr"),
            ("password", PASSWORD),
            ("cgu", "on"),
        ];
        form.retain(|(k, _)| *k != field);
        form.push((field, value));
        assert_refused(&anonymous.post("/inscription", &form).await, 422, CONTROL);
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, users);

    let (s, c) = staff(&app, "0190001A").await;
    let fields = campaign_form(&app, &c, &s).await;
    let campaigns = app.count("SELECT COUNT(*) FROM campaigns").await;
    let page = post_owned(
        &c,
        &format!("/orga/{}/campagnes", s.org.id),
        &with(&fields, "name", "Rentrée\0"),
    )
    .await;
    assert_refused(&page, 422, CONTROL);
    page.assert_contains("« Nom »");
    assert_eq!(app.count("SELECT COUNT(*) FROM campaigns").await, campaigns);
    assert_refused(
        &c.post(
            &format!("/orga/{}/equipe/inviter", s.org.id),
            &[("emails", "prof@lycee.fr\0"), ("role", "MEMBER")],
        )
        .await,
        422,
        CONTROL,
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM invitations").await, 0);
    // A search is checked like a form.
    assert_refused(
        &c.get(&format!("/orga/{}/eleves?nom=%00", s.org.id)).await,
        422,
        CONTROL,
    );

    app.operator("ops@acquis.fr").await;
    let op = app.client();
    op.login("ops@acquis.fr", PASSWORD).await;
    let orgs = app.count("SELECT COUNT(*) FROM organizations").await;
    assert_refused(
        &op.post(
            "/admin/etablissements",
            &[
                ("name", "Lycée\u{7} Nul"),
                ("uai", "0190002B"),
                ("kind", "LYCEE"),
                ("contact_email", "chef@lycee.fr"),
            ],
        )
        .await,
        422,
        CONTROL,
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM organizations").await, orgs);
}

#[tokio::test]
async fn names_are_bounded_composed_and_trimmed() {
    let app = TestApp::spawn().await;
    let c = app.client();
    let long = "A".repeat(101);
    let page = c
        .post(
            "/inscription",
            &[
                ("first_name", long.as_str()),
                ("last_name", "Curie"),
                ("email", "zoe@exemple.fr"),
                ("password", PASSWORD),
                ("cgu", "on"),
            ],
        )
        .await;
    assert_refused(
        &page,
        422,
        "« Prénom » est trop long : 100 caractères au plus.",
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM users").await, 0);
    let page = c
        .post(
            "/inscription",
            &[
                ("first_name", "  Zoe\u{301} "),
                ("last_name", "Curie"),
                ("email", "zoe@exemple.fr"),
                ("password", PASSWORD),
                ("cgu", "on"),
            ],
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.text());
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE first_name = 'Zoé'")
            .await,
        1
    );
}

#[tokio::test]
async fn addresses_a_page_or_a_spreadsheet_would_misread_are_refused_everywhere() {
    let app = TestApp::spawn().await;
    let (s, c) = staff(&app, "0190003C").await;
    for bad in [
        "<script>alert(1)</script>@lycee.fr",
        "=cmd|' /C calc'!A0@lycee.fr",
        "prof\u{FFFD}@lycee.fr",
    ] {
        let page = c
            .post(
                &format!("/orga/{}/equipe/inviter", s.org.id),
                &[("emails", bad), ("role", "MEMBER")],
            )
            .await;
        assert_eq!(page.status, 422, "{bad}: {}", page.text());
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM invitations").await, 0);
    let page = app
        .client()
        .post(
            "/inscription",
            &[
                ("first_name", "Zoé"),
                ("last_name", "Curie"),
                ("email", "=1+1@exemple.fr"),
                ("password", PASSWORD),
                ("cgu", "on"),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    page.assert_contains("adresse e-mail");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE email LIKE '=%'")
            .await,
        0
    );
}

#[tokio::test]
async fn unknown_choices_are_refused_not_replaced_by_a_default() {
    let app = TestApp::spawn().await;
    let (s, c) = staff(&app, "0190004D").await;
    let page = c
        .post(
            &format!("/orga/{}/equipe/inviter", s.org.id),
            &[("emails", "prof@lycee.fr"), ("role", "OWNER")],
        )
        .await;
    assert_refused(&page, 422, "Ce rôle n'existe pas.");
    assert_eq!(app.count("SELECT COUNT(*) FROM invitations").await, 0);

    let fields = campaign_form(&app, &c, &s).await;
    let campaigns = app.count("SELECT COUNT(*) FROM campaigns").await;
    for (field, value) in [
        ("multiple_sendings", "peut-être"),
        ("external_id", "2"),
        ("kind", "EXAM"),
    ] {
        let page = post_owned(
            &c,
            &format!("/orga/{}/campagnes", s.org.id),
            &with(&fields, field, value),
        )
        .await;
        assert_eq!(page.status, 422, "{field}: {}", page.text());
    }
    let page = post_owned(
        &c,
        &format!("/orga/{}/campagnes", s.org.id),
        &with(
            &with(&fields, "external_id", "oui"),
            "external_id_label",
            "INE",
        )
        .into_iter()
        .map(|(k, v)| {
            if k == "external_id_type" {
                (k, "NUMERO".into())
            } else {
                (k, v)
            }
        })
        .collect::<Vec<_>>(),
    )
    .await;
    assert_refused(&page, 422, "Choisissez une des réponses proposées.");
    assert_eq!(app.count("SELECT COUNT(*) FROM campaigns").await, campaigns);
}

#[tokio::test]
async fn a_creation_form_sent_twice_creates_one_campaign() {
    let app = TestApp::spawn().await;
    let (s, c) = staff(&app, "0190005E").await;
    let fields = campaign_form(&app, &c, &s).await;
    let before = app.count("SELECT COUNT(*) FROM campaigns").await;
    let path = format!("/orga/{}/campagnes", s.org.id);
    // Twice at once (a double click), then once more (a resent request).
    let (a, b) = tokio::join!(
        post_owned(&c, &path, &fields),
        post_owned(&c, &path, &fields)
    );
    let again = post_owned(&c, &path, &fields).await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM campaigns").await,
        before + 1
    );
    for p in [&a, &b, &again] {
        assert_eq!(p.status, 200, "{}", p.text());
        assert!(p.path().ends_with("/parametres"), "{}", p.path());
    }
    assert_eq!(a.path(), b.path());
    assert_eq!(a.path(), again.path());
    // A new form is a new campaign.
    let fresh = campaign_form(&app, &c, &s).await;
    post_owned(&c, &path, &fresh).await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM campaigns").await,
        before + 2
    );
}

#[tokio::test]
async fn what_the_framework_refused_in_english_is_a_french_page() {
    let app = TestApp::spawn().await;
    let (s, c) = staff(&app, "0190006F").await;
    let res = c
        .http
        .post(format!("{}/connexion", app.base))
        .body("login=a&password=b")
        .send()
        .await
        .unwrap();
    let page = Page {
        status: res.status().as_u16(),
        url: res.url().to_string(),
        body: res.text().await.unwrap(),
    };
    assert_refused(&page, 415, "attend l'envoi d'un formulaire");
    let page = c
        .get(&format!("/orga/{}/campagnes/pas-un-identifiant", s.org.id))
        .await;
    assert_refused(&page, 404, "La page demandée n'existe pas");
    app.operator("ops@acquis.fr").await;
    let op = app.client();
    op.login("ops@acquis.fr", PASSWORD).await;
    let page = op.get("/admin?page=deux").await;
    assert_refused(&page, 400, "L'adresse de cette page est mal formée.");
    // A field of the wrong type in a form.
    let page = c
        .post(
            &format!("/orga/{}/campagnes", s.org.id),
            &[("name", "x"), ("submission", "pas-une-clef")],
        )
        .await;
    assert_eq!(page.status, 422, "{}", page.text());
    assert!(!page.body.contains("Failed to deserialize"));
}

#[tokio::test]
async fn accepting_an_invitation_as_member_never_demotes_an_administrator() {
    let app = TestApp::spawn().await;
    let org = app.org("Lycée Pix", "0190007G").await;
    app.member(&org, "chef@lycee.fr", "Claire", "Chef", Role::Admin)
        .await;
    let mut tx = app
        .store
        .tenant_tx(&acquis_tenants::TenantScope::system(org.tenant()))
        .await
        .unwrap();
    let (inv, _) = tx
        .invite("chef@lycee.fr", Some(Role::Member), "ABCDEFGHIJ")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let c = app.client();
    c.login("chef@lycee.fr", PASSWORD).await;
    c.get(&format!(
        "/rejoindre?invitationId={}&code=ABCDEFGHIJ",
        inv.id
    ))
    .await;
    c.post(
        "/rejoindre/accepter",
        &[
            ("invitation_id", &inv.id.to_string()),
            ("code", "ABCDEFGHIJ"),
        ],
    )
    .await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM memberships WHERE role = 'ADMIN' AND disabled_at IS NULL")
            .await,
        1
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM invitations WHERE status = 'accepted'")
            .await,
        1
    );
}

#[tokio::test]
async fn the_last_administrator_rule_holds_in_the_store_whatever_the_path() {
    let app = TestApp::spawn().await;
    let org = app.org("Lycée Pix", "0190008H").await;
    let (_, admin) = app
        .member(&org, "chef@lycee.fr", "Claire", "Chef", Role::Admin)
        .await;
    let scope = acquis_tenants::TenantScope::system(org.tenant());
    for demote in [true, false] {
        let mut tx = app.store.tenant_tx(&scope).await.unwrap();
        let r = if demote {
            tx.set_role(admin, Role::Member).await
        } else {
            tx.disable_membership(admin).await
        };
        assert!(
            matches!(r, Err(acquis_store::StoreError::LastAdmin)),
            "{r:?}"
        );
    }
    assert_eq!(
        app.count("SELECT COUNT(*) FROM memberships WHERE role = 'ADMIN' AND disabled_at IS NULL")
            .await,
        1
    );
}

#[tokio::test]
async fn a_changed_password_closes_the_other_sessions_and_a_reset_closes_them_all() {
    let app = TestApp::spawn().await;
    app.user("prof@college.fr", "Paul", "Prof").await;
    let (here, there) = (app.client(), app.client());
    here.login("prof@college.fr", PASSWORD).await;
    there.login("prof@college.fr", PASSWORD).await;
    let page = here
        .post(
            "/mon-compte/mot-de-passe",
            &[
                ("current", PASSWORD),
                ("password", "Nouveau1mdp"),
                ("confirmation", "Nouveau1mdp"),
            ],
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.text());
    assert_eq!(here.get("/mon-compte").await.path(), "/mon-compte");
    assert_eq!(
        there.get("/mon-compte").await.path(),
        "/connexion?next=/mon-compte"
    );

    // A reset by e-mail closes every session, the one that asked included.
    there.login("prof@college.fr", "Nouveau1mdp").await;
    let asking = app.client();
    asking
        .post("/mot-de-passe-oublie", &[("email", "prof@college.fr")])
        .await;
    let link = app.last_mail_to("prof@college.fr").link(&app.base);
    let token = link.split("token=").nth(1).unwrap().to_owned();
    let page = asking
        .post(
            "/reinitialiser-mot-de-passe",
            &[
                ("token", &token),
                ("password", "Troisieme1"),
                ("confirmation", "Troisieme1"),
            ],
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.text());
    for c in [&here, &there] {
        assert_eq!(
            c.get("/mon-compte").await.path(),
            "/connexion?next=/mon-compte"
        );
    }
}

#[tokio::test]
async fn a_staff_reset_of_a_student_password_signs_the_student_out() {
    let app = TestApp::spawn().await;
    let (setup, admin) = managed(&app, "0190009J").await;
    admin.post("/orga/cgu", &[("next", "/orga")]).await;
    let students = sample::students(5);
    upload(
        &admin,
        setup.org.id,
        "e.xml",
        sample::xml("0190009J", &students),
    )
    .await;
    let student = app.client();
    let me = &students[1];
    identify(&student, &setup.code, me).await;
    let signup = student
        .post(
            &format!("/campagnes/{}/inscription", setup.code),
            &[
                ("with", "email"),
                ("email", "eleve@exemple.fr"),
                ("password", PASSWORD),
                ("cgu", "on"),
            ],
        )
        .await;
    assert_eq!(signup.status, 200, "{}", signup.text());
    assert_eq!(student.get("/mon-compte").await.path(), "/mon-compte");
    let list = admin.get(&format!("/orga/{}/eleves", setup.org.id)).await;
    let marker = format!("/orga/{}/eleves/", setup.org.id);
    // The one linked to an account is the one the reset applies to.
    let mut reset = None;
    for (i, _) in list.body.match_indices(&marker) {
        let id = &list.body[i + marker.len()..i + marker.len() + 36];
        if uuid::Uuid::parse_str(id).is_err() {
            continue;
        }
        let p = admin
            .post(
                &format!("/orga/{}/eleves/{id}/mot-de-passe", setup.org.id),
                &[],
            )
            .await;
        if p.status == 200 {
            reset = Some(p);
            break;
        }
    }
    assert!(reset.is_some(), "no student with an account");
    assert_eq!(
        student.get("/mon-compte").await.path(),
        "/connexion?next=/mon-compte"
    );
}

#[tokio::test]
async fn qui_etes_vous_is_limited_per_campaign_and_name_and_the_refusal_is_audited() {
    let app = TestApp::spawn_with(|c| c.identify_attempts_per_hour = 5).await;
    let (setup, admin) = managed(&app, "0190010K").await;
    let students = sample::students(5);
    upload(
        &admin,
        setup.org.id,
        "e.xml",
        sample::xml("0190010K", &students),
    )
    .await;
    let me = &students[2];
    let (real_day, month, year) = birth(me);
    let guesser = app.client();
    let path = format!("/campagnes/{}/eleve", setup.code);
    let wrong_days = (1..=28)
        .map(|d| format!("{d:02}"))
        .filter(|d| *d != real_day)
        .take(5);
    for (attempt, d) in wrong_days.enumerate() {
        let page = guesser
            .post(
                &path,
                &[
                    ("first_name", me.first_name.as_str()),
                    ("last_name", me.last_name.as_str()),
                    ("day", &d),
                    ("month", &month),
                    ("year", &year),
                ],
            )
            .await;
        assert_ne!(page.status, 429, "attempt {attempt}");
    }
    // The right date, from another client: still refused, the limit is the name's.
    let other = app.client();
    let page = identify(&other, &setup.code, me).await;
    assert_refused(&page, 429, "Trop de tentatives pour retrouver cet élève.");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM learners WHERE user_id IS NOT NULL")
            .await,
        0
    );
    assert!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'reconciliation.throttled'")
            .await
            >= 1
    );
    // Another student of the class is not affected.
    let page = identify(&app.client(), &setup.code, &students[0]).await;
    assert_ne!(page.status, 429);
}

#[tokio::test]
async fn one_client_trying_many_accounts_or_many_codes_is_stopped() {
    let app = TestApp::spawn_with(|c| c.client_attempts_per_minute = 4).await;
    let c = app.client();
    for i in 0..4 {
        let page = c.login(&format!("inconnu{i}@exemple.fr"), "Mauvais1").await;
        assert_eq!(page.status, 422);
    }
    app.user("prof@college.fr", "Paul", "Prof").await;
    let page = c.login("prof@college.fr", PASSWORD).await;
    assert_refused(&page, 429, "trop de tentatives");

    let s = campaign(&app, "0190011L", "competence-1-1", false).await;
    for code in ["AAAAAA111", "AAAAAA112", "AAAAAA113", "AAAAAA114"] {
        let page = c.post("/campagnes", &[("code", code)]).await;
        assert_eq!(page.status, 422);
    }
    // Over the limit, a good code cannot be told from a wrong one.
    let page = c.get(&format!("/campagnes/{}", s.code)).await;
    assert_refused(&page, 429, "Trop de codes inconnus");
    let page = c.post("/campagnes", &[("code", &s.code)]).await;
    assert_eq!(page.status, 429);
}

#[tokio::test]
async fn behind_a_proxy_each_client_is_counted_by_the_configured_header() {
    let app = TestApp::spawn_with(|c| {
        c.client_attempts_per_minute = 2;
        c.client_address_header = Some("x-forwarded-for".into());
    })
    .await;
    let c = app.client();
    let attempt = |client: &'static str| {
        c.http
            .post(format!("{}/connexion", app.base))
            // The proxy appends the address it saw: the last one counts, not what the client wrote.
            .header("x-forwarded-for", format!("6.6.6.6, {client}"))
            .form(&[("login", "inconnu@exemple.fr"), ("password", "Mauvais1")])
            .send()
    };
    for _ in 0..2 {
        assert_eq!(attempt("10.0.0.1").await.unwrap().status(), 422);
    }
    assert_eq!(attempt("10.0.0.1").await.unwrap().status(), 429);
    // Another pupil behind the same proxy is not refused.
    assert_eq!(attempt("10.0.0.2").await.unwrap().status(), 422);
}
