//! The adaptive test: one challenge at a time, a checkpoint every 5 answers, results, sending,
//! retrying.
//!
//! Every answer is one transaction that only succeeds while the assessment is still at the
//! revision, and the student's knowledge at the version, the answer was computed from: a double
//! submit, a second tab or a refresh never records two answers, a stale copy on this server
//! never writes; whatever was committed survives a crash, and the test resumes on the stored
//! current challenge.

use std::sync::Arc;

use crate::form::{Form, Path, Query};
use acquis_engine::content::{ChallengeIdx, SkillIdx};
use acquis_engine::knowledge::{Knowledge, SkillStatus};
use acquis_engine::scoring;
use acquis_engine::select::mix;
use acquis_plugin_host::{PluginError, Verdict};
use acquis_store::{Assessment, NewAnswer, NewAssessment, SharedResults};
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Serialize;
use uuid::Uuid;

use super::campaign::participant_scope;
use crate::auth::session::{CurrentUser, flash};
use crate::content::{Catalog, Goal};
use crate::error::{AppError, AppResult, see_other};
use crate::i18n::t;
use crate::{AppState, page, views};

/// Answers between two checkpoints.
pub const CHECKPOINT_EVERY: i32 = 5;
/// The answer value of "Je passe".
pub const SKIP: &str = "#ABAND#";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/parcours/{id}", get(show))
        .route("/parcours/{id}/reponse", post(answer))
        .route("/parcours/{id}/chrono", post(start_timed))
        .route(
            "/parcours/{id}/point-etape",
            get(checkpoint).post(continue_after_checkpoint),
        )
        .route("/parcours/{id}/resultats", get(results))
        .route("/parcours/{id}/envoyer", post(share))
        .route("/parcours/{id}/retenter", post(retry))
        .route("/parcours/{id}/repasser", post(restart))
        .route("/parcours/{id}/signalement", post(report))
        .route("/parcours/{id}/pieces-jointes/{*path}", get(attachment))
}

struct Loaded {
    a: Assessment,
    catalog: Arc<Catalog>,
}

impl Loaded {
    fn goal(&self) -> AppResult<&Goal> {
        self.catalog
            .goal(&self.a.kind, &self.a.target_key)
            .ok_or_else(|| {
                AppError::Internal(anyhow::anyhow!(
                    "assessment {} aims at {} absent from its package",
                    self.a.id,
                    self.a.target_key
                ))
            })
    }

    fn is_campaign(&self) -> bool {
        self.a.is_campaign()
    }

    /// The establishment and participation of a campaign assessment.
    fn participation_ids(&self) -> AppResult<(Uuid, Uuid)> {
        self.a
            .organization_id
            .zip(self.a.participation_id)
            .ok_or(AppError::NotFound)
    }
}

