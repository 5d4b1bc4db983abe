//! The student's journey over HTTP: a campaign created by staff, joined with its code, taken to
//! the end through the real plugins and engine, sent; idempotent answers; others' assessments
//! unreachable; profile collection; bad input.

use std::collections::HashMap;

use acquis_store::{CampaignKind, NewCampaign, Organization};
use acquis_tenants::{Role, TenantScope};
use uuid::Uuid;

use crate::harness::{Client, PASSWORD, Page, TestApp};

/// The built-in challenges by id, read from the package sources, to answer right on purpose.
fn challenges() -> &'static HashMap<String, serde_json::Value> {
    static ALL: std::sync::OnceLock<HashMap<String, serde_json::Value>> =
        std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../content-plugins/packages/crcn/data/competences");
        let mut out = HashMap::new();
        for e in std::fs::read_dir(dir).unwrap() {
            let v: serde_json::Value =
                serde_json::from_slice(&std::fs::read(e.unwrap().path()).unwrap()).unwrap();
            for t in v["tubes"].as_array().unwrap() {
                for s in t["skills"].as_array().unwrap() {
                    for c in s["challenges"].as_array().unwrap() {
                        out.insert(c["id"].as_str().unwrap().to_owned(), c.clone());
                    }
                }
            }
        }
        out
    })
}

/// The keys of `${key…}` fields, in order.
fn field_keys(proposals: &str) -> Vec<String> {
    proposals
        .split("${")
        .skip(1)
        .map(|rest| {
            rest.chars()
                .take_while(|c| !matches!(c, '#' | '§' | '}' | ' '))
                .collect()
        })
        .collect()
}

/// The first accepted variant of each key of a QROCM solution.
fn first_variants(solution: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut taken = true;
    for line in solution.lines() {
        let l = line.trim();
        if let Some(v) = l.strip_prefix("- ") {
            if !taken {
                out.push(v.trim().trim_matches('\'').trim_matches('"').to_owned());
                taken = true;
            }
        } else if l.ends_with(':') {
            taken = false;
        }
    }
    out
}

/// The form fields of a right answer to a challenge.
pub fn right_answer(id: &str) -> Vec<(String, String)> {
    let c = &challenges()[id];
    let solution = c["solution"].as_str().unwrap();
    let proposals = c["proposals"].as_str().unwrap();
    match c["type"].as_str().unwrap() {
        "qcu" | "qcm" => solution
            .split(',')
            .map(|s| ("answer".to_owned(), s.trim().to_owned()))
            .collect(),
        "qroc" => {
            let key = &field_keys(proposals)[0];
            let first = solution.lines().next().unwrap().trim().to_owned();
            vec![(format!("f_{key}"), first)]
        }
        _ => field_keys(proposals)
            .into_iter()
            .zip(first_variants(solution))
            .map(|(k, v)| (format!("f_{k}"), v))
            .collect(),
    }
}

/// The challenge id shown on a test page.
pub fn challenge_id(page: &Page) -> Option<String> {
    let doc = scraper::Html::parse_document(&page.body);
    let sel = scraper::Selector::parse("input[name=challenge]").unwrap();
    doc.select(&sel)
        .next()
        .and_then(|e| e.value().attr("value"))
        .map(str::to_owned)
}

pub struct Setup {
    pub org: Organization,
    pub code: String,
    pub campaign: Uuid,
}

/// An establishment with an administrator and an assessment campaign on `profile_key`.
pub async fn campaign(app: &TestApp, uai: &str, profile_key: &str, multiple: bool) -> Setup {
    campaign_worded(
        app,
        uai,
        profile_key,
        multiple,
        "Parcours de test",
        "Bienvenue dans ce parcours.",
    )
    .await
}

/// As [`campaign`], with the title and landing text the establishment wrote.
pub async fn campaign_worded(
    app: &TestApp,
    uai: &str,
    profile_key: &str,
    multiple: bool,
    title: &str,
    landing_text: &str,
) -> Setup {
    let org = app.org(&format!("Collège {uai}"), uai).await;
    let (admin, _) = app
        .member(
            &org,
            &format!("admin.{uai}@test.fr"),
            "Ada",
            "Admin",
            Role::Admin,
        )
        .await;
    let tp = app
        .store
        .offered_target_profiles(org.tenant())
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.profile_key == profile_key)
        .expect("built-in profile");
    let mut tx = app
        .store
        .tenant_tx(&TenantScope::system(org.tenant()))
        .await
        .unwrap();
    let code = acquis_tenants::campaign_code();
    let c = tx
        .create_campaign(
            &NewCampaign {
                name: format!("Campagne {profile_key}"),
                kind: CampaignKind::Assessment,
                target_profile_id: Some(tp.id),
                title: Some(title.into()),
                landing_text: Some(landing_text.into()),
                external_id_label: None,
                external_id_type: None,
                multiple_sendings: multiple,
                owner_id: admin.id,
            },
            &code,
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    Setup {
        org,
        code,
        campaign: c.id,
    }
}

