//! « Mon profil »: training a competence, and resetting it 7 days after the last answer.

use crate::harness::Client;
use crate::harness::{PASSWORD, TestApp};
use crate::student::{answer_until_results, challenge_id, current_step, right_answer};

/// Gives `n` right answers in a training, leaving it open.
async fn answer_some(c: &Client, path: &str, n: usize) {
    for _ in 0..n {
        let page = current_step(c, path).await;
        let id = challenge_id(&page).expect("a challenge");
        let mut form = vec![
            ("challenge".to_owned(), id.clone()),
            ("action".into(), "valider".into()),
        ];
        form.extend(right_answer(&id));
        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(c.post(&format!("{path}/reponse"), &form).await.status, 200);
    }
}

#[tokio::test]
async fn a_student_trains_a_competence_and_resets_it_seven_days_after_the_last_answer() {
    let app = TestApp::spawn().await;
    let me = app.user("lea@test.fr", "Léa", "Martin").await;
    let c = app.client();
    c.login("lea@test.fr", PASSWORD).await;
    let profile = c.get("/mon-profil").await;
    profile.assert_contains("M'entraîner");
    assert!(!profile.text().contains("Remettre à zéro"));
    profile.assert_contains(
        "Certifiable Pas encore 0 compétence de niveau 1 ou plus sur les 5 nécessaires.",
    );

    let started = c.post("/mon-profil/competences/1.1", &[]).await;
    assert!(
        started.path().starts_with("/parcours/"),
        "{}",
        started.path()
    );
    let (answers, _, results) = answer_until_results(&c, &started.path(), true).await;
    assert_eq!(results.status, 200);
    assert!(answers > 0);
    let known = format!(
        "SELECT COUNT(*) FROM knowledge_states WHERE user_id = {}",
        uuid_literal(&app, me.id)
    );
    let tubes = app.count(&known).await;
    assert!(tubes > 0);

    // Too early, or nothing to reset: refused with the day it becomes possible, nothing changed.
    let profile = c.get("/mon-profil").await;
    profile.assert_contains("Remise à zéro possible à partir du");
    let early = c
        .post("/mon-profil/competences/1.1/remise-a-zero", &[])
        .await;
    assert_eq!(early.status, 409);
    early.assert_contains("7 jours après votre dernière réponse");
    let nothing = c
        .post("/mon-profil/competences/1.2/remise-a-zero", &[])
        .await;
    assert_eq!(nothing.status, 409);
    nothing.assert_contains("il n'y a rien à remettre à zéro");
    assert_eq!(
        c.get("/mon-profil/competences/9.9/remise-a-zero")
            .await
            .status,
        404
    );
    assert_eq!(app.count(&known).await, tubes);

    // A training left open on another competence, then eight days pass.
    let open = c.post("/mon-profil/competences/1.3", &[]).await;
    assert!(open.path().starts_with("/parcours/"), "{}", open.path());
    answer_some(&c, &open.path(), 2).await;
    eight_days_pass(&app, me.id).await;
    let profile = c.get("/mon-profil").await;
    profile.assert_contains("Remettre à zéro");
    let confirm = c.get("/mon-profil/competences/1.1/remise-a-zero").await;
    assert_eq!(confirm.status, 200);
    confirm.assert_contains("les résultats déjà envoyés à un établissement ne changent pas");
    let done = c
        .post("/mon-profil/competences/1.1/remise-a-zero", &[])
        .await;
    assert_eq!(done.path(), "/mon-profil");
    done.assert_contains("a été remise à zéro");
    // Only 1.3's tubes are still known.
    let left = app.count(&known).await;
    assert!(left > 0 && left < tubes + 2, "{left}");
    let done = c
        .post("/mon-profil/competences/1.3/remise-a-zero", &[])
        .await;
    done.assert_contains("a été remise à zéro");
    assert_eq!(app.count(&known).await, 0);
    // The answer log keeps the history; the open training is closed.
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM answers WHERE user_id = {}",
            uuid_literal(&app, me.id)
        ))
        .await,
        answers as i64 + 2
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM assessments WHERE user_id = {} AND state = 'STARTED'",
            uuid_literal(&app, me.id)
        ))
        .await,
        0
    );
    assert!(
        !c.get("/mon-profil")
            .await
            .text()
            .contains("Remettre à zéro")
    );
}

/// A UUID as an SQL literal for either database (SQLite stores them as 16-byte blobs).
fn uuid_literal(app: &TestApp, id: uuid::Uuid) -> String {
    if app.db.postgres {
        format!("'{id}'")
    } else {
        format!("X'{}'", id.simple())
    }
}

