//! Accepting an invitation (`/rejoindre?invitationId=…&code=…`): create an account or log in,
//! and become a member of the establishment.

use crate::form::{Form, Query};
use acquis_store::{Invitation, InvitationStatus, Organization, StoreError};
use acquis_tenants::{Role, TenantScope};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use time::{Duration, OffsetDateTime};
use tower_sessions::Session;
use uuid::Uuid;

use crate::auth::session::{MaybeUser, sign_in};
use crate::auth::{LoginOutcome, SignupForm, check_credentials};
use crate::error::{AppResult, see_other};
use crate::i18n::t;
use crate::{AppState, page};

/// Invitations expire 30 days after they were last sent; resending renews them.
pub const INVITATION_VALIDITY: Duration = Duration::days(30);

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/rejoindre", get(show))
        .route("/rejoindre/inscription", post(signup))
        .route("/rejoindre/connexion", post(login))
        .route("/rejoindre/accepter", post(accept_signed_in))
}

#[derive(Deserialize)]
struct LinkQuery {
    #[serde(rename = "invitationId", default)]
    invitation_id: String,
    #[serde(default)]
    code: String,
}

/// Why an invitation link cannot be used, with the status to answer.
struct Unusable(StatusCode, String);

/// Resolves and checks a link; nothing is written.
async fn usable_invitation(
    state: &AppState,
    invitation_id: &str,
    code: &str,
) -> AppResult<Result<(Organization, Invitation), Unusable>> {
    let invalid = || Unusable(StatusCode::NOT_FOUND, t("invitation-invalid"));
    let Ok(id) = Uuid::parse_str(invitation_id.trim()) else {
        return Ok(Err(invalid()));
    };
    let Some(tenant) = state.store.invitation_tenant(id).await? else {
        return Ok(Err(invalid()));
    };
    let scope = TenantScope::for_invitee(tenant, None);
    let mut tx = state.store.tenant_read(&scope).await?;
    let invitation = tx.invitation(id).await?;
    tx.commit().await?;
    let Some(invitation) = invitation else {
        return Ok(Err(invalid()));
    };
    // The code is the secret: checked before any status is revealed.
    if !constant_time_eq(invitation.code.as_bytes(), code.trim().as_bytes()) {
        return Ok(Err(invalid()));
    }
    let Some(org) = state.store.find_organization(tenant).await? else {
        return Ok(Err(invalid()));
    };
    let gone = |key: &str| Ok(Err(Unusable(StatusCode::GONE, t(key))));
    match invitation.status() {
        InvitationStatus::Accepted => return gone("invitation-already-accepted"),
        InvitationStatus::Cancelled => return gone("invitation-cancelled"),
        InvitationStatus::Pending => {}
    }
    if invitation.updated_at + INVITATION_VALIDITY < OffsetDateTime::now_utc() {
        return gone("invitation-expired");
    }
    if org.archived_at.is_some() {
        return gone("invitation-organization-archived");
    }
    Ok(Ok((org, invitation)))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn link_context(org: &Organization, inv: &Invitation) -> serde_json::Value {
    serde_json::json!({
        "organization_name": org.name,
        "invitation_id": inv.id,
        "code": inv.code,
        "email": inv.email,
    })
}

async fn show(
    State(state): State<AppState>,
    MaybeUser { user, session }: MaybeUser,
    Query(q): Query<LinkQuery>,
) -> AppResult<Response> {
    let p = page("join/invitation.html", user.as_ref(), &session).await;
    match usable_invitation(&state, &q.invitation_id, &q.code).await? {
        Err(Unusable(status, message)) => p.with("unusable", message).status(status).render(),
        Ok((org, inv)) => p
            .with("invitation", link_context(&org, &inv))
            .with("form", serde_json::json!({ "email": inv.email }))
            .render(),
    }
}

/// Joins the establishment in one transaction: the account (when created here), the membership
/// and the invitation's new status are written together or not at all.
async fn accept(
    state: &AppState,
    org: &Organization,
    invitation: &Invitation,
    user: Accepting,
) -> AppResult<Result<Uuid, String>> {
    let user_id_known = match &user {
        Accepting::Existing(id) => Some(*id),
        Accepting::New(_) => None,
    };
    let scope = TenantScope::for_invitee(org.tenant(), user_id_known);
    let mut tx = state.store.tenant_tx(&scope).await?;
    let user_id = match user {
        Accepting::Existing(id) => id,
        Accepting::New(new) => match tx.create_user(&new).await {
            Ok(u) => u.id,
            Err(StoreError::Conflict(_)) => return Ok(Err(t("signup-email-taken"))),
            Err(e) => return Err(e.into()),
        },
    };
    if !tx.mark_invitation_accepted(invitation.id, user_id).await? {
        return Ok(Err(t("invitation-already-accepted")));
    }
    match tx.membership_of_user(user_id).await? {
        Some(existing) => {
            // An invitation raises a member to administrator; it never lowers an administrator
            // (an old or mistaken invitation as « Membre » would otherwise demote them).
            if invitation.role() == Some(Role::Admin) && existing.role != Role::Admin {
                tx.set_role(existing.id, Role::Admin).await?;
            }
        }
        None => {
            let role = if tx.count_members().await? == 0 {
                Role::Admin
            } else {
                invitation.role().unwrap_or(Role::Member)
            };
            tx.add_member(user_id, role).await?;
        }
    }
    tx.audit(
        "invitation.accepted",
        Some(&invitation.email),
        Some(&user_id.to_string()),
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(user_id))
}

enum Accepting {
    Existing(Uuid),
    New(acquis_store::NewUser),
}

async fn joined(
    state: &AppState,
    session: &Session,
    org: &Organization,
    user_id: Uuid,
) -> AppResult<Response> {
    sign_in(session, user_id).await?;
    state
        .store
        .set_last_organization(user_id, org.tenant())
        .await?;
    Ok(see_other(&format!("/orga/{}/equipe", org.id)))
}

#[derive(Deserialize)]
struct LinkFields {
    invitation_id: String,
    code: String,
}

#[derive(Deserialize)]
struct JoinSignupForm {
    #[serde(flatten)]
    link: LinkFields,
    #[serde(flatten)]
    signup: SignupForm,
}

async fn signup(
    State(state): State<AppState>,
    session: Session,
    Form(form): Form<JoinSignupForm>,
) -> AppResult<Response> {
    let p = page("join/invitation.html", None, &session).await;
    let (org, inv) =
        match usable_invitation(&state, &form.link.invitation_id, &form.link.code).await? {
            Err(Unusable(status, message)) => {
                return p.with("unusable", message).status(status).render();
            }
            Ok(found) => found,
        };
    let mut errors = form.signup.validate();
    if errors.is_empty() {
        let new = form.signup.clone().into_new_user(&state).await?;
        match accept(&state, &org, &inv, Accepting::New(new)).await? {
            Ok(user_id) => return joined(&state, &session, &org, user_id).await,
            Err(message) => {
                errors.insert("email", message);
            }
        }
    }
    p.with("invitation", link_context(&org, &inv))
        .with("form", form.signup.echo())
        .with("errors", &errors)
        .status(StatusCode::UNPROCESSABLE_ENTITY)
        .render()
}

#[derive(Deserialize)]
struct JoinLoginForm {
    #[serde(flatten)]
    link: LinkFields,
    login: acquis_input::Text<acquis_input::Line>,
    /// Named apart from the sign-up form's field: both forms share the page.
    #[serde(rename = "login_password")]
    password: String,
}

async fn login(
    State(state): State<AppState>,
    session: Session,
    client: crate::throttle::Client,
    Form(form): Form<JoinLoginForm>,
) -> AppResult<Response> {
    let p = page("join/invitation.html", None, &session).await;
    let (org, inv) =
        match usable_invitation(&state, &form.link.invitation_id, &form.link.code).await? {
            Err(Unusable(status, message)) => {
                return p.with("unusable", message).status(status).render();
            }
            Ok(found) => found,
        };
    let (message, status) =
        match check_credentials(&state, &client, &form.login, &form.password).await? {
            LoginOutcome::Ok(user) => {
                match accept(&state, &org, &inv, Accepting::Existing(user.id)).await? {
                    Ok(user_id) => return joined(&state, &session, &org, user_id).await,
                    Err(message) => (message, StatusCode::CONFLICT),
                }
            }
            LoginOutcome::Refused(message, status) => (message, status),
        };
    p.with("invitation", link_context(&org, &inv))
        .with("form", serde_json::json!({ "email": inv.email }))
        .with("login_error", message)
        .with("login", form.login.trim())
        .status(status)
        .render()
}

async fn accept_signed_in(
    State(state): State<AppState>,
    MaybeUser { user, session }: MaybeUser,
    Form(form): Form<LinkFields>,
) -> AppResult<Response> {
    let p = page("join/invitation.html", user.as_ref(), &session).await;
    let (org, inv) = match usable_invitation(&state, &form.invitation_id, &form.code).await? {
        Err(Unusable(status, message)) => {
            return p.with("unusable", message).status(status).render();
        }
        Ok(found) => found,
    };
    let Some(user) = user else {
        return Ok(see_other(&format!(
            "/rejoindre?invitationId={}&code={}",
            inv.id, inv.code
        )));
    };
    match accept(&state, &org, &inv, Accepting::Existing(user.id)).await? {
        Ok(user_id) => joined(&state, &session, &org, user_id).await,
        Err(message) => p
            .with("unusable", message)
            .status(StatusCode::CONFLICT)
            .render(),
    }
}
