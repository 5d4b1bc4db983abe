//! "Mon profil" (16 competences, levels, pix, certifiability), training one competence, and
//! "Mes tutos".

use acquis_engine::scoring::{self, DEFAULT_MAX_LEVEL};
use acquis_store::NewAssessment;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::session::{CurrentUser, flash};
use crate::error::{AppError, AppResult, see_other};
use crate::i18n::t;
use crate::{AppState, page};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/mon-profil", get(show))
        .route("/mon-profil/competences/{code}", post(train))
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
    let profile = scoring::profile(&catalog.bank, &knowledge, DEFAULT_MAX_LEVEL);
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
    Ok(ProfileSummary {
        areas,
        total_pix: profile.total_pix,
        max_pix: 8 * DEFAULT_MAX_LEVEL * catalog.bank.competences.len() as u32,
        certifiable: profile.certifiable,
        certifiable_competences: profile.competences.iter().filter(|c| c.level >= 1).count(),
        validated_skills: knowledge.validated_count(&catalog.bank, &all),
    })
}

async fn show(
    State(state): State<AppState>,
    CurrentUser { user, session }: CurrentUser,
) -> AppResult<Response> {
    let summary = summary(&state, user.id).await?;
    page("app/profile.html", Some(&user), &session)
        .await
        .with("profile", summary)
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

async fn tutorials(
    State(state): State<AppState>,
    CurrentUser { user, session }: CurrentUser,
) -> AppResult<Response> {
    let catalog = state.contents.builtin().await?;
    let saved: Vec<_> = state
        .store
        .saved_tutorials(user.id)
        .await?
        .iter()
        .filter_map(|id| catalog.tutorial(id).cloned())
        .collect();
    page("app/tutorials.html", Some(&user), &session)
        .await
        .with("tutorials", saved)
        .render()
}

#[derive(Deserialize)]
struct SaveForm {
    /// `enregistrer` or `retirer`.
    action: String,
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
    let save = form.action == "enregistrer";
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
