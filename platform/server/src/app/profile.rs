//! "Mon profil" (16 competences, levels, pix, certifiability), training one competence, and
//! "Mes tutos".

use std::collections::HashMap;
use std::sync::Arc;

use crate::form::{Form, Path};
use acquis_engine::content::CompetenceIdx;
use acquis_engine::knowledge::Knowledge;
use acquis_engine::scoring::{self, DEFAULT_MAX_LEVEL};
use acquis_store::NewAssessment;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use super::assessment::TutorialView;
use crate::auth::session::{CurrentUser, flash};
use crate::content::Catalog;
use crate::error::{AppError, AppResult, see_other};
use crate::i18n::{t, t_args};
use crate::{AppState, page};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/mon-profil", get(show))
        .route("/mon-profil/competences/{code}", post(train))
        .route(
            "/mon-profil/competences/{code}/remise-a-zero",
            get(reset_form).post(reset),
        )
        .route("/mes-tutos", get(tutorials))
        .route("/mes-tutos/{id}", post(save_tutorial))
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CompetenceLine {
    pub code: String,
    pub name: String,
    pub level: u32,
    pub pix: u32,
    /// Progress towards the next level, in percent.
    pub progress: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AreaLines {
    pub code: String,
    pub name: String,
    pub competences: Vec<CompetenceLine>,
}

/// The student's profile as shown and as sent to an establishment.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProfileSummary {
    pub areas: Vec<AreaLines>,
    pub total_pix: u32,
    pub max_pix: u32,
    pub certifiable: bool,
    pub certifiable_competences: usize,
    pub validated_skills: usize,
}

pub async fn summary(state: &AppState, user: Uuid) -> AppResult<ProfileSummary> {
    let catalog = state.contents.builtin().await?;
    let knowledge = catalog.knowledge(&state.store.knowledge_states(user).await?);
    Ok(summary_of(&catalog, &knowledge))
}

fn summary_of(catalog: &Catalog, knowledge: &Knowledge) -> ProfileSummary {
    let profile = scoring::profile(&catalog.bank, knowledge, DEFAULT_MAX_LEVEL);
    let areas = catalog
        .areas
        .iter()
        .map(|a| AreaLines {
            code: a.code.clone(),
            name: a.name.clone(),
            competences: a
                .competences
                .iter()
                .map(|&c| {
                    let s = &profile.competences[c as usize];
                    let info = &catalog.competences[c as usize];
                    CompetenceLine {
                        code: info.code.clone(),
                        name: info.name.clone(),
                        level: s.level,
                        pix: s.pix,
                        progress: (100 * s.pix_ahead / 8).min(100),
                    }
                })
                .collect(),
        })
        .collect();
    let all: Vec<u32> = (0..catalog.bank.skills.len() as u32).collect();
    ProfileSummary {
        areas,
        total_pix: profile.total_pix,
        max_pix: 8 * DEFAULT_MAX_LEVEL * catalog.bank.competences.len() as u32,
        certifiable: profile.certifiable,
        certifiable_competences: profile.competences.iter().filter(|c| c.level >= 1).count(),
        validated_skills: knowledge.validated_count(&catalog.bank, &all),
    }
}

/// A competence can be reset this many days after the student's last answer on it.
pub const DAYS_BEFORE_RESET: i64 = 7;

/// Whether a competence can be reset now: `None` when nothing was answered on it, else the
/// first instant it can.
fn reset_from(catalog: &Catalog, knowledge: &Knowledge, c: usize) -> Option<OffsetDateTime> {
    let last = knowledge.last_answer_in(&catalog.bank, c as CompetenceIdx)?;
    let last = OffsetDateTime::from_unix_timestamp(last).ok()?;
    Some(last + time::Duration::days(DAYS_BEFORE_RESET))
}

