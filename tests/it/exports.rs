//! Staff managing a campaign's data: result exports (.csv) with the columns of both campaign
//! types and the CSV dialect (BOM, `;`, decimal comma, dates, Oui/Non/NA, formula guard),
//! deleting a participation, editing a campaign and handing it over; other establishments
//! always get a 404.

use acquis_interop::siecle::sample;
use acquis_tenants::{Role, TenantScope};

use crate::harness::{Client, PASSWORD, TestApp};
use crate::student::{campaign, take_to_the_end};

async fn download(c: &Client, path: &str) -> (u16, String, String) {
    let res = c
        .http
        .get(format!("{}{path}", c.base))
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let disposition = res
        .headers()
        .get("content-disposition")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, disposition, res.text().await.unwrap())
}

fn cells(line: &str) -> Vec<String> {
    csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .from_reader(line.as_bytes())
        .records()
        .next()
        .unwrap()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn an_assessment_export_lists_every_participant_with_classes_and_results() {
    let app = TestApp::spawn().await;
    let s = campaign(&app, "0440001A", "competence-4-1", false).await;
    app.store
        .set_manages_students(&TenantScope::system(s.org.tenant()), true)
        .await
        .unwrap();
    let admin = app.client();
    admin.login("admin.0440001A@test.fr", PASSWORD).await;
    let students = sample::students(10);
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(sample::xml("0440001A", &students)).file_name("e.xml"),
    );
    admin
        .http
        .post(format!("{}/orga/{}/eleves/import", admin.base, s.org.id))
        .multipart(form)
        .send()
        .await
        .unwrap();
    // Two students: one sends full marks, one only starts.
    for (i, finish) in [(0usize, true), (1, false)] {
        let st = &students[i];
        let c = app.client();
        app.user(&format!("e{i}@test.fr"), "X", "Y").await;
        c.login(&format!("e{i}@test.fr"), PASSWORD).await;
        let d = st.birthdate;
        c.post(
            &format!("/campagnes/{}/eleve", s.code),
            &[
                ("first_name", st.first_name.as_str()),
                ("last_name", st.last_name.as_str()),
                ("day", &d.day().to_string()),
                ("month", &u8::from(d.month()).to_string()),
                ("year", &d.year().to_string()),
            ],
        )
        .await;
        let test = c
            .post(&format!("/campagnes/{}/parcours", s.code), &[])
            .await;
        if finish {
            let path = test.path();
            take_to_the_end(&c, &path, true).await;
            c.post(&format!("{path}/envoyer"), &[]).await;
        }
    }
    let page = admin
        .get(&format!("/orga/{}/campagnes/{}", s.org.id, s.campaign))
        .await;
    page.assert_contains("Exporter les résultats (.csv)");
    let (status, disposition, body) = download(
        &admin,
        &format!("/orga/{}/campagnes/{}/export", s.org.id, s.campaign),
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        disposition.contains(&format!(
            "Resultats-Campagne_competence-4-1-{}-",
            s.campaign
        )),
        "{disposition}"
    );
    assert!(body.starts_with('\u{feff}'), "UTF-8 BOM");
    let lines: Vec<&str> = body.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 3, "{body}");
    let header = cells(lines[0]);
    assert_eq!(
        header[..12],
        [
            "Nom de l'organisation",
            "ID Campagne",
            "Code",
            "Nom de la campagne",
            "Parcours",
            "Nom du Participant",
            "Prénom du Participant",
            "Classe",
            "% de progression",
            "Date de début",
            "Partage (O/N)",
            "Date du partage",
        ]
    );
    let mastery_col = header
        .iter()
        .position(|h| h == "% maitrise de l'ensemble des acquis du profil")
        .unwrap();
    assert_eq!(
        header
            .iter()
            .filter(|h| h.starts_with("% de maitrise des acquis de la compétence "))
            .count(),
        1,
        "one column group per competence of the profile"
    );
    assert!(
        header
            .iter()
            .any(|h| h.starts_with("Acquis maitrisés du domaine"))
    );
    let rows: Vec<Vec<String>> = lines[1..].iter().map(|l| cells(l)).collect();
    let sent = rows.iter().find(|r| r[10] == "Oui").expect("a shared line");
    let started = rows
        .iter()
        .find(|r| r[10] == "Non")
        .expect("a started line");
    assert_eq!(sent[5], students[0].last_name.to_uppercase());
    assert_eq!(sent[7], students[0].division);
    assert_eq!(sent[mastery_col], "1,00");
    let today = time::OffsetDateTime::now_utc().date();
    assert_eq!(
        sent[11],
        format!(
            "{:04}-{:02}-{:02}",
            today.year(),
            u8::from(today.month()),
            today.day()
        )
    );
    let comp = header
        .iter()
        .position(|h| h.starts_with("% de maitrise des acquis de la compétence"))
        .unwrap();
    assert_eq!(sent[comp], "1,00");
    assert_eq!(
        sent[comp + 1],
        sent[comp + 2],
        "every skill of the competence validated"
    );
    assert_eq!(started[mastery_col], "NA");
    assert_eq!(started[11], "NA");
    assert_eq!(started[comp], "NA");

    // The results tab: cards and the distribution by result.
    let results = admin
        .get(&format!(
            "/orga/{}/campagnes/{}/resultats",
            s.org.id, s.campaign
        ))
        .await;
    results.assert_contains("Total de participants 2");
    results.assert_contains("Résultats reçus 1");
    results.assert_contains("Résultat moyen 100 %");
    results.assert_contains("Répartition des participants par résultat");
    results.assert_contains("91–100 % 1");
    results.assert_contains("0–10 % 0");

    // The activity tab: counts by status and the cumulative chart with its figures per day.
    let activity = admin
        .get(&format!("/orga/{}/campagnes/{}", s.org.id, s.campaign))
        .await;
    activity.assert_contains("En cours 1");
    activity.assert_contains("Participations et envois cumulés par jour");
    assert!(
        activity.body.contains("<polyline points=\""),
        "the chart is drawn"
    );
    // Everything happened today: a one-point line draws nothing, so the day's figures are dots
    // (2 started at the top, 1 sent halfway) and its date is written once.
    for dot in [
        r#"<circle cx="300.0" cy="0.0""#,
        r#"<rect x="296.0" y="86.0""#,
    ] {
        assert!(activity.body.contains(dot), "no {dot} in the chart");
    }
    assert_eq!(
        activity.body.matches(r#"class="chart__label">"#).count(),
        3,
        "the scale's two figures and one date"
    );
    let today = acquis_server::views::day(acquis_server::views::paris_day(
        time::OffsetDateTime::now_utc(),
    ));
    activity.assert_contains(&format!("{today} 2 1"));

    // The analysis: every subject of the profile, from the knowledge that was sent.
    let analysis = admin
        .get(&format!(
            "/orga/{}/campagnes/{}/analyse",
            s.org.id, s.campaign
        ))
        .await;
    analysis.assert_contains("Recommandation de sujets à travailler");
    analysis.assert_contains("D'après les résultats envoyés par 1 participant");
    // Full marks: nothing is urgent.
    analysis.assert_contains("Assez recommandé");
    assert!(!analysis.text().contains("Très recommandé"));
    analysis.assert_contains("Résultats par compétence");
    analysis.assert_contains("100 %");

    // Another establishment's administrator gets a 404.
    let b = campaign(&app, "0440002B", "competence-4-1", false).await;
    let admin_b = app.client();
    admin_b.login("admin.0440002B@test.fr", PASSWORD).await;
    let (status, _, _) = download(
        &admin_b,
        &format!("/orga/{}/campagnes/{}/export", s.org.id, s.campaign),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _, _) = download(
        &admin_b,
        &format!("/orga/{}/campagnes/{}/export", b.org.id, s.campaign),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(
        admin_b
            .get(&format!(
                "/orga/{}/campagnes/{}/analyse",
                s.org.id, s.campaign
            ))
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn a_profiles_collection_export_has_pix_and_levels_per_competence() {
    let app = TestApp::spawn().await;
    let org = app.org("Lycée Export", "0440003C").await;
    app.member(&org, "admin@export.fr", "Ada", "Admin", Role::Admin)
        .await;
    let staff = app.client();
    staff.login("admin@export.fr", PASSWORD).await;
    let base = format!("/orga/{}/campagnes", org.id);
    let created = staff
        .post(
            &base,
            &[
                ("name", "Profils =danger"),
                ("kind", "PROFILES_COLLECTION"),
                ("external_id", "oui"),
                ("external_id_label", "N° élève"),
                ("external_id_type", "TEXT"),
            ],
        )
        .await;
    created.assert_contains("La campagne a été créée");
    let path = created.path();
    let id = path
        .split('/')
        .find(|p| uuid::Uuid::parse_str(p).is_ok() && !path.contains(&format!("/orga/{p}/")))
        .expect("the campaign id in the page address")
        .to_owned();
    let doc = scraper::Html::parse_document(&created.body);
    let code = doc
        .select(&scraper::Selector::parse("code.code-big").unwrap())
        .next()
        .unwrap()
        .text()
        .collect::<String>();
    app.user("eve@test.fr", "Ève", "Martin").await;
    let c = app.client();
    c.login("eve@test.fr", PASSWORD).await;
    c.post(
        &format!("/campagnes/{code}/envoyer-profil"),
        &[("external_id", "-42")],
    )
    .await
    .assert_contains("Merci, votre profil a bien été envoyé !");
    // The Profils tab: pix, certifiable, certifiable competences, and the certificability filter.
    let profiles = staff.get(&format!("{base}/{id}/resultats")).await;
    profiles.assert_contains("Comp. certifiables");
    profiles.assert_contains("1 résultat reçu");
    staff
        .get(&format!("{base}/{id}/resultats?certificabilite=non"))
        .await
        .assert_contains("1 résultat reçu");
    staff
        .get(&format!("{base}/{id}/resultats?certificabilite=oui"))
        .await
        .assert_contains("Aucun participant ne correspond à ces filtres.");
    // The student's certificability now comes from the profile sent (an empty one: not yet).
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM learners WHERE certifiable = FALSE AND certifiable_at IS NOT NULL"
        )
        .await,
        1
    );
    let (status, _, body) = download(&staff, &format!("{base}/{id}/export")).await;
    assert_eq!(status, 200);
    let lines: Vec<&str> = body.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines.len(), 2);
    let header = cells(lines[0]);
    assert_eq!(
        header[..12],
        [
            "Nom de l'organisation",
            "ID Campagne",
            "Code",
            "Nom de la campagne",
            "Nom du Participant",
            "Prénom du Participant",
            "N° élève",
            "Envoi (O/N)",
            "Date de l'envoi",
            "Nombre de pix total",
            "Certifiable (O/N)",
            "Nombre de compétences certifiables",
        ]
    );
    assert_eq!(header.len(), 12 + 2 * 16);
    assert!(header[12].starts_with("Niveau pour la compétence"));
    let row = cells(lines[1]);
    assert_eq!(
        row[3],
        "'Profils =danger".trim_start_matches('\''),
        "only leading formula characters are guarded"
    );
    assert_eq!(row[4], "Martin");
    assert_eq!(row[6], "'-42", "formula injection guard");
    assert_eq!(row[7], "Oui");
    assert_eq!(row[9], "0");
    assert_eq!(row[10], "Non");
    assert_eq!(row[12], "0");
}