/// A participation and its campaign, read in the student's tenant transaction.
async fn participation_in(
    tx: &mut acquis_store::TenantTx,
    pid: Uuid,
) -> AppResult<(acquis_store::Participation, acquis_store::Campaign)> {
    let Some(participation) = tx.participation(pid).await? else {
        if tx.is_deleted_participation(pid).await? {
            return Err(super::campaign::deleted());
        }
        return Err(AppError::NotFound);
    };
    let campaign = tx
        .campaign(participation.campaign_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((participation, campaign))
}

async fn load(state: &AppState, id: Uuid, user: Uuid) -> AppResult<Loaded> {
    let a = state.store.assessment(id, user).await?;
    loaded(state, a).await
}

/// The revision a page's address names: the page that follows a write of the assessment reads
/// the copy this server kept of that write (see `Store::assessment_at`).
#[derive(serde::Deserialize)]
struct Revision {
    v: Option<String>,
}

impl Revision {
    fn get(&self) -> Option<i32> {
        self.v.as_deref().and_then(|v| v.parse().ok())
    }
}

/// The test page after a write that left the assessment at revision `a.revision`.
fn test_page(a: &Assessment) -> String {
    format!("/parcours/{}?v={}", a.id, a.revision)
}

async fn load_at(state: &AppState, id: Uuid, user: Uuid, at: &Revision) -> AppResult<Loaded> {
    let a = state.store.assessment_at(id, user, at.get()).await?;
    loaded(state, a).await
}

/// The assessment with its package's catalog; an absent one is a 404.
async fn loaded(state: &AppState, a: Option<Assessment>) -> AppResult<Loaded> {
    let a = a.ok_or(AppError::NotFound)?;
    let catalog = state.contents.catalog(&a.package_digest).await?;
    Ok(Loaded { a, catalog })
}

/// The knowledge the engine selects with: a campaign forgets failures older than 4 days, and
/// "Je retente" also forgets those of the participation's earlier assessment.
async fn working_knowledge(
    state: &AppState,
    l: &Loaded,
    stored: &Knowledge,
) -> AppResult<Knowledge> {
    if !l.is_campaign() {
        return Ok(stored.clone());
    }
    let start = l.a.created_at.unix_timestamp();
    let mut k = stored.for_improvement(start);
    if l.a.improving
        && let (Some(org), Some(pid)) = (l.a.organization_id, l.a.participation_id)
    {
        let mut tx = state
            .store
            .tenant_read(&participant_scope(org, l.a.user_id))
            .await?;
        let p = tx.participation(pid).await?;
        tx.commit().await?;
        if let Some(p) = p {
            let from = p.created_at.unix_timestamp();
            k = k.forgetting_failures(|at| at >= from && at < start);
        }
    }
    Ok(k)
}

fn render_seed(a: &Assessment, c: ChallengeIdx) -> u64 {
    mix(a.seed as u64 ^ ((c as u64) << 24))
}

/// The campaign an assessment belongs to (title in the header, sharing rules).
async fn campaign_of(
    state: &AppState,
    a: &Assessment,
) -> AppResult<Option<acquis_store::Campaign>> {
    let (Some(org), Some(pid)) = (a.organization_id, a.participation_id) else {
        return Ok(None);
    };
    let mut tx = state
        .store
        .tenant_read(&participant_scope(org, a.user_id))
        .await?;
    let campaign = match tx.participation(pid).await? {
        Some(p) => tx.campaign(p.campaign_id).await?,
        None => None,
    };
    tx.commit().await?;
    Ok(campaign)
}

/// The test's header: the campaign's title (or name), or the competence trained.
///
/// Every test page shows it, so the store caches it per participation (see
/// `Store::cache_campaign_title`).
async fn header_title(state: &AppState, l: &Loaded) -> AppResult<String> {
    let Some(pid) = l.a.participation_id else {
        return Ok(l.goal().map(|g| g.name.clone()).unwrap_or_default());
    };
    if let Some(title) = state.store.cached_campaign_title(pid).await {
        return Ok(title.to_string());
    }
    let title = match campaign_of(state, &l.a).await? {
        Some(c) => c.title.unwrap_or(c.name),
        None => l.goal().map(|g| g.name.clone()).unwrap_or_default(),
    };
    state.store.cache_campaign_title(pid, &title).await;
    Ok(title)
}

async fn show(
    State(state): State<AppState>,
    CurrentUser { user, session }: CurrentUser,
    Path(id): Path<Uuid>,
    Query(at): Query<Revision>,
) -> AppResult<Response> {
    let l = load_at(&state, id, user.id, &at).await?;
    if let Some(elsewhere) = beyond_challenge(&l.a) {
        return Ok(see_other(&elsewhere));
    }
    challenge_page(&state, &l, &user, &session, None, StatusCode::OK).await
}

/// Where a test in this state goes instead of its current challenge: the checkpoint when one is
/// due, the end when it is over; `None` while a challenge awaits an answer.
fn beyond_challenge(a: &Assessment) -> Option<String> {
    let pending = a.answer_count - a.checkpoint_seen;
    if pending >= CHECKPOINT_EVERY || (a.is_completed() && pending > 0) {
        return Some(format!("/parcours/{}/point-etape?v={}", a.id, a.revision));
    }
    a.is_completed().then(|| finished_target(a))
}

/// Seconds of leeway after a timed challenge's time, for the page load and the network.
const TIMER_GRACE_SECONDS: i64 = 5;

/// « 1 min 30 s », « 45 s », « 2 min ».
fn seconds_label(secs: u64) -> String {
    match (secs / 60, secs % 60) {
        (0, s) => format!("{s} s"),
        (m, 0) => format!("{m} min"),
        (m, s) => format!("{m} min {s} s"),
    }
}

/// « Commencer » on a timed challenge's warning: its clock starts now, once.
async fn start_timed(
    State(state): State<AppState>,
    CurrentUser { user, .. }: CurrentUser,
    Path(id): Path<Uuid>,
    Form(form): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let challenge = form
        .iter()
        .find(|(k, _)| k == "challenge")
        .map(|(_, v)| v.as_str())
        .unwrap_or_default();
    let target = match state.store.start_challenge(id, user.id, challenge).await? {
        Some(a) => test_page(&a),
        None => format!("/parcours/{id}"),
    };
    Ok(see_other(&target))
}

fn finished_target(a: &Assessment) -> String {
    if a.is_campaign() {
        format!("/parcours/{}/resultats", a.id)
    } else {
        "/mon-profil".into()
    }
}

async fn challenge_page(
    state: &AppState,
    l: &Loaded,
    user: &acquis_store::User,
    session: &tower_sessions::Session,
    error: Option<String>,
    status: StatusCode,
) -> AppResult<Response> {
    let current = l.a.current_challenge.as_deref().unwrap_or_default();
    let c = l.catalog.challenge_index(current).ok_or_else(|| {
        AppError::Internal(anyhow::anyhow!("challenge {current} is not in the package"))
    })?;
    let info = &l.catalog.challenges[c as usize];
    let title = header_title(state, l).await?;
    let position = l.a.answer_count % CHECKPOINT_EVERY + 1;
    let deadline = match (info.timer, l.a.challenge_started_at) {
        (Some(secs), None) => {
            return page("app/timed.html", Some(user), session)
                .await
                .with("assessment", l.a.id)
                .with("title", title)
                .with("challenge", current)
                .with("duration", seconds_label(secs))
                .render();
        }
        (Some(secs), Some(started)) => Some(views::date_time_seconds(
            started + time::Duration::seconds(secs as i64),
        )),
        (None, _) => None,
    };
    let view = l
        .catalog
        .types
        .get(&info.kind)
        .ok_or_else(|| PluginError::Plugin(format!("type {} inconnu", info.kind)))
        .and_then(|plugin| {
            state
                .contents
                .host
                .render(plugin, &info.definition, "fr", render_seed(&l.a, c))
        })
        .and_then(|json| {
            serde_json::from_str::<serde_json::Value>(&json)
                .map_err(|e| PluginError::Plugin(e.to_string()))
        });
    let (view, neutralised) = match view {
        Ok(v) => (v, false),
        Err(e) => {
            tracing::warn!(challenge = current, error = %e, "challenge neutralised at render");
            (serde_json::Value::Null, true)
        }
    };
    let fields = fields_of(&view);
    page("app/challenge.html", Some(user), session)
        .await
        .with("assessment", l.a.id)
        .with("title", title)
        .with("challenge", current)
        .with("kind", &info.kind)
        .with("multiple", info.kind == "qcm")
        .with("instruction", &info.instruction_html)
        .with("choices", view.get("choices").cloned().unwrap_or_default())
        .with("fields", fields)
        .with("attachments", &info.attachments)
        .with("neutralised", neutralised)
        .with(
            "timer",
            deadline.map(
                |d| serde_json::json!({"duration": info.timer.map(seconds_label), "until": d}),
            ),
        )
        .with("position", position)
        .with("steps", (1..=CHECKPOINT_EVERY).collect::<Vec<_>>())
        .with("error", error)
        .status(status)
        .render()
}

/// QROC/QROCM view segments as template-friendly items: text and fields in order. Authors write
/// `<br>` for line breaks in proposals; they become real line breaks, any other markup stays text.
/// A field without its own accessible label takes the text just before it ("Unité 1 :").
pub fn fields_of(view: &serde_json::Value) -> Vec<serde_json::Value> {
    let Some(segments) = view.get("segments").and_then(|s| s.as_array()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut last_text = String::new();
    for s in segments {
        if let Some(text) = s.get("Text").and_then(|t| t.as_str()) {
            let text = text
                .replace("<br />", "\n")
                .replace("<br/>", "\n")
                .replace("<br>", "\n");
            last_text = text
                .rsplit('\n')
                .next()
                .unwrap_or_default()
                .trim()
                .trim_end_matches(':')
                .trim()
                .to_owned();
            out.push(serde_json::json!({"text": text}));
        } else if let Some(f) = s.get("Field") {
            let options = f
                .get("kind")
                .and_then(|k| k.get("Select"))
                .and_then(|s| s.get("options"))
                .cloned();
            let label = f
                .get("aria_label")
                .and_then(|l| l.as_str())
                .map(str::to_owned)
                .or_else(|| (!last_text.is_empty()).then(|| last_text.clone()));
            out.push(serde_json::json!({
                "key": f.get("key"),
                "placeholder": f.get("placeholder"),
                "label": label,
                "options": options,
            }));
            last_text.clear();
        }
    }
    out
}

/// The answer encoding of the challenge type from the submitted form, or `None` when empty.
pub fn encode_answer(kind: &str, form: &[(String, String)]) -> Option<String> {
    let mut answers = form
        .iter()
        .filter(|(k, _)| k == "answer")
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty());
    match kind {
        "qcu" => answers.next().map(str::to_owned),
        "qcm" => {
            let mut picked: Vec<u32> = answers.filter_map(|v| v.parse().ok()).collect();
            picked.sort_unstable();
            picked.dedup();
            (!picked.is_empty()).then(|| {
                picked
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(",")
            })
        }
        _ => {
            let fields: Vec<(&str, String)> = form
                .iter()
                .filter_map(|(k, v)| {
                    k.strip_prefix("f_")
                        .map(|key| (key, v.replace(['\r', '\n'], " ").trim().to_owned()))
                })
                .collect();
            if fields.is_empty() || fields.iter().any(|(_, v)| v.is_empty()) {
                return None;
            }
            if kind == "qroc" {
                Some(fields[0].1.clone())
            } else {
                Some(
                    fields
                        .iter()
                        .map(|(k, v)| format!("{k}: {v}"))
                        .collect::<Vec<_>>()
                        .join("\n"),
                )
            }
        }
    }
}

pub fn verdict_result(v: Verdict) -> &'static str {
    match v {
        Verdict::Ok => "ok",
        Verdict::Ko => "ko",
        Verdict::Partially => "partially",
    }
}