/// « Mes tutos »: recommended after questions missed, saved from there, listed under Enregistrés.
#[tokio::test]
async fn recommended_tutorials_follow_the_questions_missed() {
    let app = TestApp::spawn().await;
    app.user("noe@test.fr", "Noé", "Petit").await;
    let c = app.client();
    c.login("noe@test.fr", PASSWORD).await;
    let empty = c.get("/mes-tutos").await;
    empty.assert_contains("Aucun tuto recommandé pour l'instant");

    let started = c.post("/mon-profil/competences/1.1", &[]).await;
    for _ in 0..3 {
        let page = current_step(&c, &started.path()).await;
        let id = challenge_id(&page).expect("a challenge");
        let after = c
            .post(
                &format!("{}/reponse", started.path()),
                &[("challenge", id.as_str()), ("action", "passer")],
            )
            .await;
        assert_eq!(after.status, 200);
    }
    let recommended = c.get("/mes-tutos").await;
    recommended.assert_contains("Ces tutos accompagnent les questions que vous avez manquées");
    let doc = scraper::Html::parse_document(&recommended.body);
    let sel = scraper::Selector::parse("ul.tutorials form").unwrap();
    let actions: Vec<String> = doc
        .select(&sel)
        .map(|f| f.value().attr("action").unwrap().to_owned())
        .collect();
    assert!(
        !actions.is_empty(),
        "tutorials recommended after three skips"
    );
    // Shown as on a checkpoint: « Par <source> • <format> • N minutes », not a raw 00:08:00.
    recommended.assert_contains("Par ");
    recommended.assert_contains(" minute");
    assert!(!recommended.text().contains(":00"), "a raw duration");
    let saved = c
        .post(
            &actions[0],
            &[("action", "enregistrer"), ("back", "/mes-tutos")],
        )
        .await;
    assert_eq!(saved.path(), "/mes-tutos");
    saved.assert_contains("Le tuto a été enregistré");
    saved.assert_contains("Retirer");
    assert_eq!(app.count("SELECT COUNT(*) FROM saved_tutorials").await, 1);
    let tab = c.get("/mes-tutos?onglet=enregistres").await;
    let doc = scraper::Html::parse_document(&tab.body);
    let listed: Vec<String> = doc
        .select(&sel)
        .map(|f| f.value().attr("action").unwrap().to_owned())
        .collect();
    assert_eq!(listed, vec![actions[0].clone()]);
    // Taking it out from the saved tab comes back to that tab.
    let back = scraper::Selector::parse("ul.tutorials input[name=back]").unwrap();
    let backs: Vec<&str> = doc
        .select(&back)
        .filter_map(|i| i.value().attr("value"))
        .collect();
    assert_eq!(backs, vec!["/mes-tutos?onglet=enregistres"]);
}

async fn force_challenge(app: &TestApp, competence: &str, challenge: &str) {
    app.owner_exec(
        &format!(
            "UPDATE assessments SET current_challenge = '{challenge}', challenge_started_at = NULL, \
             revision = revision + 1 WHERE target_key = '{competence}' AND state = 'STARTED'"
        ),
        None,
    )
    .await;
}

async fn answer_right(c: &Client, path: &str, challenge: &str) -> crate::harness::Page {
    let mut form = vec![
        ("challenge".to_owned(), challenge.to_owned()),
        ("action".into(), "valider".into()),
    ];
    form.extend(right_answer(challenge));
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    c.post(&format!("{path}/reponse"), &form).await
}

/// A timed challenge: a warning first, the clock starts on « Commencer », a right answer in time
/// counts, a right answer after the time is kept as failed.
#[tokio::test]
async fn a_timed_challenge_warns_first_and_a_late_answer_does_not_count() {
    let app = TestApp::spawn().await;
    app.user("tim@test.fr", "Tim", "Chrono").await;
    let c = app.client();
    c.login("tim@test.fr", PASSWORD).await;

    let path = c.post("/mon-profil/competences/1.1", &[]).await.path();
    force_challenge(&app, "1.1", "motsClesRecherche2-b").await;
    let warning = c.get(&path).await;
    warning.assert_contains("Question chronométrée");
    warning.assert_contains("Vous aurez 1 min 30 s pour répondre");
    // Answering without starting the clock records nothing.
    answer_right(&c, &path, "motsClesRecherche2-b")
        .await
        .assert_contains("Question chronométrée");
    assert_eq!(app.count("SELECT COUNT(*) FROM answers").await, 0);
    let running = c
        .post(
            &format!("{path}/chrono"),
            &[("challenge", "motsClesRecherche2-b")],
        )
        .await;
    running.assert_contains("1 min 30 s pour répondre, jusqu'à");
    answer_right(&c, &path, "motsClesRecherche2-b").await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM answers WHERE result = 'ok' AND NOT timed_out")
            .await,
        1
    );

    let path = c.post("/mon-profil/competences/1.2", &[]).await.path();
    force_challenge(&app, "1.2", "extensionsFichiers3-a").await;
    c.post(
        &format!("{path}/chrono"),
        &[("challenge", "extensionsFichiers3-a")],
    )
    .await;
    app.owner_exec(
        "UPDATE assessments SET challenge_started_at = $1, revision = revision + 1 \
         WHERE target_key = '1.2'",
        Some(time::OffsetDateTime::now_utc() - time::Duration::minutes(10)),
    )
    .await;
    let late = answer_right(&c, &path, "extensionsFichiers3-a").await;
    late.assert_contains("Le temps imparti était écoulé");
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM answers WHERE challenge_id = 'extensionsFichiers3-a' \
             AND result = 'ko' AND timed_out"
        )
        .await,
        1
    );
}

/// Moves every answer time of the student's knowledge eight days back (a new version of it, as
/// every write of it is).
async fn eight_days_pass(app: &TestApp, user: uuid::Uuid) {
    let back = 8 * 24 * 3600;
    for (tube, state) in app.store.knowledge_states(user).await.unwrap() {
        let mut v: serde_json::Value = serde_json::from_str(&state).unwrap();
        if let Some(at) = v["ceiling_at"].as_i64() {
            v["ceiling_at"] = (at - back).into();
        }
        for d in v["direct"].as_array_mut().unwrap() {
            d[2] = (d[2].as_i64().unwrap() - back).into();
        }
        app.owner_exec(
            &format!(
                "UPDATE knowledge_states SET state = '{}' WHERE tube_id = '{tube}'",
                v.to_string().replace('\'', "''")
            ),
            None,
        )
        .await;
    }
    app.owner_exec("UPDATE knowledge_versions SET version = version + 1", None)
        .await;
}