/// For each answered competence, by code: whether it can be reset now, or from which day.
fn reset_states(catalog: &Catalog, knowledge: &Knowledge) -> HashMap<String, serde_json::Value> {
    let now = OffsetDateTime::now_utc();
    (0..catalog.competences.len())
        .filter_map(|c| {
            let from = reset_from(catalog, knowledge, c)?;
            Some((
                catalog.competences[c].code.clone(),
                serde_json::json!({
                    "possible": from <= now,
                    "from": crate::views::day(crate::views::paris_day(from)),
                }),
            ))
        })
        .collect()
}

async fn show(
    State(state): State<AppState>,
    CurrentUser { user, session }: CurrentUser,
) -> AppResult<Response> {
    let catalog = state.contents.builtin().await?;
    let knowledge = catalog.knowledge(&state.store.knowledge_states(user.id).await?);
    page("app/profile.html", Some(&user), &session)
        .await
        .with("profile", summary_of(&catalog, &knowledge))
        .with("resets", reset_states(&catalog, &knowledge))
        .with("courses", super::my_courses(&state, &user).await?)
        .render()
}

/// Trains one competence over all its skills with the same engine; resumes an unfinished one.
async fn train(
    State(state): State<AppState>,
    CurrentUser { user, .. }: CurrentUser,
    Path(code): Path<String>,
) -> AppResult<Response> {
    let catalog = state.contents.builtin().await?;
    let goal = catalog
        .goal("COMPETENCE", &code)
        .ok_or(AppError::NotFound)?;
    if let Some(a) = state.store.open_training(user.id, &code).await? {
        return Ok(see_other(&format!("/parcours/{a}")));
    }
    let knowledge = catalog.knowledge(&state.store.knowledge_states(user.id).await?);
    let (seed, first) = catalog
        .first_challenge(&state.contents.host, goal, &knowledge)
        .map_err(|e| AppError::Internal(e.into()))?;
    let mut tx = state.store.begin().await?;
    let id = tx
        .start_assessment(&NewAssessment {
            user_id: user.id,
            kind: "COMPETENCE",
            organization_id: None,
            participation_id: None,
            package_digest: catalog.digest.clone(),
            target_key: code,
            seed,
            improving: false,
            first_challenge: first,
        })
        .await?;
    tx.commit().await?;
    Ok(see_other(&format!("/parcours/{id}")))
}

/// A competence the student asks to reset: its index and name, and whether it can be reset now
/// (else the French reason).
async fn reset_check(
    state: &AppState,
    user: Uuid,
    code: &str,
) -> AppResult<(Arc<Catalog>, usize, Result<(), String>)> {
    let catalog = state.contents.builtin().await?;
    let c = catalog
        .competences
        .iter()
        .position(|c| c.code == code)
        .ok_or(AppError::NotFound)?;
    let knowledge = catalog.knowledge(&state.store.knowledge_states(user).await?);
    let verdict = match reset_from(&catalog, &knowledge, c) {
        None => Err(t("competence-reset-nothing")),
        Some(from) if from <= OffsetDateTime::now_utc() => Ok(()),
        Some(from) => Err(t_args(
            "competence-reset-too-early",
            &[("date", &crate::views::day(crate::views::paris_day(from)))],
        )),
    };
    Ok((catalog, c, verdict))
}

async fn reset_page(
    user: &acquis_store::User,
    session: &tower_sessions::Session,
    code: &str,
    name: &str,
    refused: Option<String>,
    status: StatusCode,
) -> AppResult<Response> {
    page("app/reset.html", Some(user), session)
        .await
        .with("code", code)
        .with("name", name)
        .with("refused", refused)
        .status(status)
        .render()
}

async fn reset_form(
    State(state): State<AppState>,
    CurrentUser { user, session }: CurrentUser,
    Path(code): Path<String>,
) -> AppResult<Response> {
    let (catalog, c, verdict) = reset_check(&state, user.id, &code).await?;
    let name = &catalog.competences[c].name;
    reset_page(&user, &session, &code, name, verdict.err(), StatusCode::OK).await
}