/// A signed-in student who joined the campaign; returns the assessment path.
pub async fn join(app: &TestApp, code: &str, email: &str) -> (Client, String) {
    let c = app.client();
    app.user(email, "Marie", "Curie").await;
    c.login(email, PASSWORD).await;
    let rules = c.get(&format!("/campagnes/{code}/parcours")).await;
    rules.assert_contains("Les règles du jeu");
    let test = c.post(&format!("/campagnes/{code}/parcours"), &[]).await;
    assert_eq!(test.status, 200, "{}", test.text());
    (c, test.path())
}

/// Answers until the results page: right answers when `right`, else "Je passe". Returns the
/// number of answers given and the results page; from a fresh start, checks that a checkpoint
/// came after every 5 answers and at the end.
pub async fn take_to_the_end(c: &Client, path: &str, right: bool) -> (usize, Page) {
    let (answers, checkpoints, page) = answer_until_results(c, path, right).await;
    assert_eq!(
        checkpoints,
        answers.div_ceil(5),
        "one checkpoint per 5 answers"
    );
    (answers, page)
}

/// The page of the test's current step; a timed challenge's warning is accepted first.
pub async fn current_step(c: &Client, path: &str) -> Page {
    past_the_timer(c, path, c.get(path).await).await
}

/// `page`, or the challenge it warns about once its clock is started when it is a timed
/// challenge's warning.
async fn past_the_timer(c: &Client, path: &str, page: Page) -> Page {
    if page.body.contains("/chrono\"")
        && let Some(id) = challenge_id(&page)
    {
        return c
            .post(&format!("{path}/chrono"), &[("challenge", id.as_str())])
            .await;
    }
    page
}

pub async fn answer_until_results(c: &Client, path: &str, right: bool) -> (usize, usize, Page) {
    let mut answers = 0;
    let mut checkpoints = 0;
    for _ in 0..400 {
        let page = current_step(c, path).await;
        assert_eq!(page.status, 200, "{}", page.text());
        if page.path().contains("/point-etape") {
            checkpoints += 1;
            page.assert_contains("Réponses et tutos");
            page.assert_contains("Avancement du parcours Vous avez répondu à ");
            c.post(&format!("{path}/point-etape"), &[]).await;
            continue;
        }
        // A campaign ends on its results, a training on « Mon profil ».
        if page.path().ends_with("/resultats") || page.path() == "/mon-profil" {
            return (answers, checkpoints, page);
        }
        let id = challenge_id(&page).expect("a challenge on the page");
        let mut form: Vec<(String, String)> = vec![("challenge".into(), id.clone())];
        if right {
            form.push(("action".into(), "valider".into()));
            form.extend(right_answer(&id));
        } else {
            form.push(("action".into(), "passer".into()));
        }
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let after = c.post(&format!("{path}/reponse"), &form).await;
        assert_eq!(after.status, 200, "{}", after.text());
        answers += 1;
    }
    panic!("the test never ended");
}

#[tokio::test]
async fn a_student_joins_with_the_code_takes_the_test_and_sends_results() {
    let app = TestApp::spawn().await;
    let s = campaign(&app, "0000001A", "competence-4-1", false).await;

    // Code entry is case-insensitive; the landing page shows the establishment and consent.
    let c = app.client();
    let landing = c
        .post("/campagnes", &[("code", &s.code.to_lowercase())])
        .await;
    assert_eq!(landing.path(), format!("/campagnes/{}", s.code));
    landing.assert_contains("Collège 0000001A");
    landing.assert_contains("Je commence");
    landing.assert_contains("ne seront transmis qu'avec votre consentement");
    landing.assert_contains("Bienvenue dans ce parcours.");
    // Not signed in: "Je commence" leads to the login page, then back to the campaign.
    let login = c.get(&format!("/campagnes/{}/parcours", s.code)).await;
    assert!(login.path().starts_with("/connexion"), "{}", login.path());
    let signup = c
        .post(
            "/inscription",
            &[
                ("last_name", "Curie"),
                ("first_name", "Marie"),
                ("email", "marie@test.fr"),
                ("password", PASSWORD),
                ("cgu", "on"),
                ("next", &format!("/campagnes/{}/parcours", s.code)),
            ],
        )
        .await;
    signup.assert_contains("Les règles du jeu");
    let test = c
        .post(&format!("/campagnes/{}/parcours", s.code), &[])
        .await;
    test.assert_contains("Parcours de test");
    test.assert_contains("Je passe");
    let path = test.path();

    let (answers, results) = take_to_the_end(&c, &path, true).await;
    assert!(answers >= 3, "{answers} answers");
    results.assert_contains("Vous maîtrisez 100 % des compétences testées.");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM answers WHERE result = 'ok'")
            .await,
        answers as i64
    );
    // Not sent yet: the establishment sees a participant, no result.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM campaign_participations WHERE status = 'STARTED'")
            .await,
        1
    );
    let sent = c.post(&format!("{path}/envoyer"), &[]).await;
    sent.assert_contains("Vos résultats ont bien été envoyés");
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM campaign_participations WHERE status = 'SHARED' AND mastery_percent = 100"
        )
        .await,
        1
    );
    // Sending twice changes nothing; "Mes parcours" shows it sent.
    c.post(&format!("{path}/envoyer"), &[]).await;
    let home = c.get("/").await;
    home.assert_contains("Envoyé");
    // A student's home starts with their tests, then a new code; no establishment space.
    let text = home.text();
    let (tests, code) = (text.find("Mes parcours"), text.find("J'ai un code"));
    assert!(tests.is_some() && tests < code, "{text}");
    assert!(
        !text.contains("Accéder à mon espace établissement"),
        "{text}"
    );

    // Staff read it in the campaign's results.
    let staff = app.client();
    staff.login("admin.0000001A@test.fr", PASSWORD).await;
    staff
        .get("/")
        .await
        .assert_contains("Accéder à mon espace établissement");
    staff.post("/orga/cgu", &[("next", "/orga")]).await;
    let list = staff.get(&format!("/orga/{}/campagnes", s.org.id)).await;
    list.assert_contains("Campagne competence-4-1");
    let results = staff
        .get(&format!(
            "/orga/{}/campagnes/{}/resultats",
            s.org.id, s.campaign
        ))
        .await;
    results.assert_contains("Curie");
    results.assert_contains("100 %");
}