#[tokio::test]
async fn a_deleted_participation_leaves_lists_and_exports_and_cannot_be_sent_or_retaken() {
    let app = TestApp::spawn().await;
    let s = campaign(&app, "0440004D", "competence-4-1", false).await;
    let admin = app.client();
    admin.login("admin.0440004D@test.fr", PASSWORD).await;
    let (student, path) = crate::student::join(&app, &s.code, "babbage@test.fr").await;
    let base = format!("/orga/{}/campagnes/{}", s.org.id, s.campaign);
    let page = admin.get(&base).await;
    page.assert_contains("Supprimer cette participation ?");
    page.assert_contains(
        "Le participant pourra terminer son parcours mais ne pourra plus envoyer ses résultats.",
    );
    let pid = {
        let marker = "/participations/";
        let at = page.body.find(marker).unwrap() + marker.len();
        page.body[at..at + 36].to_owned()
    };

    // A member who does not own the campaign may not; another establishment gets a 404.
    app.member(&s.org, "prof@d.fr", "Paul", "Prof", Role::Member)
        .await;
    let member = app.client();
    member.login("prof@d.fr", PASSWORD).await;
    assert_eq!(
        member
            .post(&format!("{base}/participations/{pid}/supprimer"), &[])
            .await
            .status,
        403
    );
    let b = campaign(&app, "0440005E", "competence-4-1", false).await;
    let admin_b = app.client();
    admin_b.login("admin.0440005E@test.fr", PASSWORD).await;
    assert_eq!(
        admin_b
            .post(&format!("{base}/participations/{pid}/supprimer"), &[])
            .await
            .status,
        404
    );
    assert_eq!(
        admin_b
            .post(
                &format!(
                    "/orga/{}/campagnes/{}/participations/{pid}/supprimer",
                    b.org.id, b.campaign
                ),
                &[]
            )
            .await
            .status,
        404
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM campaign_participations WHERE deleted_at IS NOT NULL")
            .await,
        0
    );

    let done = admin
        .post(&format!("{base}/participations/{pid}/supprimer"), &[])
        .await;
    done.assert_contains("La participation a été supprimée.");
    done.assert_contains("Aucun participant");
    let (_, _, csv) = download(&admin, &format!("{base}/export")).await;
    assert_eq!(
        csv.trim_start_matches('\u{feff}').lines().count(),
        1,
        "header only"
    );

    // The student finishes the test, then is told the results cannot be sent; no new start.
    let mut last = None;
    for _ in 0..400 {
        let page = crate::student::current_step(&student, &path).await;
        if page.status == 403 {
            last = Some(page);
            break;
        }
        assert_eq!(page.status, 200, "{}", page.text());
        if page.path().contains("/point-etape") {
            student.post(&format!("{path}/point-etape"), &[]).await;
            continue;
        }
        let id = crate::student::challenge_id(&page).expect("a challenge");
        student
            .post(
                &format!("{path}/reponse"),
                &[("challenge", id.as_str()), ("action", "passer")],
            )
            .await;
    }
    let results = last.expect("the end of the test");
    assert!(results.path().ends_with("/resultats"));
    results.assert_contains("Vous ne pouvez pas repasser la campagne");
    let send = student.post(&format!("{path}/envoyer"), &[]).await;
    assert_eq!(send.status, 403);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM campaign_participations WHERE status = 'SHARED'")
            .await,
        0
    );
    let again = student
        .get(&format!("/campagnes/{}/parcours", s.code))
        .await;
    assert_eq!(again.status, 403);
    again.assert_contains("Vous ne pouvez pas repasser la campagne");
    let start = student
        .post(&format!("/campagnes/{}/parcours", s.code), &[])
        .await;
    assert_eq!(start.status, 403);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM campaign_participations")
            .await,
        1
    );
}