async fn answer(
    State(state): State<AppState>,
    CurrentUser { user, session }: CurrentUser,
    Path(id): Path<Uuid>,
    Form(form): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    // The read, the answered list and the write share one pooled connection; it is released
    // before anything that may need a second one (a catalog to load, « Je retente »'s tenant
    // read, the error page's header).
    let mut held = state.store.hold().await?;
    // From this server's copies of the assessment and the knowledge first, then from the
    // database when a copy turns out stale: another app server, or another test of the same
    // student, wrote since. Only the student's own requests race here, so two reads suffice.
    for reuse in [true, false, false] {
        let answered = answer_from(&state, &mut held, &user, &session, id, &form, reuse).await?;
        if let Some(response) = answered {
            return Ok(response);
        }
    }
    Ok(see_other(&format!("/parcours/{id}")))
}

/// One attempt at recording an answer; `None` when the state it worked from was stale.
async fn answer_from(
    state: &AppState,
    held: &mut acquis_store::Held,
    user: &acquis_store::User,
    session: &tower_sessions::Session,
    id: Uuid,
    form: &[(String, String)],
    reuse: bool,
) -> AppResult<Option<Response>> {
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    };
    let (a, known) = state
        .store
        .answer_state(held, id, user.id, reuse)
        .await?
        .ok_or(AppError::NotFound)?;
    let catalog = match state.contents.loaded_catalog(&a.package_digest).await {
        Some(catalog) => catalog,
        None => {
            held.release();
            state.contents.catalog(&a.package_digest).await?
        }
    };
    let l = Loaded { a, catalog };
    let challenge = field("challenge");
    // Already answered (double submit, other tab, refresh), or a timed challenge answered
    // without its clock started (never shown): show where the test is now. A copy may only be
    // behind, so it is read again first.
    let c = l.catalog.challenge_index(challenge);
    let shown = !l.a.is_completed()
        && l.a.current_challenge.as_deref() == Some(challenge)
        && c.is_some_and(|c| {
            l.catalog.challenges[c as usize].timer.is_none() || l.a.challenge_started_at.is_some()
        });
    if !shown {
        return Ok((!reuse).then(|| see_other(&format!("/parcours/{id}"))));
    }
    let c = c.ok_or(AppError::NotFound)?;
    let info = &l.catalog.challenges[c as usize];
    let timed_out = match (info.timer, l.a.challenge_started_at) {
        (Some(secs), Some(started)) => {
            time::OffsetDateTime::now_utc()
                > started + time::Duration::seconds(secs as i64 + TIMER_GRACE_SECONDS)
        }
        _ => false,
    };
    let (value, result, notice) = match field("action") {
        "passer" => (SKIP.to_owned(), "aband", None),
        "neutraliser" => (String::new(), "neutralised", None),
        _ => {
            let Some(value) = encode_answer(&info.kind, form) else {
                // The page asks again for the challenge as the database has it.
                if reuse {
                    return Ok(None);
                }
                held.release();
                return challenge_page(
                    state,
                    &l,
                    user,
                    session,
                    Some(t("challenge-answer-missing")),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
                .map(Some);
            };
            let scored = l
                .catalog
                .types
                .get(&info.kind)
                .ok_or_else(|| PluginError::Plugin(format!("type {} inconnu", info.kind)))
                .and_then(|plugin| state.contents.host.score(plugin, &info.definition, &value));
            match scored {
                // Too late: the answer is kept, it does not count as a success.
                Ok(_) if timed_out => (value, "ko", Some("challenge-timed-out")),
                Ok(s) => (value, verdict_result(s.verdict), None),
                Err(e) => {
                    tracing::warn!(challenge, error = %e, "challenge neutralised at scoring");
                    (value, "neutralised", Some("challenge-neutralised"))
                }
            }
        }
    };
    let goal = l.goal()?;
    // This server's parse when it has one (the write checks its version), else the read's,
    // else one read of the knowledge alone.
    let digest = &l.a.package_digest;
    let kept = match &known {
        Some(_) => None,
        None => state.contents.kept_knowledge(user.id, digest).await,
    };
    let stored = match kept {
        Some(kept) => kept,
        None => {
            let read = match known {
                Some(read) => read,
                None => state.store.stored_knowledge(held, user.id).await?,
            };
            let catalog = &l.catalog;
            state
                .contents
                .knowledge_of(user.id, digest, catalog, &read)
                .await
        }
    };
    if l.a.improving {
        held.release();
    }
    let mut working = working_knowledge(state, &l, &stored.knowledge).await?;
    let skill = l.catalog.skill_of(c);
    let at = time::OffsetDateTime::now_utc().unix_timestamp();
    let tube = l.catalog.bank.skill(skill).tube;
    let counted = result != "neutralised";
    if counted {
        working.record(&l.catalog.bank, &goal.target, skill, result == "ok", at);
    }
    let mut answered: Vec<ChallengeIdx> = state
        .store
        .with_answers(held, id, l.a.answer_count, |rows| {
            rows.iter()
                .filter_map(|r| l.catalog.challenge_index(&r.challenge_id))
                .collect()
        })
        .await?;
    answered.push(c);
    let step_seed = mix(l.a.seed as u64 ^ answered.len() as u64);
    let next =
        match l
            .catalog
            .next_challenge(&state.contents.host, goal, &working, &answered, step_seed)
        {
            Ok(n) => n,
            Err(e) => {
                // A failing selector plugin ends the test rather than blocking the student.
                tracing::warn!(error = %e, "item selector failed: the test ends");
                None
            }
        };
    let tube_state = (counted && goal.target.contains(skill)).then(|| {
        (
            l.catalog.bank.tubes[tube as usize].id.as_str(),
            l.catalog.tube_json(&working, tube),
        )
    });
    let wrote_tube = tube_state.is_some();
    let recorded = state
        .store
        .record_answer(
            held,
            &NewAnswer {
                assessment: &l.a,
                knowledge_version: stored.version,
                challenge_id: challenge,
                skill_id: Some(&l.catalog.bank.skill(skill).id),
                value: &value,
                result,
                timed_out: timed_out && result == "ko",
                tube: tube_state,
                next: next.map(|n| l.catalog.bank.challenges[n as usize].id.clone()),
            },
        )
        .await?;
    let Some(now) = recorded else {
        return Ok(None);
    };
    let written = wrote_tube.then(|| (tube, working.tube(tube)));
    state
        .contents
        .keep_knowledge(user.id, &stored, written)
        .await;
    if let Some(notice) = notice {
        flash(session, t(notice)).await?;
    }
    // Straight to the checkpoint or the end when this answer led there, sparing the browser a
    // request that would only redirect.
    let target = beyond_challenge(&now).unwrap_or_else(|| test_page(&now));
    Ok(Some(see_other(&target)))
}

