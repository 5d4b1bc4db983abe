//! Joining a campaign with its code: landing page, rules, external id, start; profile sending.

use crate::form::{Form, Path};
use crate::throttle::{self, Client, Counter};
use acquis_store::{Campaign, CampaignKind, NewAssessment, SharedResults};
use acquis_tenants::{TenantId, TenantScope, is_valid_email, normalize_campaign_code};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::session::{CurrentUser, MaybeUser, flash};
use crate::error::{AppError, AppResult, see_other, urlencode};
use crate::i18n::{t, t_args};
use crate::{AppState, page, views};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/campagnes", post(enter_code))
        .route("/campagnes/{code}", get(landing))
        .route("/campagnes/{code}/parcours", get(entry).post(start))
        .route("/campagnes/{code}/envoyer-profil", post(send_profile))
}

/// A campaign found by its code, with its establishment.
pub struct Found {
    pub campaign: Campaign,
    pub org_name: String,
    pub scope: TenantScope,
    /// Only the establishment's imported students may join, once reconciled.
    pub manages_students: bool,
    pub org_uai: String,
    /// The provider its students sign in with ("Se connecter avec l'ENT").
    pub identity_provider: Option<Uuid>,
}

fn unknown_code() -> AppError {
    AppError::Page {
        status: StatusCode::NOT_FOUND,
        title: t("campaign-unknown-title"),
        message: t("campaign-unknown"),
    }
}

pub async fn find(state: &AppState, code: &str, user: Option<Uuid>) -> AppResult<Found> {
    let code = normalize_campaign_code(code);
    let (tenant, id) = state
        .store
        .campaign_code(&code)
        .await?
        .ok_or_else(unknown_code)?;
    let org = state
        .store
        .find_organization(tenant)
        .await?
        .ok_or_else(unknown_code)?;
    let scope = TenantScope::for_participant(tenant, user);
    let mut tx = state.store.tenant_read(&scope).await?;
    let campaign = tx.campaign(id).await?.ok_or_else(unknown_code)?;
    tx.commit().await?;
    if org.archived_at.is_some() {
        return Err(unknown_code());
    }
    Ok(Found {
        campaign,
        org_name: org.name,
        scope,
        manages_students: org.manages_students,
        org_uai: org.uai,
        identity_provider: org.identity_provider_id,
    })
}

#[derive(Deserialize)]
struct CodeForm {
    #[serde(default)]
    code: acquis_input::Text<acquis_input::Line>,
}

async fn enter_code(
    State(state): State<AppState>,
    MaybeUser { user, session }: MaybeUser,
    client: Client,
    Form(form): Form<CodeForm>,
) -> AppResult<Response> {
    let code = normalize_campaign_code(&form.code);
    let error = if code.is_empty() {
        Some(t("code-empty"))
    } else if state.store.campaign_code(&code).await?.is_none() {
        Some(t("campaign-unknown"))
    } else {
        None
    };
    if let Some(error) = error {
        if !code.is_empty() {
            // Counted as the code guard counts a page not found (this page answers 422).
            throttle::failed(&state, Counter::CodePerClient, &client.0).await?;
        }
        return super::home_page(&state, user.as_ref(), &session)
            .await?
            .with("code_error", error)
            .with("code", form.code.trim())
            .status(StatusCode::UNPROCESSABLE_ENTITY)
            .render();
    }
    Ok(see_other(&format!("/campagnes/{}", urlencode(&code))))
}

pub fn campaign_json(found: &Found) -> serde_json::Value {
    let c = &found.campaign;
    serde_json::json!({
        "code": c.code,
        "name": c.name,
        "title": c.title,
        "landing_text": c.landing_text,
        "is_profiles": c.kind() == CampaignKind::ProfilesCollection,
        "organization": found.org_name,
        "archived": c.archived_at.is_some(),
        "external_id_label": c.external_id_label,
        "external_id_type": c.external_id_type,
        "multiple_sendings": c.multiple_sendings,
        "manages_students": found.manages_students,
    })
}