#[tokio::test]
async fn skipping_everything_gives_zero_and_retry_asks_the_failed_skills_again() {
    let app = TestApp::spawn().await;
    let s = campaign(&app, "0000002B", "competence-4-1", false).await;
    let (c, path) = join(&app, &s.code, "leo@test.fr").await;
    let (answers, results) = take_to_the_end(&c, &path, false).await;
    assert!(answers >= 1);
    results.assert_contains("Vous maîtrisez 0 % des compétences testées.");
    results.assert_contains("Je retente");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM answers WHERE result = 'aband'")
            .await,
        answers as i64
    );
    // "Je retente": a new assessment asks again what was failed; answered right, mastery rises.
    let retry = c.post(&format!("{path}/retenter"), &[]).await;
    assert_ne!(retry.path(), path);
    let retry_path = retry.path();
    let (again, results) = take_to_the_end(&c, &retry_path, true).await;
    assert!(again >= 1);
    assert!(
        !results.text().contains("Vous maîtrisez 0 %"),
        "{}",
        results.text()
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM assessments").await,
        2,
        "one retry"
    );
}

#[tokio::test]
async fn double_submits_and_refreshes_never_record_two_answers() {
    let app = TestApp::spawn().await;
    let s = campaign(&app, "0000003C", "competence-1-1", false).await;
    let (c, path) = join(&app, &s.code, "zoe@test.fr").await;
    let page = c.get(&path).await;
    let first = challenge_id(&page).unwrap();
    let form = [("challenge", first.as_str()), ("action", "passer")];
    let a = c.post(&format!("{path}/reponse"), &form).await;
    let b = c.post(&format!("{path}/reponse"), &form).await;
    assert_eq!(a.status, 200);
    assert_eq!(b.status, 200);
    assert_eq!(app.count("SELECT COUNT(*) FROM answers").await, 1);
    // The second submit shows the next challenge, not the first one again.
    assert_ne!(challenge_id(&b).as_deref(), Some(first.as_str()));
    // Two tabs answering the same challenge at once: one answer.
    let second = challenge_id(&current_step(&c, &path).await).unwrap();
    let form = [("challenge", second.as_str()), ("action", "passer")];
    let p = format!("{path}/reponse");
    let (x, y) = tokio::join!(c.post(&p, &form), c.post(&p, &form));
    assert_eq!((x.status, y.status), (200, 200));
    assert_eq!(app.count("SELECT COUNT(*) FROM answers").await, 2);
    // An empty "Je valide" is refused with a message and records nothing.
    let third = challenge_id(&current_step(&c, &path).await).unwrap();
    let empty = c
        .post(
            &format!("{path}/reponse"),
            &[("challenge", third.as_str()), ("action", "valider")],
        )
        .await;
    assert_eq!(empty.status, 422);
    empty.assert_contains("Pour valider, répondez à la question");
    assert_eq!(app.count("SELECT COUNT(*) FROM answers").await, 2);
}

