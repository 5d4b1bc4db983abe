//! The establishment space (`/orga/{establishment}/…`): Campagnes, Élèves, Équipe, Documentation.
//!
//! Every route goes through [`OrgaCtx`], which only exists for a signed-in, active member of the
//! establishment in the path; anyone else gets a 404 that says nothing about the establishment.

pub mod analysis;
pub mod campaigns;
mod charts;
pub mod export;
pub mod students;
pub mod team;

use crate::form::{Form, Query};
use acquis_store::{User, UserMembership};
use acquis_tenants::{TenantId, TenantScope};
use axum::Router;
use axum::extract::{FromRequestParts, RawPathParams, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;
use tower_sessions::Session;
use uuid::Uuid;

use crate::auth::session::{CurrentUser, safe_next};
use crate::error::{AppError, AppResult, see_other};
use crate::views::Page;
use crate::{AppState, page};

pub fn router(import_max_mib: u64) -> Router<AppState> {
    Router::new()
        .route("/orga", get(entry))
        .route("/orga/cgu", get(terms_form).post(accept_terms))
        .route("/orga/{org}", get(switch_to))
        .route("/orga/{org}/documentation", get(documentation))
        .merge(students::router((import_max_mib as usize) << 20))
        .merge(team::router())
        .merge(campaigns::router())
        .merge(export::router())
}

/// A member inside their establishment.
pub struct OrgaCtx {
    pub user: User,
    pub session: Session,
    pub scope: TenantScope,
    pub org_id: Uuid,
    pub org_name: String,
    pub memberships: Vec<UserMembership>,
}

impl OrgaCtx {
    pub fn is_admin(&self) -> bool {
        self.scope.is_admin()
    }

    /// A page in the establishment-space layout, `section` being the active menu entry.
    pub async fn page(&self, name: &'static str, section: &str) -> Page {
        let others: Vec<_> = self
            .memberships
            .iter()
            .filter(|m| !m.archived && m.membership.tenant.0 != self.org_id)
            .map(|m| serde_json::json!({"id": m.membership.tenant.0, "name": m.organization_name}))
            .collect();
        page(name, Some(&self.user), &self.session).await.with(
            "orga",
            serde_json::json!({
                "id": self.org_id,
                "name": self.org_name,
                "is_admin": self.is_admin(),
                "others": others,
                "section": section,
            }),
        )
    }

    pub fn path(&self, rest: &str) -> String {
        format!("/orga/{}{}", self.org_id, rest)
    }
}

impl FromRequestParts<AppState> for OrgaCtx {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let CurrentUser { user, session } = CurrentUser::from_request_parts(parts, state).await?;
        crate::auth::sso::refuse_staff_space(&session).await?;
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound)?;
        let org_id = params
            .iter()
            .find(|(k, _)| *k == "org")
            .and_then(|(_, v)| Uuid::parse_str(v).ok())
            .ok_or(AppError::NotFound)?;
        let memberships = state.store.memberships_of_user(user.id).await?;
        let Some(current) = memberships
            .iter()
            .find(|m| m.membership.tenant == TenantId(org_id) && !m.archived)
        else {
            return Err(AppError::NotFound);
        };
        if user.orga_terms_accepted_at.is_none() {
            let next = parts.uri.path().to_owned();
            return Err(AppError::Redirect(format!(
                "/orga/cgu?next={}",
                crate::error::urlencode(&next)
            )));
        }
        Ok(OrgaCtx {
            scope: TenantScope::for_member(&current.membership),
            org_name: current.organization_name.clone(),
            org_id,
            memberships,
            user,
            session,
        })
    }
}

/// `/orga`: the user's establishment, a chooser, or the members-only notice.
async fn entry(
    State(state): State<AppState>,
    CurrentUser { user, session }: CurrentUser,
) -> AppResult<Response> {
    crate::auth::sso::refuse_staff_space(&session).await?;
    let active: Vec<UserMembership> = state
        .store
        .memberships_of_user(user.id)
        .await?
        .into_iter()
        .filter(|m| !m.archived)
        .collect();
    if active.is_empty() {
        return page("orga/no_access.html", Some(&user), &session)
            .await
            .status(StatusCode::FORBIDDEN)
            .render();
    }
    if user.orga_terms_accepted_at.is_none() {
        return Ok(see_other("/orga/cgu"));
    }
    let preferred = user
        .last_organization_id
        .and_then(|id| active.iter().find(|m| m.membership.tenant.0 == id))
        .or_else(|| (active.len() == 1).then(|| &active[0]));
    if let Some(m) = preferred {
        return Ok(see_other(&format!(
            "/orga/{}/campagnes",
            m.membership.tenant.0
        )));
    }
    let establishments: Vec<_> = active
        .iter()
        .map(|m| serde_json::json!({"id": m.membership.tenant.0, "name": m.organization_name}))
        .collect();
    page("orga/choose.html", Some(&user), &session)
        .await
        .with("establishments", establishments)
        .render()
}

#[derive(Deserialize, Default)]
struct NextQuery {
    next: Option<String>,
}

async fn terms_form(
    CurrentUser { user, session }: CurrentUser,
    Query(q): Query<NextQuery>,
) -> AppResult<Response> {
    page("orga/terms.html", Some(&user), &session)
        .await
        .with("next", safe_next(q.next.as_deref()))
        .render()
}

#[derive(Deserialize)]
struct TermsForm {
    next: Option<String>,
}

async fn accept_terms(
    State(state): State<AppState>,
    CurrentUser { user, .. }: CurrentUser,
    Form(form): Form<TermsForm>,
) -> AppResult<Response> {
    state.store.accept_orga_terms(user.id).await?;
    let to = safe_next(form.next.as_deref()).unwrap_or_else(|| "/orga".into());
    Ok(see_other(&to))
}

/// Following a link to another establishment makes it the one `/orga` opens next time.
async fn switch_to(State(state): State<AppState>, ctx: OrgaCtx) -> AppResult<Response> {
    state
        .store
        .set_last_organization(ctx.user.id, TenantId(ctx.org_id))
        .await?;
    Ok(see_other(&ctx.path("/campagnes")))
}

/// The establishment-space guide, written in `docs/` and compiled into the binary.
const GUIDE: &str = include_str!("../../../../docs/guide-etablissement.md");

async fn documentation(ctx: OrgaCtx) -> AppResult<Response> {
    static HTML: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| crate::views::markdown(GUIDE));
    ctx.page("orga/documentation.html", "documentation")
        .await
        .with("guide", HTML.as_str())
        .render()
}

/// A query string's pairs in order, repeated keys kept (several classes are several `classe`;
/// serde_urlencoded into a struct would keep only one).
pub(crate) fn query_pairs(raw: &str) -> Vec<(String, String)> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(raw).unwrap_or_default()
}

pub(crate) fn encode_pairs(pairs: &[(String, String)]) -> String {
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}