async fn landing(
    State(state): State<AppState>,
    MaybeUser { user, session }: MaybeUser,
    Path(code): Path<String>,
) -> AppResult<Response> {
    let found = find(&state, &code, user.as_ref().map(|u| u.id)).await?;
    let mut joined = false;
    if let Some(u) = &user {
        let mut tx = state.store.tenant_read(&found.scope).await?;
        joined = tx
            .participation_of(found.campaign.id, u.id)
            .await?
            .is_some();
        tx.commit().await?;
    }
    page("app/landing.html", user.as_ref(), &session)
        .await
        .with("campaign", campaign_json(&found))
        .with("joined", joined)
        .with(
            "sso",
            match &user {
                None => crate::auth::sso::campaign_button(&state, &found).await?,
                Some(_) => None,
            },
        )
        .render()
}

/// A student already linked in another establishment, arriving in one that imports its
/// students: linked at once to the active student with the same INE and birth date here (the
/// account's most recent link), rather than asked « Qui êtes-vous ? ». Returns whether it did.
async fn associate_by_ine(state: &AppState, found: &Found, user_id: Uuid) -> AppResult<bool> {
    let mut tx = state.store.tenant_tx(&found.scope).await?;
    let Some((ine, birthdate)) = tx.latest_ine_link_of_user().await? else {
        return Ok(false);
    };
    let Some(learner) = tx.unlinked_learner_by_ine(&ine).await? else {
        return Ok(false);
    };
    if learner.birthdate != Some(birthdate) || !tx.link_learner(learner.id, user_id).await? {
        return Ok(false);
    }
    tx.audit(
        "learner.linked_by_ine",
        Some(&learner.id.to_string()),
        Some(&format!("{} {}", learner.first_name, learner.last_name)),
    )
    .await?;
    tx.commit().await?;
    tracing::info!(user = %user_id, learner = %learner.id, "student recognised by INE");
    Ok(true)
}

/// Where a signed-in student goes for this campaign: the rules page (or the profile to send)
/// before joining, their test or results after.
async fn entry(
    State(state): State<AppState>,
    CurrentUser { user, session }: CurrentUser,
    Path(code): Path<String>,
) -> AppResult<Response> {
    let found = find(&state, &code, Some(user.id)).await?;
    let mut tx = state.store.tenant_read(&found.scope).await?;
    let participation = tx.participation_of(found.campaign.id, user.id).await?;
    let learner = if found.manages_students && participation.is_none() {
        Some(tx.learner_of_user(user.id).await?)
    } else {
        None
    };
    let was_deleted =
        participation.is_none() && tx.participation_deleted(found.campaign.id, user.id).await?;
    tx.commit().await?;
    if was_deleted {
        return Err(deleted());
    }
    match learner {
        Some(None) if !associate_by_ine(&state, &found, user.id).await? => {
            return Ok(see_other(&reconcile_path(&found)));
        }
        Some(Some(l)) if l.disabled => return Err(super::reconcile::not_allowed()),
        _ => {}
    }
    match found.campaign.kind() {
        CampaignKind::Assessment => {
            if let Some(p) = participation
                && let Some(a) = state.store.participation_assessment(p.id, user.id).await?
            {
                return Ok(see_other(&format!("/parcours/{}", a.id)));
            }
            if found.campaign.archived_at.is_some() {
                return Err(archived());
            }
            page("app/rules.html", Some(&user), &session)
                .await
                .with("campaign", campaign_json(&found))
                .render()
        }
        CampaignKind::ProfilesCollection => {
            profile_page(&state, &user, &session, &found, participation, None, None).await
        }
    }
}

/// A campaign a signed-in student may still act on: of the expected kind (otherwise back to its
/// entry page) and not archived.
async fn find_open(
    state: &AppState,
    code: &str,
    user: Uuid,
    kind: CampaignKind,
) -> AppResult<Found> {
    let found = find(state, code, Some(user)).await?;
    if found.campaign.kind() != kind {
        return Err(AppError::Redirect(format!(
            "/campagnes/{}/parcours",
            found.campaign.code
        )));
    }
    if found.campaign.archived_at.is_some() {
        return Err(archived());
    }
    Ok(found)
}

/// Staff deleted this student's participation: no new one, no sending.
pub fn deleted() -> AppError {
    AppError::Page {
        status: StatusCode::FORBIDDEN,
        title: t("participation-deleted-title"),
        message: t("participation-deleted"),
    }
}