#[tokio::test]
async fn two_app_servers_answering_in_turn_agree_on_what_was_answered() {
    let app = TestApp::spawn().await;
    let s = campaign(&app, "0000003D", "rentree-tle", false).await;
    let (a, path) = join(&app, &s.code, "ines@test.fr").await;
    let (other, other_store) = app.another_server().await;
    let b = a.on(other);
    let id: Uuid = path.trim_start_matches("/parcours/").parse().unwrap();
    let mut given = Vec::new();
    for turn in 0..14 {
        let c = if turn % 2 == 0 { &a } else { &b };
        let page = current_step(c, &path).await;
        if page.path().contains("/point-etape") {
            c.post(&format!("{path}/point-etape"), &[]).await;
            continue;
        }
        let challenge = challenge_id(&page).expect("a challenge");
        assert!(
            !given.contains(&challenge),
            "{challenge} asked twice ({given:?})"
        );
        let mut form = vec![("challenge".to_owned(), challenge.clone())];
        if turn % 3 == 0 {
            form.push(("action".into(), "passer".into()));
        } else {
            form.push(("action".into(), "valider".into()));
            form.extend(right_answer(&challenge));
        }
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let after = c.post(&format!("{path}/reponse"), &form).await;
        assert_eq!(after.status, 200, "{}", after.text());
        given.push(challenge);
        // Each server's view of the log matches the database after the other one wrote.
        for store in [&app.store, &other_store] {
            let n = given.len() as i32;
            assert_eq!(store.answered_challenges(id, n).await.unwrap(), given);
            assert_eq!(
                store.answered_challenges(id, n - 1).await.unwrap(),
                given[..given.len() - 1]
            );
        }
    }
    assert!(given.len() >= 10, "{given:?}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM answers").await,
        given.len() as i64
    );
    let logged: Vec<String> = app
        .store
        .answers(id)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.challenge_id)
        .collect();
    assert_eq!(logged, given);
}