/// A tutorial as the student's pages show it (checkpoint answers, « Mes tutos »).
#[derive(Serialize)]
pub(crate) struct TutorialView {
    id: String,
    title: String,
    source: String,
    format: String,
    duration: String,
    link: String,
    saved: bool,
}

impl TutorialView {
    pub(crate) fn new(tu: &crate::content::Tutorial, saved: bool) -> TutorialView {
        TutorialView {
            id: tu.id.clone(),
            title: tu.title.clone(),
            source: tu.source.clone(),
            format: tu.format.clone(),
            duration: duration_label(&tu.duration),
            link: tu.link.clone(),
            saved,
        }
    }
}

fn tutorials_of(catalog: &Catalog, skill: SkillIdx, saved: &[String]) -> Vec<TutorialView> {
    catalog.skill_tutorials[skill as usize]
        .iter()
        .map(|&i| {
            let tu = &catalog.tutorials[i];
            TutorialView::new(tu, saved.contains(&tu.id))
        })
        .collect()
}

/// `00:04:00` → "4 minutes".
fn duration_label(hms: &str) -> String {
    let parts: Vec<u32> = hms.split(':').filter_map(|p| p.parse().ok()).collect();
    let minutes = match parts.as_slice() {
        [h, m, s] => h * 60 + m + u32::from(*s >= 30),
        _ => 0,
    };
    crate::i18n::t_count("duration-minutes", minutes.max(1) as i64)
}