#[tokio::test]
async fn a_campaign_is_edited_and_handed_to_another_member() {
    let app = TestApp::spawn().await;
    let s = campaign(&app, "0440006F", "competence-4-1", false).await;
    let admin = app.client();
    admin.login("admin.0440006F@test.fr", PASSWORD).await;
    let (prof, _) = app
        .member(&s.org, "prof@f.fr", "Paul", "Prof", Role::Member)
        .await;
    let base = format!("/orga/{}/campagnes/{}", s.org.id, s.campaign);
    let settings = admin.get(&format!("{base}/parametres")).await;
    settings.assert_contains(&format!("{}/campagnes/{}", app.base, s.code));
    settings.assert_contains("Modifier");

    // A member who does not own it may not; a stranger as owner is refused; nothing changes.
    let member = app.client();
    member.login("prof@f.fr", PASSWORD).await;
    let form = [
        ("name", "Renommée"),
        ("title", "Titre"),
        ("landing_text", "Bonjour"),
        ("owner_id", ""),
    ];
    assert_eq!(
        member.post(&format!("{base}/modifier"), &form).await.status,
        403
    );
    let outsider = app.user("x@x.fr", "X", "X").await.id.to_string();
    let bad = admin
        .post(
            &format!("{base}/modifier"),
            &[("name", "Renommée"), ("owner_id", outsider.as_str())],
        )
        .await;
    assert_eq!(bad.status, 422);
    bad.assert_contains("Le propriétaire doit être un membre de l'établissement.");
    let unnamed = admin
        .post(&format!("{base}/modifier"), &[("name", "  ")])
        .await;
    assert_eq!(unnamed.status, 422);
    unnamed.assert_contains("Indiquez le nom de la campagne.");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM campaigns WHERE name = 'Renommée'")
            .await,
        0
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM campaigns WHERE name = 'Campagne competence-4-1'")
            .await,
        1,
        "the campaign keeps its name"
    );
    let b = campaign(&app, "0440007G", "competence-4-1", false).await;
    let admin_b = app.client();
    admin_b.login("admin.0440007G@test.fr", PASSWORD).await;
    assert_eq!(
        admin_b
            .post(&format!("{base}/modifier"), &form)
            .await
            .status,
        404
    );
    assert_eq!(
        admin_b
            .post(
                &format!("/orga/{}/campagnes/{}/modifier", b.org.id, s.campaign),
                &form
            )
            .await
            .status,
        404
    );

    // A student's test shows the campaign in its header (the title is cached per participation).
    let (student, path) = crate::student::join(&app, &s.code, "noether@test.fr").await;
    crate::student::current_step(&student, &path)
        .await
        .assert_contains("Parcours de test");

    let owner = prof.id.to_string();
    let done = admin
        .post(
            &format!("{base}/modifier"),
            &[
                ("name", "Renommée"),
                ("title", "Nouveau titre"),
                ("landing_text", "Bienvenue !\r\nBon courage <b>à tous</b>"),
                ("owner_id", owner.as_str()),
            ],
        )
        .await;
    done.assert_contains("La campagne a été modifiée.");
    done.assert_contains("Renommée");
    done.assert_contains("Nouveau titre");
    let landing = app.client().get(&format!("/campagnes/{}", s.code)).await;
    // Line breaks become breaks; the rest of the text stays text.
    assert!(
        landing
            .body
            .contains("Bienvenue !<br>Bon courage &lt;b&gt;à tous"),
        "{}",
        landing.body
    );
    // The edit reaches the test in progress at once, not after the cache's time-to-live.
    crate::student::current_step(&student, &path)
        .await
        .assert_contains("Nouveau titre");
    // The new owner now manages it.
    let mine = member.get(&format!("/orga/{}/campagnes", s.org.id)).await;
    mine.assert_contains("Renommée");
    assert_eq!(
        member.post(&format!("{base}/modifier"), &form).await.status,
        200
    );
}