/// Resets a competence, 7 days after the last answer on it: its tubes' knowledge is forgotten
/// (level and pix back to zero), an open training on it is closed, and campaigns in progress
/// that assess it will ask its skills again (they read the same knowledge).
async fn reset(
    State(state): State<AppState>,
    CurrentUser { user, session }: CurrentUser,
    Path(code): Path<String>,
) -> AppResult<Response> {
    let (catalog, c, verdict) = reset_check(&state, user.id, &code).await?;
    let name = &catalog.competences[c].name;
    if let Err(refused) = verdict {
        return reset_page(
            &user,
            &session,
            &code,
            name,
            Some(refused),
            StatusCode::CONFLICT,
        )
        .await;
    }
    let tubes: Vec<String> = catalog.bank.competences[c]
        .tubes
        .iter()
        .map(|&t| catalog.bank.tubes[t as usize].id.clone())
        .collect();
    state.store.reset_competence(user.id, &code, &tubes).await?;
    state.contents.forget_knowledge(user.id).await;
    tracing::info!(user = %user.id, competence = %code, "competence reset");
    flash(&session, t_args("competence-reset-done", &[("name", name)])).await?;
    Ok(see_other("/mon-profil"))
}

#[derive(Deserialize, Default)]
struct TutorialsQuery {
    onglet: Option<String>,
}

/// « Mes tutos »: « Recommandés » — the tutorials of the skills the student failed directly, the
/// most recent failure first (the reference's rule) — and « Enregistrés ».
async fn tutorials(
    State(state): State<AppState>,
    CurrentUser { user, session }: CurrentUser,
    crate::form::Query(q): crate::form::Query<TutorialsQuery>,
) -> AppResult<Response> {
    let catalog = state.contents.builtin().await?;
    let saved_ids = state.store.saved_tutorials(user.id).await?;
    let saved_tab = q.onglet.as_deref() == Some("enregistres");
    let list: Vec<TutorialView> = if saved_tab {
        saved_ids
            .iter()
            .filter_map(|id| catalog.tutorial(id))
            .map(|tu| TutorialView::new(tu, true))
            .collect()
    } else {
        let knowledge = catalog.knowledge(&state.store.knowledge_states(user.id).await?);
        let mut failures: Vec<(i64, u32)> = knowledge
            .tubes
            .iter()
            .flat_map(|t| &t.direct)
            .filter(|d| !d.validated)
            .map(|d| (d.at, d.skill))
            .collect();
        failures.sort_by(|a, b| b.cmp(a));
        let mut seen = std::collections::HashSet::new();
        failures
            .iter()
            .flat_map(|(_, skill)| &catalog.skill_tutorials[*skill as usize])
            .filter(|&&i| seen.insert(i))
            .map(|&i| {
                let tu = &catalog.tutorials[i];
                TutorialView::new(tu, saved_ids.contains(&tu.id))
            })
            .collect()
    };
    page("app/tutorials.html", Some(&user), &session)
        .await
        .with(
            "tab",
            if saved_tab {
                "enregistres"
            } else {
                "recommandes"
            },
        )
        .with("tutorials", list)
        .with(
            "back",
            if saved_tab {
                "/mes-tutos?onglet=enregistres"
            } else {
                "/mes-tutos"
            },
        )
        .render()
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
enum TutorialAction {
    #[serde(rename = "enregistrer")]
    Save,
    #[serde(rename = "retirer")]
    Remove,
}

#[derive(Deserialize)]
struct SaveForm {
    action: TutorialAction,
    #[serde(default)]
    back: Option<String>,
}

async fn save_tutorial(
    State(state): State<AppState>,
    CurrentUser { user, session }: CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<SaveForm>,
) -> AppResult<Response> {
    let catalog = state.contents.builtin().await?;
    if catalog.tutorial(&id).is_none() {
        return Err(AppError::NotFound);
    }
    let save = form.action == TutorialAction::Save;
    state.store.save_tutorial(user.id, &id, save).await?;
    flash(
        &session,
        t(if save {
            "tutorial-saved"
        } else {
            "tutorial-removed"
        }),
    )
    .await?;
    let back = crate::auth::session::safe_next(form.back.as_deref())
        .unwrap_or_else(|| "/mes-tutos".into());
    Ok(see_other(&back))
}