#[tokio::test]
async fn two_tests_of_one_student_on_two_servers_never_overwrite_each_others_knowledge() {
    // A training of competence 1.1 answered through another server, which then holds the
    // student's knowledge; a campaign on 1.1 answered through this server on the tube of the
    // training's next challenge; then the training's answer there. It must build on the
    // campaign's write, not on the other server's older copy of the knowledge.
    let app = TestApp::spawn().await;
    let (a, campaign_path, user) = student_on_competence_1_1(&app, "0000003C", "eli@test.fr").await;
    let (other, _) = app.another_server().await;
    let b = a.on(other);
    let training = b.post("/mon-profil/competences/1.1", &[]).await.path();
    assert!(training.starts_with("/parcours/"), "{training}");
    let next = skip_shown(&b, &training, current_step(&b, &training).await).await;
    let next = past_the_timer(&b, &training, next).await;
    let asked = challenge_id(&next).expect("the training goes on");
    let catalog = app.state.contents.builtin().await.unwrap();
    let skill_of = |id: &str| catalog.skill_of(catalog.challenge_index(id).unwrap());
    let skill = skill_of(&asked);
    let tube = catalog.bank.skill(skill).tube;
    let other_skill = untimed_challenge_where(&catalog, |i| {
        let s = catalog.bank.challenges[i].skill;
        s != skill && catalog.bank.skill(s).tube == tube
    })
    .expect("another skill in the tube");
    force_current(&app, &campaign_path, &other_skill).await;
    for (c, path, challenge) in [(&a, &campaign_path, &other_skill), (&b, &training, &asked)] {
        let after = c
            .post(
                &format!("{path}/reponse"),
                &[("challenge", challenge.as_str()), ("action", "passer")],
            )
            .await;
        assert_eq!(after.status, 200, "{}", after.text());
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM answers").await, 3);
    let tube_id = &catalog.bank.tubes[tube as usize].id;
    let states = app.store.knowledge_states(user.id).await.unwrap();
    let (_, state) = states.iter().find(|(t, _)| t == tube_id).unwrap();
    let state: serde_json::Value = serde_json::from_str(state).unwrap();
    let answered: Vec<&str> = state["direct"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d[0].as_str().unwrap())
        .collect();
    for s in [skill, skill_of(&other_skill)] {
        let id = catalog.bank.skill(s).id.as_str();
        assert!(answered.contains(&id), "{id} kept in {state}");
    }
}

#[tokio::test]
async fn an_answer_without_the_servers_parse_of_the_knowledge_reads_it_alone() {
    // The server keeps the assessment an answer wrote but has lost its parse of the knowledge
    // (evicted, or another package's): the next answer reads the knowledge and its version
    // alone, and builds on what the first answer wrote.
    let app = TestApp::spawn().await;
    let (c, path, user) = student_on_competence_1_1(&app, "0000004D", "noe@test.fr").await;
    let first = current_step(&c, &path).await;
    let second = skip_shown(&c, &path, first).await;
    assert_eq!(second.status, 200, "{}", second.text());
    app.state.contents.forget_knowledge(user.id).await;
    let third = skip_shown(&c, &path, past_the_timer(&c, &path, second).await).await;
    assert_eq!(third.status, 200, "{}", third.text());
    assert_eq!(app.count("SELECT COUNT(*) FROM answers").await, 2);
    let mut held = app.store.hold().await.unwrap();
    let known = app
        .store
        .stored_knowledge(&mut held, user.id)
        .await
        .unwrap();
    assert_eq!(known.version, 2, "one version per answer that wrote a tube");
    let mut rows = app.store.knowledge_states(user.id).await.unwrap();
    let mut tubes = known.tubes.clone();
    rows.sort();
    tubes.sort();
    assert_eq!(tubes, rows);
    let answered: usize = tubes
        .iter()
        .map(|(_, state)| {
            let state: serde_json::Value = serde_json::from_str(state).unwrap();
            state["direct"].as_array().map_or(0, Vec::len)
        })
        .sum();
    assert_eq!(
        answered, 2,
        "the second answer built on the first: {tubes:?}"
    );
    // The assessment this server kept after the answer, made without reading the row back, is
    // the row as written.
    let id: Uuid = path.trim_start_matches("/parcours/").parse().unwrap();
    let read = app.store.assessment(id, user.id).await.unwrap().unwrap();
    let kept = app
        .store
        .assessment_at(id, user.id, Some(read.revision))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(format!("{kept:?}"), format!("{read:?}"));
}

#[tokio::test]
async fn line_breaks_between_the_fields_of_a_challenge_are_breaks_not_text() {
    let app = TestApp::spawn().await;
    let page = page_of_a_challenge_where(&app, "0000005E", |kind, proposals| {
        kind.starts_with("qroc") && proposals.contains("}\n")
    })
    .await;
    assert!(!page.body.contains("&lt;br"), "{}", page.body);
    assert!(page.body.contains("<br>"), "{}", page.body);
}

/// A challenge's proposals as its definition writes them (empty when it has none).
pub fn proposals_of(info: &acquis_server::content::ChallengeInfo) -> String {
    let definition: serde_json::Value =
        serde_json::from_str(&info.definition).expect("a challenge's definition is JSON");
    definition["proposals"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// The test page of the first untimed challenge of the built-in bank whose type and proposals
/// satisfy `pred`, made current for a student who joined a new campaign of establishment `uai`.
async fn page_of_a_challenge_where(
    app: &TestApp,
    uai: &str,
    pred: impl Fn(&str, &str) -> bool,
) -> Page {
    let s = campaign(app, uai, "competence-1-1", false).await;
    let (c, path) = join(app, &s.code, "ada@test.fr").await;
    let catalog = app.state.contents.builtin().await.unwrap();
    let found = untimed_challenge_where(&catalog, |i| {
        let info = &catalog.challenges[i];
        pred(&info.kind, &proposals_of(info))
    })
    .expect("such a challenge in the built-in bank");
    force_current(app, &path, &found).await;
    let page = c.get(&path).await;
    assert_eq!(challenge_id(&page).as_deref(), Some(found.as_str()));
    page
}

/// Proposals the content writes `like this` read as code, without their backticks.
#[tokio::test]
async fn code_in_proposals_reads_as_code_not_as_backticks() {
    let app = TestApp::spawn().await;
    // A choice among proposals written as code, with markup in them.
    let page = page_of_a_challenge_where(&app, "0000006F", |kind, proposals| {
        kind.starts_with("qc") && proposals.contains("`<")
    })
    .await;
    let doc = scraper::Html::parse_document(&page.body);
    let labels = scraper::Selector::parse(".proposal label").unwrap();
    let labels: Vec<_> = doc.select(&labels).collect();
    assert!(!labels.is_empty(), "{}", page.body);
    for label in labels {
        let text: String = label.text().collect();
        assert!(!text.contains('`'), "{text}");
        assert!(text.starts_with('<'), "the markup is shown as text: {text}");
        assert!(
            label.inner_html().starts_with("<code>"),
            "{}",
            label.inner_html()
        );
    }
}

/// The id of the first untimed challenge of `catalog` whose index satisfies `pred`.
fn untimed_challenge_where(
    catalog: &acquis_server::content::Catalog,
    pred: impl Fn(usize) -> bool,
) -> Option<String> {
    (0..catalog.challenges.len())
        .find(|&i| catalog.challenges[i].timer.is_none() && pred(i))
        .map(|i| catalog.bank.challenges[i].id.clone())
}

/// A student at the first page of a new campaign on competence 1.1 of establishment `uai`.
async fn student_on_competence_1_1(
    app: &TestApp,
    uai: &str,
    email: &str,
) -> (Client, String, acquis_store::User) {
    let s = campaign(app, uai, "competence-1-1", false).await;
    let (c, path) = join(app, &s.code, email).await;
    let user = app.store.find_user_by_login(email).await.unwrap();
    (c, path, user.expect("the student's account"))
}

/// Makes `challenge` the current one of the assessment at `path`, as a write of the assessment
/// does (its revision moves).
async fn force_current(app: &TestApp, path: &str, challenge: &str) {
    let id: Uuid = path.trim_start_matches("/parcours/").parse().unwrap();
    let id = if app.db.postgres {
        format!("'{id}'")
    } else {
        format!("X'{}'", id.simple())
    };
    app.owner_exec(
        &format!(
            "UPDATE assessments SET current_challenge = '{challenge}', \
             challenge_started_at = NULL, revision = revision + 1 WHERE id = {id}"
        ),
        None,
    )
    .await;
}

/// Skips the challenge `page` shows (starting its clock first when it is timed); returns the
/// page the answer led to.
async fn skip_shown(c: &Client, path: &str, page: Page) -> Page {
    let page = past_the_timer(c, path, page).await;
    let id = challenge_id(&page).expect("a challenge");
    c.post(
        &format!("{path}/reponse"),
        &[("challenge", id.as_str()), ("action", "passer")],
    )
    .await
}

#[tokio::test]
async fn a_test_page_naming_a_revision_never_shows_an_older_state() {
    let app = TestApp::spawn().await;
    let s = campaign(&app, "0000003E", "rentree-tle", false).await;
    let (a, path) = join(&app, &s.code, "lou@test.fr").await;
    let (other, _) = app.another_server().await;
    let b = a.on(other);
    // An answer redirects to the test page naming the revision it wrote, which this server
    // serves from its copy of that write.
    let after_a = skip_shown(&a, &path, current_step(&a, &path).await).await;
    assert!(
        after_a.path().starts_with(&format!("{path}?v=")),
        "{}",
        after_a.path()
    );
    let shown_a = challenge_id(&after_a).unwrap();
    // The next answer goes through the other server; this server's copy is now behind.
    let after_b = skip_shown(&b, &path, after_a).await;
    let shown_b = challenge_id(&after_b).unwrap();
    assert_ne!(shown_a, shown_b);
    // The other server's address opened here (a load balancer may route it so) shows what the
    // other server wrote, not this server's older copy; so does the bare address.
    for on_a in [a.get(&after_b.path()).await, a.get(&path).await] {
        assert_eq!(challenge_id(&on_a).as_deref(), Some(shown_b.as_str()));
    }
    // A revision that is not a number reads the database.
    let odd = a.get(&format!("{path}?v=deux")).await;
    assert_eq!(odd.status, 200);
    assert_eq!(challenge_id(&odd).as_deref(), Some(shown_b.as_str()));
    // Another student naming a revision this server holds: not found.
    let back_on_a = skip_shown(&a, &path, after_b).await;
    let (bob, _) = join(&app, &s.code, "bob@test.fr").await;
    assert_eq!(bob.get(&back_on_a.path()).await.status, 404);
    assert_eq!(app.count("SELECT COUNT(*) FROM answers").await, 3);
}

#[tokio::test]
async fn answers_never_wait_for_a_second_database_connection() {
    // A server with one database connection: a whole test, then the answers of « Je retente »
    // (which read the participation in the tenant), all go through. An answer holding its
    // connection while asking for another would wait for the pool's timeout and fail.
    let app = TestApp::spawn().await;
    let s = campaign(&app, "0000003F", "competence-4-1", false).await;
    let (a, path) = join(&app, &s.code, "noa@test.fr").await;
    let (other, _) = app.another_server_with_pool(1).await;
    let b = a.on(other);
    let (answers, results) = take_to_the_end(&b, &path, false).await;
    assert!(answers >= 1);
    results.assert_contains("Je retente");
    let retry = b.post(&format!("{path}/retenter"), &[]).await;
    assert_eq!(retry.status, 200, "{}", retry.text());
    let (again, _) = take_to_the_end(&b, &retry.path(), true).await;
    assert!(again >= 1);
}

#[tokio::test]
async fn a_student_cannot_reach_another_students_assessment() {
    let app = TestApp::spawn().await;
    let s = campaign(&app, "0000004D", "competence-1-1", false).await;
    let (_alice, path) = join(&app, &s.code, "alice@test.fr").await;
    let (bob, _) = join(&app, &s.code, "bob@test.fr").await;
    let before = app.count("SELECT COUNT(*) FROM answers").await;
    for (method, p) in [
        ("GET", path.clone()),
        ("GET", format!("{path}/point-etape")),
        ("GET", format!("{path}/resultats")),
        ("POST", format!("{path}/reponse")),
        ("POST", format!("{path}/envoyer")),
        ("POST", format!("{path}/retenter")),
        ("POST", format!("{path}/repasser")),
        ("POST", format!("{path}/point-etape")),
        ("POST", format!("{path}/signalement")),
        ("GET", format!("{path}/pieces-jointes/1.3/ventes.csv")),
    ] {
        let page = if method == "GET" {
            bob.get(&p).await
        } else {
            bob.post(
                &p,
                &[("challenge", "x"), ("action", "passer"), ("comment", "x")],
            )
            .await
        };
        assert_eq!(page.status, 404, "{method} {p}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM answers").await, before);
    assert_eq!(app.count("SELECT COUNT(*) FROM challenge_reports").await, 0);
}

#[tokio::test]
async fn unknown_codes_archived_campaigns_and_bad_campaign_forms_are_refused() {
    let app = TestApp::spawn().await;
    let s = campaign(&app, "0000005E", "competence-1-1", false).await;
    let c = app.client();
    let page = c.post("/campagnes", &[("code", "ZZZZZZ999")]).await;
    assert_eq!(page.status, 422);
    page.assert_contains("Ce code ne correspond à aucun parcours");
    let page = c.get("/campagnes/ZZZZZZ999").await;
    assert_eq!(page.status, 404);
    page.assert_contains("Ce code ne correspond à aucun parcours");

    let staff = app.client();
    staff.login("admin.0000005E@test.fr", PASSWORD).await;
    staff.post("/orga/cgu", &[("next", "/orga")]).await;
    // A wrong code sends a signed-in member back to their home, its way to their space kept.
    let wrong = staff.post("/campagnes", &[("code", "ZZZZZZ999")]).await;
    assert_eq!(wrong.status, 422);
    wrong.assert_contains("Ce code ne correspond à aucun parcours");
    wrong.assert_contains("Accéder à mon espace établissement");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM campaign_participations")
            .await,
        0
    );
    let before = app.count("SELECT COUNT(*) FROM campaigns").await;
    let base = format!("/orga/{}/campagnes", s.org.id);
    let bad_profile = Uuid::now_v7().to_string();
    for form in [
        vec![("name", ""), ("kind", "ASSESSMENT")],
        vec![
            ("name", "X"),
            ("kind", "ASSESSMENT"),
            ("target_profile_id", bad_profile.as_str()),
        ],
        vec![("name", "X"), ("kind", "AUTRE")],
        vec![
            ("name", "X"),
            ("kind", "PROFILES_COLLECTION"),
            ("external_id", "oui"),
            ("external_id_label", ""),
        ],
    ] {
        let page = staff.post(&base, &form).await;
        assert_eq!(page.status, 422, "{form:?}");
        page.assert_contains("Le formulaire contient des erreurs");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM campaigns").await, before);

    // Archived: no new participation, with a clear message.
    staff
        .post(&format!("{base}/{}/archiver", s.campaign), &[])
        .await;
    app.user("late@test.fr", "Paul", "Tard").await;
    c.login("late@test.fr", PASSWORD).await;
    let page = c.get(&format!("/campagnes/{}/parcours", s.code)).await;
    assert_eq!(page.status, 403);
    page.assert_contains("Ce parcours est archivé");
    let page = c
        .post(&format!("/campagnes/{}/parcours", s.code), &[])
        .await;
    assert_eq!(page.status, 403);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM campaign_participations")
            .await,
        0
    );
}

#[tokio::test]
async fn staff_create_campaigns_in_the_browser_form_with_a_code_and_the_profile_collection_works() {
    let app = TestApp::spawn().await;
    let org = app.org("Lycée Gamma", "0000006F").await;
    app.member(&org, "admin@gamma.fr", "Ada", "Admin", Role::Admin)
        .await;
    let staff = app.client();
    staff.login("admin@gamma.fr", PASSWORD).await;
    staff.post("/orga/cgu", &[("next", "/orga")]).await;
    let base = format!("/orga/{}/campagnes", org.id);
    staff
        .get(&base)
        .await
        .assert_contains("Créez votre première campagne");
    let form = staff.get(&format!("{base}/nouvelle")).await;
    form.assert_contains("Campagne de rentrée 6e");
    form.assert_contains("Parcours guidé");
    let created = staff
        .post(
            &base,
            &[
                ("name", "Profils 2nde"),
                ("kind", "PROFILES_COLLECTION"),
                ("multiple_sendings", "oui"),
                ("external_id", "oui"),
                ("external_id_label", "Adresse académique"),
                ("external_id_type", "EMAIL"),
            ],
        )
        .await;
    assert_eq!(created.status, 200);
    created.assert_contains("La campagne a été créée");
    let code: String = sqlx_code(&app).await;
    assert_eq!(code.len(), 9);
    created.assert_contains(&code);

    // A student sends their profile; the external id is an e-mail and checked.
    app.user("eve@test.fr", "Ève", "Martin").await;
    let c = app.client();
    c.login("eve@test.fr", PASSWORD).await;
    let page = c.get(&format!("/campagnes/{code}")).await;
    page.assert_contains("C'est parti !");
    let page = c.get(&format!("/campagnes/{code}/parcours")).await;
    page.assert_contains("Envoi de votre profil");
    let bad = c
        .post(
            &format!("/campagnes/{code}/envoyer-profil"),
            &[("external_id", "pas-une-adresse")],
        )
        .await;
    assert_eq!(bad.status, 422);
    bad.assert_contains("saisissez une adresse e-mail valide");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM campaign_participations")
            .await,
        0
    );
    let sent = c
        .post(
            &format!("/campagnes/{code}/envoyer-profil"),
            &[("external_id", "eve@ac-test.fr")],
        )
        .await;
    sent.assert_contains("Merci, votre profil a bien été envoyé !");
    sent.assert_contains("Renvoyer mon profil");
    // Multiple sendings: a second sending supersedes the first; staff see the latest only.
    c.post(&format!("/campagnes/{code}/envoyer-profil"), &[])
        .await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM campaign_participations WHERE status = 'SHARED'")
            .await,
        2
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM campaign_participations WHERE is_improved")
            .await,
        1
    );
    let list = staff.get(&base).await;
    list.assert_contains("Profils 2nde");
}

