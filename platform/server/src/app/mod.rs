//! The student space: the home page with "J'ai un code", campaign landing pages, the adaptive
//! test, results, "Mes parcours" and the profile.
//!
//! A student reaches a campaign through the global code registry (which names its
//! establishment) and their own assessments through their user id: every lookup is keyed by the
//! signed-in user, so another student's ids read as absent (404).

pub mod assessment;
pub mod campaign;
pub mod profile;
pub mod reconcile;

use acquis_store::{MyParticipation, User};
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;

use crate::auth::session::MaybeUser;
use crate::error::AppResult;
use crate::i18n::t;
use crate::{AppState, page, views};

pub fn router(state: &AppState) -> Router<AppState> {
    let by_code = campaign::router().merge(reconcile::router()).route_layer(
        axum::middleware::from_fn_with_state(state.clone(), crate::throttle::campaign_codes),
    );
    Router::new()
        .route("/", get(home))
        .merge(by_code)
        .merge(assessment::router())
        .merge(profile::router())
}

/// How a participation shows in "Mes parcours".
pub fn course_card(p: &MyParticipation) -> serde_json::Value {
    let completed = p.assessment_state.as_deref() == Some("COMPLETED");
    let (status, label, action) = if p.status == "SHARED" {
        ("sent", t("course-sent"), t("course-see"))
    } else if p.kind == "PROFILES_COLLECTION" || completed {
        ("to-send", t("course-to-send"), t("course-send"))
    } else {
        ("started", t("course-started"), t("course-resume"))
    };
    serde_json::json!({
        "title": p.title.clone().unwrap_or_else(|| p.name.clone()),
        "organization": p.organization_name,
        "status": status,
        "status_label": label,
        "action": action,
        "href": format!("/campagnes/{}/parcours", p.code),
        "started_on": views::date(p.created_at),
    })
}

async fn home(
    State(state): State<AppState>,
    MaybeUser { user, session }: MaybeUser,
) -> AppResult<Response> {
    home_page(&state, user.as_ref(), &session).await?.render()
}

/// The home page with what it shows everyone (the code form, SSO buttons) and a signed-in
/// user (their tests, the way to their establishment space): also the page a wrong code
/// comes back to.
pub async fn home_page(
    state: &AppState,
    user: Option<&User>,
    session: &tower_sessions::Session,
) -> AppResult<views::Page> {
    let mut p = page("home.html", user, session).await;
    if let Some(u) = user {
        p.insert("courses", my_courses(state, u).await?);
        let staff = !state.store.memberships_of_user(u.id).await?.is_empty();
        p.insert("is_staff", staff);
    } else {
        p.insert("providers", crate::auth::sso::buttons(state).await?);
    }
    Ok(p)
}

pub async fn my_courses(state: &AppState, user: &User) -> AppResult<Vec<serde_json::Value>> {
    Ok(state
        .store
        .my_participations(user.id)
        .await?
        .iter()
        .map(course_card)
        .collect())
}