async fn checkpoint(
    State(state): State<AppState>,
    CurrentUser { user, session }: CurrentUser,
    Path(id): Path<Uuid>,
    Query(at): Query<Revision>,
) -> AppResult<Response> {
    let l = load_at(&state, id, user.id, &at).await?;
    let block = state
        .store
        .answers_between(id, l.a.checkpoint_seen, l.a.answer_count)
        .await?;
    if block.is_empty() {
        return Ok(see_other(&format!("/parcours/{id}")));
    }
    let saved = state.store.saved_tutorials(user.id).await?;
    let rows: Vec<_> = block
        .iter()
        .filter_map(|a| {
            let c = l.catalog.challenge_index(&a.challenge_id)?;
            let info = &l.catalog.challenges[c as usize];
            let skill = l.catalog.skill_of(c);
            Some(serde_json::json!({
                "seq": a.seq,
                "ok": a.result == "ok",
                "result": a.result,
                "result_label": t(&format!("answer-result-{}", a.result)),
                "instruction": &info.instruction_html,
                "summary": &info.summary,
                "answer": if a.result == "aband" { t("answer-none") } else { a.value.clone() },
                "solution": &info.solution_html,
                "tutorials": tutorials_of(&l.catalog, skill, &saved),
            }))
        })
        .collect();
    let title = header_title(&state, &l).await?;
    page("app/checkpoint.html", Some(&user), &session)
        .await
        .with("assessment", id)
        .with("title", title)
        .with("answers", rows)
        .with("answered", l.a.answer_count)
        .with("finished", l.a.is_completed())
        .render()
}