#[tokio::test]
async fn a_deleted_campaign_leaves_every_list_and_its_code_names_nothing() {
    let app = TestApp::spawn().await;
    let s = campaign(&app, "0440009J", "competence-4-1", false).await;
    let admin = app.client();
    admin.login("admin.0440009J@test.fr", PASSWORD).await;
    let (student, path) = crate::student::join(&app, &s.code, "lovelace@test.fr").await;
    take_to_the_end(&student, &path, true).await;
    student.post(&format!("{path}/envoyer"), &[]).await;
    let base = format!("/orga/{}/campagnes/{}", s.org.id, s.campaign);
    let settings = admin.get(&format!("{base}/parametres")).await;
    settings.assert_contains("Supprimer la campagne");
    settings.assert_contains("Cette action est définitive.");

    // A member who does not own it may not; another establishment gets a 404; nothing changes.
    app.member(&s.org, "prof@j.fr", "Paul", "Prof", Role::Member)
        .await;
    let member = app.client();
    member.login("prof@j.fr", PASSWORD).await;
    let refused = member.post(&format!("{base}/supprimer"), &[]).await;
    assert_eq!(refused.status, 403);
    let b = campaign(&app, "0440010K", "competence-4-1", false).await;
    let admin_b = app.client();
    admin_b.login("admin.0440010K@test.fr", PASSWORD).await;
    assert_eq!(
        admin_b.post(&format!("{base}/supprimer"), &[]).await.status,
        404
    );
    assert_eq!(
        admin_b
            .post(
                &format!("/orga/{}/campagnes/{}/supprimer", b.org.id, s.campaign),
                &[]
            )
            .await
            .status,
        404
    );
    let live = "SELECT COUNT(*) FROM campaigns WHERE deleted_at IS NULL";
    assert_eq!(app.count(live).await, 2);

    let done = admin.post(&format!("{base}/supprimer"), &[]).await;
    assert_eq!(done.path(), format!("/orga/{}/campagnes", s.org.id));
    done.assert_contains("La campagne « Campagne competence-4-1 » a été supprimée.");
    assert_eq!(app.count(live).await, 1);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM campaign_participations WHERE deleted_at IS NULL")
            .await,
        0,
        "its participations go with it"
    );
    assert_eq!(admin.get(&base).await.status, 404);
    assert_eq!(admin.get(&format!("{base}/export")).await.status, 404);
    assert_eq!(
        admin.post(&format!("{base}/supprimer"), &[]).await.status,
        404
    );
    // The code names nothing; the student's page no longer lists it.
    let landing = app.client().get(&format!("/campagnes/{}", s.code)).await;
    assert_eq!(landing.status, 404);
    let home = student.get("/").await;
    assert!(
        !home.text().contains("Campagne competence-4-1"),
        "{}",
        home.text()
    );
}