async fn sqlx_code(app: &TestApp) -> String {
    use sqlx::Connection;
    if app.db.postgres {
        let mut c = sqlx::PgConnection::connect(&app.db.owner_url)
            .await
            .unwrap();
        sqlx::query_scalar("SELECT code FROM campaign_codes LIMIT 1")
            .fetch_one(&mut c)
            .await
            .unwrap()
    } else {
        let mut c = sqlx::SqliteConnection::connect(&app.db.owner_url)
            .await
            .unwrap();
        sqlx::query_scalar("SELECT code FROM campaign_codes LIMIT 1")
            .fetch_one(&mut c)
            .await
            .unwrap()
    }
}

#[tokio::test]
async fn reports_tutorials_and_single_sendings_refuse_bad_input_and_write_nothing() {
    let app = TestApp::spawn().await;
    let s = campaign(&app, "0000007G", "competence-1-1", false).await;
    let (c, path) = join(&app, &s.code, "noa@test.fr").await;
    let challenge = challenge_id(&c.get(&path).await).unwrap();

    // "Signaler un problème" without a description: a message, nothing stored.
    let page = c
        .post(
            &format!("{path}/signalement"),
            &[("challenge", challenge.as_str()), ("comment", "   ")],
        )
        .await;
    page.assert_contains("Décrivez le problème en quelques mots");
    assert_eq!(app.count("SELECT COUNT(*) FROM challenge_reports").await, 0);
    // A challenge of no package: 404, nothing stored.
    let page = c
        .post(
            &format!("{path}/signalement"),
            &[("challenge", "inconnu-z"), ("comment", "Erreur")],
        )
        .await;
    assert_eq!(page.status, 404);
    assert_eq!(app.count("SELECT COUNT(*) FROM challenge_reports").await, 0);
    // A real report is kept and the test goes on with the same challenge.
    let page = c
        .post(
            &format!("{path}/signalement"),
            &[
                ("challenge", challenge.as_str()),
                ("comment", "L'image ne s'affiche pas"),
            ],
        )
        .await;
    page.assert_contains("Merci, votre signalement a été enregistré.");
    assert_eq!(challenge_id(&page).as_deref(), Some(challenge.as_str()));
    assert_eq!(app.count("SELECT COUNT(*) FROM challenge_reports").await, 1);

    // An unknown tutorial cannot be saved.
    let page = c
        .post("/mes-tutos/tuto-inexistant", &[("action", "enregistrer")])
        .await;
    assert_eq!(page.status, 404);
    assert_eq!(app.count("SELECT COUNT(*) FROM saved_tutorials").await, 0);

    // A profile collection without multiple sendings: a second sending is refused with a
    // message and changes nothing.
    let org = &s.org;
    let admin = app
        .store
        .find_user_by_login("admin.0000007G@test.fr")
        .await
        .unwrap()
        .unwrap();
    let mut tx = app
        .store
        .tenant_tx(&TenantScope::system(org.tenant()))
        .await
        .unwrap();
    let code = acquis_tenants::campaign_code();
    tx.create_campaign(
        &NewCampaign {
            name: "Profils".into(),
            kind: CampaignKind::ProfilesCollection,
            target_profile_id: None,
            title: None,
            landing_text: None,
            external_id_label: None,
            external_id_type: None,
            multiple_sendings: false,
            owner_id: admin.id,
        },
        &code,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let sent = c
        .post(&format!("/campagnes/{code}/envoyer-profil"), &[])
        .await;
    sent.assert_contains("Merci, votre profil a bien été envoyé !");
    assert!(!sent.text().contains("Renvoyer mon profil"));
    let again = c
        .post(&format!("/campagnes/{code}/envoyer-profil"), &[])
        .await;
    again.assert_contains("cet envoi n'est possible qu'une seule fois");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM campaign_participations WHERE status = 'SHARED'")
            .await,
        1
    );
}