pub fn archived() -> AppError {
    AppError::Page {
        status: StatusCode::FORBIDDEN,
        title: t("campaign-archived-title"),
        message: t("campaign-archived-student"),
    }
}

#[derive(Deserialize, Default)]
struct StartForm {
    #[serde(default)]
    external_id: acquis_input::Text<acquis_input::Line>,
}

/// Checks the external id a campaign asks for; `Err` carries the French message.
fn check_external_id(campaign: &Campaign, raw: &str) -> Result<Option<String>, String> {
    let Some(label) = &campaign.external_id_label else {
        return Ok(None);
    };
    let v = raw.trim();
    if v.is_empty() {
        return Err(t_args("external-id-missing", &[("label", label)]));
    }
    if v.chars().count() > 255 {
        return Err(t("campaign-error-too-long"));
    }
    if campaign.external_id_type.as_deref() == Some("EMAIL") && !is_valid_email(v) {
        return Err(t_args("external-id-email", &[("label", label)]));
    }
    Ok(Some(v.to_owned()))
}

async fn start(
    State(state): State<AppState>,
    CurrentUser { user, session }: CurrentUser,
    Path(code): Path<String>,
    Form(form): Form<StartForm>,
) -> AppResult<Response> {
    let found = find_open(&state, &code, user.id, CampaignKind::Assessment).await?;
    let external_id = match check_external_id(&found.campaign, &form.external_id) {
        Ok(v) => v,
        Err(e) => {
            return page("app/rules.html", Some(&user), &session)
                .await
                .with("campaign", campaign_json(&found))
                .with("external_id", form.external_id.trim())
                .with("external_id_error", e)
                .status(StatusCode::UNPROCESSABLE_ENTITY)
                .render();
        }
    };
    let tp_id = found.campaign.target_profile_id.ok_or_else(|| {
        AppError::Internal(anyhow::anyhow!("assessment campaign without profile"))
    })?;
    let tp = state
        .store
        .target_profile(tp_id)
        .await?
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("target profile {tp_id} is gone")))?;
    let catalog = state.contents.catalog(&tp.package_digest).await?;
    let goal = catalog
        .profile(&tp.profile_key)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("profile {} missing", tp.profile_key)))?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let stored = catalog.knowledge(&state.store.knowledge_states(user.id).await?);
    let working = stored.for_improvement(now);
    let (seed, first) = catalog
        .first_challenge(&state.contents.host, goal, &working)
        .map_err(|e| AppError::Internal(e.into()))?;

    let mut tx = state.store.tenant_tx(&found.scope).await?;
    if tx.participation_deleted(found.campaign.id, user.id).await? {
        return Err(deleted());
    }
    // A double click or a second tab: the participation exists, go to it.
    if let Some(p) = tx.participation_of(found.campaign.id, user.id).await? {
        drop(tx);
        if let Some(a) = state.store.participation_assessment(p.id, user.id).await? {
            return Ok(see_other(&format!("/parcours/{}", a.id)));
        }
        return Ok(see_other(&format!(
            "/campagnes/{}/parcours",
            found.campaign.code
        )));
    }
    let Some(learner) = tx
        .participant_learner(user.id, found.manages_students)
        .await?
    else {
        drop(tx);
        return Ok(see_other(&reconcile_path(&found)));
    };
    let participation = tx
        .start_participation(found.campaign.id, user.id, learner, external_id.as_deref())
        .await?;
    let assessment = tx
        .start_assessment(&NewAssessment {
            user_id: user.id,
            kind: "CAMPAIGN",
            organization_id: Some(found.scope.tenant().0),
            participation_id: Some(participation),
            package_digest: tp.package_digest.clone(),
            target_key: tp.profile_key.clone(),
            seed,
            improving: false,
            first_challenge: first,
        })
        .await?;
    tx.commit().await?;
    Ok(see_other(&format!("/parcours/{assessment}")))
}