#[tokio::test]
async fn back_to_school_campaigns_are_created_once_per_school_year() {
    let app = TestApp::spawn().await;
    let college = app.org("Collège Rentrée", "0440008H").await;
    app.member(&college, "admin@rentree.fr", "Ada", "Admin", Role::Admin)
        .await;
    let other = app
        .store
        .create_organizations(
            None,
            &[acquis_store::NewOrganization {
                name: "Association".into(),
                uai: acquis_tenants::Uai::parse("0440009J").unwrap(),
                kind: acquis_tenants::EstablishmentKind::Other,
                contact_email: "asso@test.fr".into(),
                manages_students: false,
            }],
        )
        .await
        .unwrap();
    let september = time::macros::date!(2026 - 09 - 01);
    let created = acquis_server::jobs::back_to_school(&app.state, september)
        .await
        .unwrap();
    assert_eq!(created, 4, "6e, 5e, 4e, 3e for a collège");
    // Again the same year (another server, a restart): nothing new.
    let june = time::macros::date!(2027 - 06 - 30);
    assert_eq!(
        acquis_server::jobs::back_to_school(&app.state, june)
            .await
            .unwrap(),
        0
    );
    let staff = app.client();
    staff.login("admin@rentree.fr", PASSWORD).await;
    let list = staff
        .get(&format!("/orga/{}/campagnes?onglet=toutes", college.id))
        .await;
    list.assert_contains("Campagne de rentrée 6e (2026-2027)");
    list.assert_contains("Campagne de rentrée 3e (2026-2027)");
    list.assert_contains("Équipe Acquis");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM campaigns").await,
        4,
        "none for an establishment that is not a school ({})",
        other[0].name
    );
    // The next school year brings the next ones; the platform account cannot sign in.
    let next = time::macros::date!(2027 - 09 - 02);
    assert_eq!(
        acquis_server::jobs::back_to_school(&app.state, next)
            .await
            .unwrap(),
        4
    );
    assert_eq!(
        app.client().login("equipe.acquis", "").await.path(),
        "/connexion"
    );
}