async fn continue_after_checkpoint(
    State(state): State<AppState>,
    CurrentUser { user, .. }: CurrentUser,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let a = state
        .store
        .see_checkpoint(id, user.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let target = beyond_challenge(&a).unwrap_or_else(|| test_page(&a));
    Ok(see_other(&target))
}

/// What the student sees at the end and what sending freezes for the establishment.
#[derive(Debug, Serialize)]
pub struct CampaignResults {
    pub mastery: u32,
    pub validated_skills: usize,
    pub target_skills: usize,
    pub pix: u32,
    pub competences: Vec<serde_json::Value>,
    pub stage_title: Option<String>,
    pub stage_message: Option<String>,
    /// Stars: stages reached beyond the first, out of the stages beyond the first.
    pub stage_reached: usize,
    pub stage_total: usize,
    pub badges: Vec<serde_json::Value>,
    pub failed: usize,
    /// The knowledge of the profile's tubes as it was when sent, stored per tube like
    /// `knowledge_states`, for the campaign's analysis.
    pub knowledge: Vec<(String, String)>,
}

pub fn campaign_results(catalog: &Catalog, goal: &Goal, k: &Knowledge) -> CampaignResults {
    let bank = &catalog.bank;
    let target = &goal.target;
    let mastery = scoring::mastery_percentage(bank, k, &target.skills);
    let validated_skills = k.validated_count(bank, &target.skills);
    let pix: f64 = target
        .skills
        .iter()
        .filter(|&&s| k.status(bank, s) == SkillStatus::Validated)
        .map(|&s| bank.skill(s).pix_value)
        .sum();
    // Skills of the profile and validated ones per competence, for exports by competence/area.
    let mut counts = vec![(0usize, 0usize); catalog.competences.len()];
    for &s in &target.skills {
        let c = &mut counts[bank.tube_of(s).competence as usize];
        c.0 += 1;
        if k.status(bank, s) == SkillStatus::Validated {
            c.1 += 1;
        }
    }
    let competences = scoring::mastery_by_competence(bank, k, target)
        .into_iter()
        .map(|(c, m)| {
            let info = &catalog.competences[c as usize];
            serde_json::json!({
                "code": info.code,
                "name": info.name,
                "area": catalog.areas[info.area].name,
                "mastery": m,
                "skills": counts[c as usize].0,
                "validated": counts[c as usize].1,
            })
        })
        .collect();
    let reached = scoring::reached_stages(bank, target, &goal.stages, k);
    let stage = reached.checked_sub(1).and_then(|i| goal.stages.get(i));
    let badges = goal
        .badges
        .iter()
        .filter(|b| scoring::badge(bank, target, &b.criteria, k).0)
        .map(|b| serde_json::json!({"key": b.key, "title": b.title, "message": b.message}))
        .collect();
    let failed = target
        .skills
        .iter()
        .filter(|&&s| k.status(bank, s) == SkillStatus::Invalidated)
        .count();
    let mut tubes: Vec<_> = target.skills.iter().map(|&s| bank.skill(s).tube).collect();
    tubes.sort_unstable();
    tubes.dedup();
    let knowledge = tubes
        .into_iter()
        .map(|t| (bank.tubes[t as usize].id.clone(), catalog.tube_json(k, t)))
        .collect();
    CampaignResults {
        knowledge,
        mastery,
        validated_skills,
        target_skills: target.len(),
        pix: pix.floor() as u32,
        competences,
        stage_title: stage.map(|s| s.title.clone()),
        stage_message: stage.map(|s| s.message.clone()),
        stage_reached: reached.saturating_sub(1),
        stage_total: goal.stages.len().saturating_sub(1),
        badges,
        failed,
    }
}

const RETRY_AFTER_DAYS: i64 = 4;

async fn results(
    State(state): State<AppState>,
    CurrentUser { user, session }: CurrentUser,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let l = load(&state, id, user.id).await?;
    if !l.is_campaign() {
        return Err(AppError::NotFound);
    }
    if !l.a.is_completed() {
        return Ok(see_other(&format!("/parcours/{id}")));
    }
    let (org, pid) = l.participation_ids()?;
    let mut tx = state
        .store
        .tenant_read(&participant_scope(org, user.id))
        .await?;
    let (participation, campaign) = participation_in(&mut tx, pid).await?;
    tx.commit().await?;
    let goal = l.goal()?;
    let shared = participation.is_shared();
    // Once sent, the student sees what was sent.
    let results: serde_json::Value = match (shared, participation.results.as_deref()) {
        (true, Some(r)) => serde_json::from_str(r).unwrap_or_default(),
        _ => {
            let k = l
                .catalog
                .knowledge(&state.store.knowledge_states(user.id).await?);
            serde_json::to_value(campaign_results(&l.catalog, goal, &k))
                .map_err(|e| AppError::Internal(e.into()))?
        }
    };
    let failed = results.get("failed").and_then(|f| f.as_u64()).unwrap_or(0);
    let mastery = results.get("mastery").and_then(|f| f.as_u64()).unwrap_or(0);
    let can_improve = !shared && !l.a.improving && failed > 0 && campaign.archived_at.is_none();
    let days_since = participation
        .shared_at
        .map(|s| (time::OffsetDateTime::now_utc() - s).whole_days());
    let can_restart = shared
        && campaign.multiple_sendings
        && campaign.archived_at.is_none()
        && mastery < 100
        && days_since.is_some_and(|d| d >= RETRY_AFTER_DAYS);
    page("app/results.html", Some(&user), &session)
        .await
        .with("assessment", id)
        .with(
            "title",
            campaign.title.clone().unwrap_or(campaign.name.clone()),
        )
        .with("organization", campaign_org_name(&state, org).await?)
        .with("results", results)
        .with("shared", shared)
        .with("shared_at", participation.shared_at.map(views::date_time))
        .with("can_share", !shared && campaign.archived_at.is_none())
        .with("can_improve", can_improve)
        .with("can_restart", can_restart)
        .with(
            "restart_in_days",
            (shared && campaign.multiple_sendings && mastery < 100)
                .then(|| RETRY_AFTER_DAYS - days_since.unwrap_or(0))
                .filter(|d| *d > 0),
        )
        .render()
}

async fn campaign_org_name(state: &AppState, org: Uuid) -> AppResult<String> {
    Ok(state
        .store
        .find_organization(acquis_tenants::TenantId(org))
        .await?
        .map(|o| o.name)
        .unwrap_or_default())
}

/// "J'envoie mes résultats": the results as they are now are frozen for the establishment.
async fn share(
    State(state): State<AppState>,
    CurrentUser { user, session }: CurrentUser,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let l = load(&state, id, user.id).await?;
    let (org, pid) = l.participation_ids()?;
    if !l.a.is_completed() {
        return Ok(see_other(&format!("/parcours/{id}")));
    }
    let goal = l.goal()?;
    let k = l
        .catalog
        .knowledge(&state.store.knowledge_states(user.id).await?);
    let r = campaign_results(&l.catalog, goal, &k);
    let mut tx = state
        .store
        .tenant_tx(&participant_scope(org, user.id))
        .await?;
    let (_, campaign) = participation_in(&mut tx, pid).await?;
    if campaign.archived_at.is_some() {
        return Err(AppError::Page {
            status: StatusCode::FORBIDDEN,
            title: t("campaign-archived-title"),
            message: t("campaign-archived-share"),
        });
    }
    let sent = tx
        .share_participation(
            pid,
            &SharedResults {
                mastery_percent: r.mastery as i32,
                validated_skills: r.validated_skills as i32,
                pix_score: r.pix as i32,
                results: serde_json::to_string(&r).map_err(|e| AppError::Internal(e.into()))?,
                stage: (r.stage_total > 0)
                    .then_some((r.stage_reached as i32, r.stage_total as i32)),
                analysis: Some(
                    serde_json::to_string(&crate::orga::analysis::digest(&l.catalog, goal, &k))
                        .map_err(|e| AppError::Internal(e.into()))?,
                ),
                certifiable: None,
                badges: r
                    .badges
                    .iter()
                    .filter_map(|b| b["key"].as_str().map(str::to_owned))
                    .collect(),
            },
        )
        .await?;
    tx.commit().await?;
    if sent {
        flash(&session, t("results-sent")).await?;
    }
    Ok(see_other(&format!("/parcours/{id}/resultats")))
}

/// "Je retente": before sending, a new assessment of the same participation asks again the
/// skills failed in it.
async fn retry(
    State(state): State<AppState>,
    CurrentUser { user, .. }: CurrentUser,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let l = load(&state, id, user.id).await?;
    let (org, pid) = l.participation_ids()?;
    if !l.a.is_completed() || l.a.improving {
        return Ok(see_other(&format!("/parcours/{id}")));
    }
    let mut tx = state
        .store
        .tenant_read(&participant_scope(org, user.id))
        .await?;
    let participation = tx.participation(pid).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    if participation.is_shared() {
        return Ok(see_other(&format!("/parcours/{id}/resultats")));
    }
    // The latest assessment is the one to continue: a second click lands on the retry.
    if let Some(latest) = state.store.participation_assessment(pid, user.id).await?
        && latest.id != id
    {
        return Ok(see_other(&format!("/parcours/{}", latest.id)));
    }
    let goal = l.goal()?;
    let stored = l
        .catalog
        .knowledge(&state.store.knowledge_states(user.id).await?);
    let now = time::OffsetDateTime::now_utc().unix_timestamp() + 1;
    let from = participation.created_at.unix_timestamp();
    let working = stored
        .for_improvement(now)
        .forgetting_failures(|at| at >= from && at < now);
    let (seed, first) = l
        .catalog
        .first_challenge(&state.contents.host, goal, &working)
        .map_err(|e| AppError::Internal(e.into()))?;
    let mut tx = state.store.begin().await?;
    let new_id = tx
        .start_assessment(&NewAssessment {
            user_id: user.id,
            kind: "CAMPAIGN",
            organization_id: Some(org),
            participation_id: Some(pid),
            package_digest: l.a.package_digest.clone(),
            target_key: l.a.target_key.clone(),
            seed,
            improving: true,
            first_challenge: first,
        })
        .await?;
    tx.commit().await?;
    Ok(see_other(&format!("/parcours/{new_id}")))
}

/// After sending, with multiple sendings: a new participation (the old one is kept, superseded).
async fn restart(
    State(state): State<AppState>,
    CurrentUser { user, .. }: CurrentUser,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let l = load(&state, id, user.id).await?;
    let (org, pid) = l.participation_ids()?;
    let mut tx = state
        .store
        .tenant_tx(&participant_scope(org, user.id))
        .await?;
    let (participation, campaign) = participation_in(&mut tx, pid).await?;
    let allowed = participation.is_shared()
        && campaign.multiple_sendings
        && campaign.archived_at.is_none()
        && participation.mastery_percent.unwrap_or(0) < 100
        && participation.shared_at.is_some_and(|s| {
            (time::OffsetDateTime::now_utc() - s).whole_days() >= RETRY_AFTER_DAYS
        });
    if !allowed {
        return Ok(see_other(&format!("/parcours/{id}/resultats")));
    }
    let goal = l.goal()?;
    let stored = l
        .catalog
        .knowledge(&state.store.knowledge_states(user.id).await?);
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let working = stored.for_improvement(now);
    let (seed, first) = l
        .catalog
        .first_challenge(&state.contents.host, goal, &working)
        .map_err(|e| AppError::Internal(e.into()))?;
    let new_pid = tx.supersede_participation(&participation).await?;
    let new_id = tx
        .start_assessment(&NewAssessment {
            user_id: user.id,
            kind: "CAMPAIGN",
            organization_id: Some(org),
            participation_id: Some(new_pid),
            package_digest: l.a.package_digest.clone(),
            target_key: l.a.target_key.clone(),
            seed,
            improving: false,
            first_challenge: first,
        })
        .await?;
    tx.commit().await?;
    Ok(see_other(&format!("/parcours/{new_id}")))
}

#[derive(serde::Deserialize)]
struct ReportForm {
    challenge: String,
    #[serde(default)]
    comment: String,
}

/// "Signaler un problème": kept for operators; the test goes on.
async fn report(
    State(state): State<AppState>,
    CurrentUser { user, session }: CurrentUser,
    Path(id): Path<Uuid>,
    Form(form): Form<ReportForm>,
) -> AppResult<Response> {
    let l = load(&state, id, user.id).await?;
    if l.catalog.challenge_index(&form.challenge).is_none() {
        return Err(AppError::NotFound);
    }
    let comment = form.comment.trim();
    if comment.is_empty() || comment.chars().count() > 2000 {
        flash(&session, t("report-empty")).await?;
        return Ok(see_other(&format!("/parcours/{id}")));
    }
    state
        .store
        .report_challenge(user.id, id, &form.challenge, comment)
        .await?;
    flash(&session, t("report-thanks")).await?;
    Ok(see_other(&format!("/parcours/{id}")))
}

async fn attachment(
    State(state): State<AppState>,
    CurrentUser { user, .. }: CurrentUser,
    Path((id, path)): Path<(Uuid, String)>,
) -> AppResult<Response> {
    let l = load(&state, id, user.id).await?;
    let bytes = l.catalog.assets.get(&path).ok_or(AppError::NotFound)?;
    Ok(attachment_response(&path, bytes.clone()))
}

/// A package asset as a download, typed by its extension.
pub fn attachment_response(path: &str, bytes: Vec<u8>) -> Response {
    let name = path.rsplit('/').next().unwrap_or("piece-jointe");
    let mime = match name.rsplit('.').next().unwrap_or_default() {
        "csv" => "text/csv; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "pdf" => "application/pdf",
        "odt" => "application/vnd.oasis.opendocument.text",
        "ods" => "application/vnd.oasis.opendocument.spreadsheet",
        _ => "application/octet-stream",
    };
    (
        [
            (header::CONTENT_TYPE, mime.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", name.replace('"', "")),
            ),
        ],
        bytes,
    )
        .into_response()
}