/// "Envoyez votre profil": what will be sent, or what was sent.
#[allow(clippy::too_many_arguments)]
async fn profile_page(
    state: &AppState,
    user: &acquis_store::User,
    session: &tower_sessions::Session,
    found: &Found,
    participation: Option<acquis_store::Participation>,
    external_id: Option<&str>,
    external_id_error: Option<String>,
) -> AppResult<Response> {
    let summary = super::profile::summary(state, user.id).await?;
    let sent = participation.as_ref().filter(|p| p.is_shared()).map(|p| {
        serde_json::json!({
            "at": p.shared_at.map(views::date_time),
            "pix": p.pix_score,
        })
    });
    let can_send =
        participation.as_ref().is_none_or(|p| !p.is_shared()) || found.campaign.multiple_sendings;
    let mut p = page("app/send_profile.html", Some(user), session)
        .await
        .with("campaign", campaign_json(found))
        .with("profile", summary)
        .with("sent", sent)
        .with("can_send", can_send && found.campaign.archived_at.is_none())
        .with("first_time", participation.is_none());
    if let Some(v) = external_id {
        p.insert("external_id", v);
    }
    if let Some(e) = external_id_error {
        p.insert("external_id_error", e);
        p = p.status(StatusCode::UNPROCESSABLE_ENTITY);
    }
    p.render()
}

/// "J'envoie mon profil": the profile as it is now is frozen for the establishment.
async fn send_profile(
    State(state): State<AppState>,
    CurrentUser { user, session }: CurrentUser,
    Path(code): Path<String>,
    Form(form): Form<StartForm>,
) -> AppResult<Response> {
    let found = find_open(&state, &code, user.id, CampaignKind::ProfilesCollection).await?;
    // Read before the write transaction, which on SQLite holds the database's write lock.
    let summary = super::profile::summary(&state, user.id).await?;
    let mut tx = state.store.tenant_tx(&found.scope).await?;
    let existing = tx.participation_of(found.campaign.id, user.id).await?;
    if existing.is_none() && tx.participation_deleted(found.campaign.id, user.id).await? {
        return Err(deleted());
    }
    let external_id = match &existing {
        Some(p) => p.external_id.clone(),
        None => match check_external_id(&found.campaign, &form.external_id) {
            Ok(v) => v,
            Err(e) => {
                drop(tx);
                return profile_page(
                    &state,
                    &user,
                    &session,
                    &found,
                    None,
                    Some(form.external_id.trim()),
                    Some(e),
                )
                .await;
            }
        },
    };
    let participation = match &existing {
        Some(p) if p.is_shared() && !found.campaign.multiple_sendings => {
            drop(tx);
            flash(&session, t("profile-already-sent")).await?;
            return Ok(see_other(&format!(
                "/campagnes/{}/parcours",
                found.campaign.code
            )));
        }
        Some(p) if p.is_shared() => tx.supersede_participation(p).await?,
        Some(p) => p.id,
        None => {
            let Some(learner) = tx
                .participant_learner(user.id, found.manages_students)
                .await?
            else {
                drop(tx);
                return Ok(see_other(&reconcile_path(&found)));
            };
            tx.start_participation(found.campaign.id, user.id, learner, external_id.as_deref())
                .await?
        }
    };
    let results = SharedResults {
        mastery_percent: (100.0 * summary.total_pix as f64 / summary.max_pix.max(1) as f64).round()
            as i32,
        validated_skills: summary.validated_skills as i32,
        pix_score: summary.total_pix as i32,
        results: serde_json::to_string(&summary).map_err(|e| AppError::Internal(e.into()))?,
        stage: None,
        analysis: None,
        certifiable: Some((summary.certifiable, summary.certifiable_competences as i32)),
        badges: Vec::new(),
    };
    tx.share_participation(participation, &results).await?;
    // « Certifiable » in the Élèves list comes from the latest profile sent.
    tx.set_participant_certifiable(participation, summary.certifiable)
        .await?;
    tx.commit().await?;
    flash(&session, t("profile-sent")).await?;
    Ok(see_other(&format!(
        "/campagnes/{}/parcours",
        found.campaign.code
    )))
}

fn reconcile_path(found: &Found) -> String {
    format!("/campagnes/{}/eleve", found.campaign.code)
}

/// The tenant of a participation, for a student acting on their own assessment.
pub fn participant_scope(org: Uuid, user: Uuid) -> TenantScope {
    TenantScope::for_participant(TenantId(org), Some(user))
}
